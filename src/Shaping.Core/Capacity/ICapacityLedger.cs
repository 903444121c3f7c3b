using Shaping.Core.Resources;

namespace Shaping.Core.Capacity;

/// <summary>
/// Port: the record of each region's capacity and of the reservations against it.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="TryReserveAsync"/> is atomic: two concurrent calls can never both take the last capacity of a
/// dimension. A reservation holds capacity until it is committed (the replicas exist), released, or expires;
/// expired reservations are reclaimed, so a caller that crashes between reserving and provisioning leaks nothing.
/// Every operation is idempotent by <see cref="ReservationId"/>: replaying it returns the same outcome and changes
/// nothing more. The methods are asynchronous because a shared ledger lives in a database; the in-memory one
/// completes synchronously.
/// </para>
/// <para>
/// A ledger whose store can't be reached answers <see cref="ReservationStatus.Unavailable"/>. That outcome is
/// <b>unknown</b>, not a refusal: the call may have taken effect before the connection was lost. The caller replays
/// the operation by the same <see cref="ReservationId"/>, which is idempotent and reports what actually happened.
/// A reserve whose fate is never learned holds capacity at most until its expiry, unless something commits it.
/// </para>
/// </remarks>
public interface ICapacityLedger
{
    /// <summary>Atomically reserves capacity when the region has enough free in every dimension.</summary>
    /// <param name="request">What to reserve.</param>
    /// <param name="cancellationToken">Cancels the call; a cancelled call either took effect whole or not at all.</param>
    /// <returns><see cref="ReservationStatus.Succeeded"/> with the held reservation, or why not.</returns>
    ValueTask<LedgerResult> TryReserveAsync(ReservationRequest request, CancellationToken cancellationToken = default);

    /// <summary>Marks a held reservation as in use (the replicas were provisioned); it no longer expires.</summary>
    /// <param name="id">The reservation id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome; committing a committed reservation succeeds again.</returns>
    ValueTask<LedgerResult> CommitAsync(ReservationId id, CancellationToken cancellationToken = default);

    /// <summary>Gives a held or committed reservation's capacity back.</summary>
    /// <param name="id">The reservation id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome; releasing a released or expired reservation succeeds again and changes nothing.</returns>
    ValueTask<LedgerResult> ReleaseAsync(ReservationId id, CancellationToken cancellationToken = default);

    /// <summary>Reclaims the capacity of every held reservation whose expiry has passed.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many reservations this call expired.</returns>
    ValueTask<int> ReclaimExpiredAsync(CancellationToken cancellationToken = default);

    /// <summary>Gets a region's free capacity (total minus held and committed reservations).</summary>
    /// <param name="region">The region name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The free capacity, or <see langword="null"/> for an unknown region.</returns>
    ValueTask<ResourceVector?> GetFreeCapacityAsync(string region, CancellationToken cancellationToken = default);
}
