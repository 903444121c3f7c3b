namespace Shaping.Core.Capacity;

/// <summary>The outcome of a ledger operation: expected outcomes are values, not exceptions.</summary>
public enum ReservationStatus
{
    /// <summary>The operation took effect (or had already taken effect with the same content: idempotent replay).</summary>
    Succeeded = 0,

    /// <summary>The region does not have enough free capacity in at least one dimension.</summary>
    InsufficientCapacity,

    /// <summary>The region is not known to the ledger.</summary>
    UnknownRegion,

    /// <summary>No reservation has that id.</summary>
    NotFound,

    /// <summary>The reservation expired before the operation (a commit came too late).</summary>
    Expired,

    /// <summary>The id is in use with different content, or the reservation is in a state that forbids the operation.</summary>
    Conflict,

    /// <summary>
    /// The ledger's store could not be reached after bounded retries, so the outcome is unknown: the operation may
    /// or may not have taken effect. The caller replays the same operation with the same <see cref="ReservationId"/>
    /// (every operation is idempotent by id) to learn what actually happened; until then it must assume either.
    /// </summary>
    Unavailable,
}
