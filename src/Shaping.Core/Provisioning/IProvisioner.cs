using Shaping.Core.ControlPlane;

namespace Shaping.Core.Provisioning;

/// <summary>
/// Port: a region's own control plane (a cloud API, a Kubernetes cluster) that creates, resizes and removes
/// replicas.
/// </summary>
/// <remarks>
/// <para>
/// Every call carries an idempotency key or acts on a replica id, so the caller may retry a call whose answer it
/// did not see without creating or resizing twice. Expected failures are results
/// (<see cref="ProvisionStatus"/>); an exception means a bug or cancellation.
/// </para>
/// <para>
/// <b>Keys.</b> Keys are opaque strings. <see cref="ReplicaRequestHandler"/> builds a provisioning key from the
/// request's idempotency key, the region, the shape's name and revision and, from the second generation on, a
/// generation (<c>order-42/eu-west/general-4x16@1~2</c>); <see cref="ShapeAdjustmentLoop"/> builds a resize key
/// from the region, the replica id, the observation's time and a counter. Their length is not bounded (the
/// caller's idempotency key is part of them): an adapter whose platform limits names (a Kubernetes object name, a
/// cloud client token) should store a hash of the key, for example hex SHA-256, rather than truncate it.
/// </para>
/// <para>
/// <b>Remember keys durably.</b> A key answers its first call's replicas for as long as the request may be
/// resubmitted, including after they were released, across restarts of either side: keep key → replicas in the
/// platform (a label or tag) or in a store, not in process memory. The handler's own memory of requests and of
/// keys whose replicas it released is in-process, and partly bounded (see <see cref="ReplicaRequestHandler"/>), so
/// after a restart a resubmission sends the same key again and only the adapter can say that replicas exist under it.
/// The same key with a different request (another shape or replica count, another replica for a resize) answers
/// <see cref="ProvisionStatus.Rejected"/>, as <see cref="InMemoryRegion"/> does.
/// </para>
/// <para>
/// <b>Give replicas ids unique across regions.</b> The control plane keeps one inventory for every region, keyed by
/// replica id: a platform that reuses names between clusters (pod names, for example) should answer ids qualified by
/// the region (<c>eu-west/web-7</c>), or a replica of one region would be taken for another's.
/// </para>
/// <para>
/// <b>Say which replicas were released.</b> When some of a key's replicas no longer run (released by the handler, by
/// the host or by the platform), a replay still answers all of them in <see cref="ProvisionResult.ReplicaIds"/>
/// (the same count as the request, so a request with another count is still told apart) and lists the released ones
/// in <see cref="ProvisionResult.ReleasedReplicaIds"/>, as <see cref="InMemoryRegion"/> does
/// (<see cref="ProvisionResult.Success(IReadOnlyList{string}, IReadOnlyList{string})"/>). The handler counts only the
/// others, and when none runs it provisions the same shape under the key's next generation. Both come from what the
/// adapter keeps per key and what runs in the platform, so they hold across restarts. An adapter that leaves the list
/// empty still works within one handler process, which remembers what it released; but a handler restarted since the
/// release answers a resubmission with replicas that no longer run.
/// </para>
/// <para>
/// <b>Statuses.</b> The handler treats them so: <see cref="ProvisionStatus.TransientFailure"/> may hide an effect
/// whose answer was lost, so the key is replayed (up to
/// <see cref="ReplicaRequestHandlerOptions.MaxProvisionRetries"/> times), and if the retries run out the request ends
/// with an unknown outcome and its reservation held. <see cref="ProvisionStatus.Rejected"/> must mean that the call
/// created nothing and a retry would not: the reservation is released and the next-ranked shape in the same region is tried under
/// its own key; a resubmission whose replay of an unsettled key is rejected takes the key as settled with nothing
/// created. <see cref="ProvisionStatus.RegionUnavailable"/> releases the reservation and leaves the region at once
/// for the next failover region, without trying its other shapes; so a region the adapter does not serve answers
/// <see cref="ProvisionStatus.RegionUnavailable"/>, as <see cref="RegionalProvisioner"/> does. After a
/// <see cref="ProvisionStatus.TransientFailure"/> under the same key, any failure ends the request with an unknown
/// outcome. A release answered <see cref="ProvisionStatus.Rejected"/> is taken to mean that the replica does not
/// run in the region. <see cref="ShapeAdjustmentLoop"/> replays a resize answered
/// <see cref="ProvisionStatus.TransientFailure"/> the same way; any other failure leaves the replica on its shape.
/// </para>
/// <para>
/// <b>Time-outs.</b> Every call must end on its own within a bounded time, whatever the token: when a caller
/// cancels a request while provisioning is in flight, the handler rolls back without the caller's token (it
/// replays the key, then releases each replica, each call up to
/// <see cref="ReplicaRequestHandlerOptions.MaxProvisionRetries"/> + 1 times) and the cancelled caller waits for that.
/// Answer a call that ran out of time with <see cref="ProvisionStatus.TransientFailure"/> rather than an exception:
/// an exception other than the caller's cancellation propagates to the handler's caller. Since a provisioning call that
/// threw may have created replicas, the handler first leaves the request unsettled with its reservation held, as for an
/// unknown outcome, so that a resubmission or <see cref="ReplicaRequestHandler.ReconcileAsync"/> replays the key.
/// </para>
/// </remarks>
public interface IProvisioner
{
    /// <summary>Creates replicas; the same idempotency key returns the first call's replicas.</summary>
    /// <param name="request">What to create.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The replicas created, or why not.</returns>
    ValueTask<ProvisionResult> ProvisionAsync(ProvisionRequest request, CancellationToken cancellationToken = default);

    /// <summary>Moves one replica to another shape; the same idempotency key resizes once.</summary>
    /// <param name="request">The replica and its new shape.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome.</returns>
    ValueTask<ProvisionResult> ResizeAsync(ResizeRequest request, CancellationToken cancellationToken = default);

    /// <summary>Removes one replica; removing a removed replica succeeds again.</summary>
    /// <param name="region">The region name.</param>
    /// <param name="replicaId">The replica.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome.</returns>
    ValueTask<ProvisionResult> ReleaseAsync(string region, string replicaId, CancellationToken cancellationToken = default);
}
