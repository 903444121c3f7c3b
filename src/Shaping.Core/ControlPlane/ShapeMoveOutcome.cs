namespace Shaping.Core.ControlPlane;

/// <summary>What became of a move the scaler asked for.</summary>
public enum ShapeMoveOutcome
{
    /// <summary>The replica was resized and its new reservation committed; the old one released when vacant.</summary>
    Applied = 0,

    /// <summary>The ledger refused the reservation for the new shape; nothing changed and the move is retried on a later observation.</summary>
    NoCapacity,

    /// <summary>
    /// The provisioner answered that it did not resize (it rejected the resize, or the region was unavailable before
    /// any call could have acted); the new reservation was released and the move is retried on a later observation.
    /// </summary>
    ResizeFailed,

    /// <summary>
    /// The replica was resized but the ledger committed neither the new reservation (it expired during a slow resize,
    /// or the ledger stayed unavailable) nor a second one made to replace it. The inventory follows the replica's
    /// shape but keeps it on its old reservation, which is not released, so the region is under-counted by the
    /// difference until the replica moves again or leaves; reported for an operator.
    /// </summary>
    AppliedUncommitted,

    /// <summary>
    /// The resize's answers were lost (<see cref="Provisioning.ProvisionStatus.TransientFailure"/> after bounded replays
    /// with the same key), or the provisioner threw an exception (other than for the cancellation of the loop's token;
    /// it may have resized before it threw, and the exception is kept in <see cref="ShapeAdjustmentLoop.LastError"/>),
    /// so the replica may run on either shape; or the ledger threw while the loop accounted for a resize that may have
    /// happened (the exception is kept in <see cref="ShapeAdjustmentLoop.LastError"/> too). The new reservation is
    /// committed (when the ledger threw instead, the next cycle commits it) and the old one kept, so the ledger counts
    /// both (over-reserved, never oversubscribed), and the inventory still shows the old shape. Later cycles
    /// replay the key and report the settled move (any other outcome) once the region answers; a replay that throws
    /// leaves the move unknown. The replica is not moved again meanwhile.
    /// </summary>
    ResizeOutcomeUnknown,

    /// <summary>
    /// The host removed the replica from the inventory while it was being resized; the reservation for the new shape
    /// was released and nothing was recorded.
    /// </summary>
    ReplicaRemoved,
}
