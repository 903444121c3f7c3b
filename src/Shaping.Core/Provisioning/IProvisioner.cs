namespace Shaping.Core.Provisioning;

/// <summary>
/// Port: a region's own control plane (a cloud API, a Kubernetes cluster) that creates, resizes and removes
/// replicas.
/// </summary>
/// <remarks>
/// Every call carries an idempotency key or acts on a replica id, so the caller may retry a call whose answer it
/// did not see without creating or resizing twice. Expected failures are results
/// (<see cref="ProvisionStatus"/>); an exception means a bug or cancellation.
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
