namespace Shaping.Core.Capacity;

/// <summary>The result of a ledger operation.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Reservation">The reservation after the operation, when there is one.</param>
public readonly record struct LedgerResult(ReservationStatus Status, Reservation? Reservation)
{
    /// <summary>Gets whether the operation took effect.</summary>
    public bool IsSuccess => Status == ReservationStatus.Succeeded;
}
