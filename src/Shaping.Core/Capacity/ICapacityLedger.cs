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
/// <para>
/// <b>Limits.</b> Every ledger accepts the same arguments, the <see cref="CapacityLimits"/>: each dimension of a
/// region's capacity, of a request's <see cref="ReservationRequest.PerReplica"/> and of its
/// <see cref="ReservationRequest.Total"/> is finite, non-negative and at most <see cref="CapacityLimits.MaxAmount"/>
/// (9 × 10⁹ units), <see cref="ReservationRequest.Replicas"/> is at least 1, and
/// <see cref="ReservationRequest.TimeToLive"/> is positive and at most <see cref="CapacityLimits.MaxTimeToLive"/>
/// (365 days). Outside them a ledger throws <see cref="ArgumentOutOfRangeException"/> naming the parameter, with a
/// message naming the member, before it changes anything; a null id, region or shape name throws
/// <see cref="ArgumentNullException"/> and a blank one <see cref="ArgumentException"/>. So a host that develops against
/// one ledger meets the same validation on another (<see cref="CapacityLimits.ThrowIfRequestInvalid"/> is the shared
/// check). A ledger may refuse more for what its store can't keep (a database's key length, say).
/// </para>
/// <para>
/// <b>Resolution.</b> Ledgers account amounts as integers so that sums never drift, and round a reservation up and a
/// capacity down, so rounding never lets reservations exceed a region. The resolution is the ledger's own and is not
/// part of this contract: <see cref="InMemoryCapacityLedger"/> rounds a request's total to 10⁻⁹ unit; the PostgreSQL
/// ledger rounds each replica's amount to 10⁻³ unit (0.001 core, GiB or Gbps) and reports the rounded amount in the
/// reservation it returns. So 1,000 replicas of 0.0001 core take 0.1 core in memory and 1 core in PostgreSQL, and a
/// request that just fits a nearly full region in one ledger can be <see cref="ReservationStatus.InsufficientCapacity"/>
/// in another. With sizes in whole thousandths of a unit the difference shrinks to the floating-point noise of the
/// in-memory ledger's rounding (a nano-unit here and there). The limits apply to the amounts as given, before
/// rounding.
/// </para>
/// </remarks>
public interface ICapacityLedger
{
    /// <summary>Atomically reserves capacity when the region has enough free in every dimension.</summary>
    /// <param name="request">What to reserve.</param>
    /// <param name="cancellationToken">Cancels the call; a cancelled call either took effect whole or not at all.</param>
    /// <returns><see cref="ReservationStatus.Succeeded"/> with the held reservation, or why not.</returns>
    /// <exception cref="ArgumentOutOfRangeException">
    /// The request's replicas are below 1, a dimension of its per-replica amount or total is NaN, infinite, negative or
    /// above <see cref="CapacityLimits.MaxAmount"/> (9 × 10⁹ units), or its time to live is not positive or above
    /// <see cref="CapacityLimits.MaxTimeToLive"/> (365 days); the parameter is <paramref name="request"/> and the message
    /// names the member (see <see cref="CapacityLimits.ThrowIfRequestOutOfRange(ReservationRequest, string?)"/>).
    /// </exception>
    /// <exception cref="ArgumentNullException">The request's id, region or shape name is null.</exception>
    /// <exception cref="ArgumentException">The request's id, region or shape name is empty or white space.</exception>
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
