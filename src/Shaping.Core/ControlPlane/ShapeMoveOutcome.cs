namespace Shaping.Core.ControlPlane;

/// <summary>What became of a move the scaler asked for.</summary>
public enum ShapeMoveOutcome
{
    /// <summary>The replica was resized and its new reservation committed; the old one released when vacant.</summary>
    Applied = 0,

    /// <summary>The ledger refused the reservation for the new shape; nothing changed and the move is retried on a later observation.</summary>
    NoCapacity,

    /// <summary>The provisioner did not resize; the new reservation was released and the move is retried on a later observation.</summary>
    ResizeFailed,

    /// <summary>
    /// The replica was resized but the ledger did not commit the new reservation (it expired during a slow resize,
    /// or the ledger was unavailable); the inventory follows the replica, and the mismatch is reported for an operator.
    /// </summary>
    AppliedUncommitted,
}
