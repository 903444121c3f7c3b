using Shaping.Core.Capacity;
using Shaping.Core.Provisioning;
using Shaping.Core.Shapes;

namespace Shaping.Core.ControlPlane;

/// <summary>A running replica as the control plane knows it.</summary>
/// <param name="Region">The region it runs in.</param>
/// <param name="ReplicaId">The id the region's provisioner gave it.</param>
/// <param name="Shape">The shape it runs on now.</param>
/// <param name="Reservation">The committed reservation that accounts for its current shape's capacity.</param>
public sealed record ReplicaRecord(string Region, string ReplicaId, ResourceShape Shape, ReservationId Reservation)
{
    /// <summary>
    /// Gets the idempotency key of the request the replica was provisioned for (<see cref="ReplicaRequest.IdempotencyKey"/>),
    /// so that a resubmission of that request is answered with its replicas after a restart, once the inventory is
    /// restored; <see langword="null"/> when unknown (a replica recorded without it, or a record persisted before it was kept).
    /// </summary>
    /// <remarks>
    /// <para>
    /// The request's key, not the provisioning key the region saw (<see cref="ProvisionRequest.IdempotencyKey"/>),
    /// because it is what a resubmission carries: the provisioning key adds the region, the shape, its revision and a
    /// generation, all of which the handler chooses anew when it serves a request afresh (another shape may rank first
    /// after the forecast changed), and the shape part stops describing the replica once it is moved.
    /// </para>
    /// <para>
    /// <see cref="ReplicaInventory.Move"/> keeps it, and <see cref="ReplicaInventory.Snapshot"/> and
    /// <see cref="ReplicaInventory.Restore"/> carry it, so persist it with the other members.
    /// </para>
    /// </remarks>
    /// <value>The request's idempotency key, or <see langword="null"/>. The default value is <see langword="null"/>.</value>
    public string? RequestKey { get; init; }
}
