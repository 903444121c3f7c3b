namespace Shaping.Core.Capacity;

/// <summary>A reservation as the ledger holds it.</summary>
/// <param name="Request">What was reserved.</param>
/// <param name="State">Where the reservation is in its life cycle.</param>
/// <param name="ExpiresAt">When a <see cref="ReservationState.Held"/> reservation expires.</param>
public sealed record Reservation(ReservationRequest Request, ReservationState State, DateTimeOffset ExpiresAt)
{
    /// <summary>Gets the reservation id.</summary>
    public ReservationId Id => Request.Id;
}
