namespace Shaping.Core.Capacity;

/// <summary>The life cycle of a reservation.</summary>
public enum ReservationState
{
    /// <summary>Capacity is held and expires at <see cref="Reservation.ExpiresAt"/> unless committed.</summary>
    Held = 0,

    /// <summary>The replicas were provisioned; the capacity is in use until released.</summary>
    Committed,

    /// <summary>The capacity was given back by the caller.</summary>
    Released,

    /// <summary>The reservation was not committed in time and its capacity was reclaimed.</summary>
    Expired,
}
