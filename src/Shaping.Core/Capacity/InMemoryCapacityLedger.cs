using System.Diagnostics.CodeAnalysis;
using Shaping.Core.Resources;

namespace Shaping.Core.Capacity;

/// <summary>
/// A thread-safe, in-process <see cref="ICapacityLedger"/> for one control-plane instance, tests and samples.
/// </summary>
/// <remarks>
/// <para>
/// Every region has a configured total capacity (<see cref="SetRegionCapacity"/>). A reservation takes its
/// total (shape × replicas) from the region in all four dimensions at once or not at all. Expiry is driven by the
/// injected <see cref="TimeProvider"/>: a held reservation whose expiry has passed is treated as expired by every
/// operation that meets it (lazily), and <see cref="ReclaimExpiredAsync"/> sweeps all of them.
/// </para>
/// <para>
/// <b>Exact accounting.</b> Amounts are accounted in fixed point, in billionths of each dimension's unit
/// (nano-cores, nano-GiB, …) held as 64-bit integers, so that any sequence of reserves and releases returns the
/// free capacity to exactly where it started; floating-point sums would drift. A reservation's total is rounded
/// up to a whole nano-unit and a region's total down, so rounding can never oversubscribe a region. Amounts are
/// limited to <see cref="CapacityLimits.MaxAmount"/> per dimension, the limit of every ledger, which this
/// representation sets (9 × 10¹⁸ nano-units fit a <see cref="long"/>).
/// </para>
/// <para>
/// <b>Idempotency.</b> <see cref="TryReserveAsync"/> with an id already known and the same request content
/// returns <see cref="ReservationStatus.Succeeded"/> with the reservation as it is now while it is held or
/// committed, <see cref="ReservationStatus.Expired"/> once it expired and <see cref="ReservationStatus.Conflict"/>
/// once it was released; the same id with different content is a <see cref="ReservationStatus.Conflict"/>. A
/// reservation that failed (insufficient capacity, unknown region) is not remembered, so a replay is evaluated
/// afresh. Finished reservations (released or expired) are remembered for a retention period given at
/// construction and then forgotten, so memory stays bounded; after that a replay of their id reserves again.
/// </para>
/// <para>
/// <b>Cost.</b> Reserve, commit and release are O(log n) amortised in the number of live reservations: holds wait
/// for expiry in a priority queue, finished reservations in a queue, so reclaiming touches only what is due.
/// </para>
/// <para><b>Thread safety:</b> all members are safe to call concurrently; every operation takes one lock for
/// a short, allocation-light critical section and completes synchronously.</para>
/// </remarks>
public sealed class InMemoryCapacityLedger : ICapacityLedger
{
    private const double UnitsPerAmount = 1e9;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, RegionAccount> _regions = new(StringComparer.Ordinal);
    private readonly Dictionary<ReservationId, Entry> _reservations = [];
    private readonly PriorityQueue<Entry, DateTimeOffset> _expiries = new();
    private readonly Queue<Entry> _finished = new();
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _finishedRetention;

    /// <summary>Creates a ledger.</summary>
    /// <param name="regions">The regions and their total capacities; <see langword="null"/> for none (add them with <see cref="SetRegionCapacity"/>).</param>
    /// <param name="timeProvider">The clock that drives expiry; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="finishedRetention">
    /// How long a released or expired reservation is remembered for idempotent replays; <see langword="null"/> for one hour.
    /// <see cref="TimeSpan.Zero"/> forgets it at once; <see cref="TimeSpan.MaxValue"/> keeps it for good (memory then grows
    /// with every reservation).
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">A capacity is invalid (see <see cref="SetRegionCapacity"/>) or <paramref name="finishedRetention"/> is negative.</exception>
    /// <exception cref="ArgumentException">A region name is empty.</exception>
    public InMemoryCapacityLedger(
        IEnumerable<KeyValuePair<string, ResourceVector>>? regions = null,
        TimeProvider? timeProvider = null,
        TimeSpan? finishedRetention = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
        _finishedRetention = finishedRetention ?? TimeSpan.FromHours(1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_finishedRetention, TimeSpan.Zero, nameof(finishedRetention));
        if (regions is not null)
        {
            foreach (var (name, total) in regions)
            {
                SetRegionCapacity(name, total);
            }
        }
    }

    /// <summary>Gets the names of the regions the ledger knows.</summary>
    public IReadOnlyList<string> Regions
    {
        get
        {
            lock (_gate)
            {
                return [.. _regions.Keys];
            }
        }
    }

    /// <summary>Adds a region, or changes the total capacity of a known one.</summary>
    /// <remarks>
    /// Lowering a total below what reservations already account for is allowed: nothing is revoked, the region
    /// simply has no free capacity until enough is released.
    /// </remarks>
    /// <param name="region">The region name; not empty.</param>
    /// <param name="total">The total capacity, in each dimension's unit; finite, non-negative and at most <see cref="CapacityLimits.MaxAmount"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="region"/> is null, empty or white space.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="total"/> has a NaN, infinite, negative or too large dimension (see <see cref="CapacityLimits.ThrowIfAmountOutOfRange(ResourceVector, string?)"/>).
    /// </exception>
    public void SetRegionCapacity(string region, ResourceVector total)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        CapacityLimits.ThrowIfAmountOutOfRange(total);
        var units = Units.FromAmount(total, roundUp: false);
        lock (_gate)
        {
            if (_regions.TryGetValue(region, out var account))
            {
                account.Total = total;
                account.TotalUnits = units;
            }
            else
            {
                _regions.Add(region, new RegionAccount { Total = total, TotalUnits = units });
            }
        }
    }

    /// <summary>Gets a region's accounting: total, held, committed and free capacity.</summary>
    /// <remarks>Held reservations past their expiry are reclaimed first, so the snapshot reflects the current time.</remarks>
    /// <param name="region">The region name.</param>
    /// <param name="capacity">The snapshot, when the region is known.</param>
    /// <returns><see langword="true"/> when the region is known.</returns>
    public bool TryGetRegionCapacity(string region, out RegionCapacity capacity)
    {
        ArgumentNullException.ThrowIfNull(region);
        lock (_gate)
        {
            ReclaimExpiredLocked(_timeProvider.GetUtcNow());
            if (!_regions.TryGetValue(region, out var account))
            {
                capacity = default;
                return false;
            }

            capacity = account.Snapshot();
            return true;
        }
    }

    /// <summary>Gets a reservation as the ledger holds it now.</summary>
    /// <param name="id">The reservation id.</param>
    /// <param name="reservation">The reservation, when known (not yet forgotten).</param>
    /// <returns><see langword="true"/> when known.</returns>
    public bool TryGetReservation(ReservationId id, [NotNullWhen(true)] out Reservation? reservation)
    {
        lock (_gate)
        {
            var now = _timeProvider.GetUtcNow();
            ForgetFinishedLocked(now);
            if (_reservations.TryGetValue(id, out var entry))
            {
                ExpireIfDueLocked(entry, now);
                reservation = entry.Reservation;
                return true;
            }

            reservation = null;
            return false;
        }
    }

    /// <summary>Gets how many reservations are held now (neither committed, released nor expired).</summary>
    /// <returns>The number of held reservations, after reclaiming expired ones.</returns>
    public int CountHeld()
    {
        lock (_gate)
        {
            ReclaimExpiredLocked(_timeProvider.GetUtcNow());
            var held = 0;
            foreach (var account in _regions.Values)
            {
                held += account.HeldCount;
            }

            return held;
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">
    /// The request's id, region or shape name is null, empty or white space; the message names the member.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// The request's replicas, per-replica amount, total or time to live is outside <see cref="CapacityLimits"/>; the
    /// message names the member.
    /// </exception>
    public ValueTask<LedgerResult> TryReserveAsync(ReservationRequest request, CancellationToken cancellationToken = default)
    {
        ValidateRequest(request);
        cancellationToken.ThrowIfCancellationRequested();
        var total = request.Total;
        lock (_gate)
        {
            var now = _timeProvider.GetUtcNow();

            // What the retention lets go is forgotten before the id is looked up, so that its replay reserves again.
            ForgetFinishedLocked(now);
            if (_reservations.TryGetValue(request.Id, out var existing))
            {
                return ValueTask.FromResult(ReplayLocked(existing, request, now));
            }

            if (!_regions.TryGetValue(request.Region, out var account))
            {
                return ValueTask.FromResult(new LedgerResult(ReservationStatus.UnknownRegion, null));
            }

            if (!total.FitsWithin(account.Total))
            {
                return ValueTask.FromResult(new LedgerResult(ReservationStatus.InsufficientCapacity, null));
            }

            // Give back expired holds first (O(1) when none is due), so they never block this reservation.
            ReclaimExpiredLocked(now);
            var units = Units.FromAmount(total, roundUp: true);
            if (!account.Fits(units))
            {
                return ValueTask.FromResult(new LedgerResult(ReservationStatus.InsufficientCapacity, null));
            }

            var reservation = new Reservation(request, ReservationState.Held, now + request.TimeToLive);
            var entry = new Entry(reservation, account, units);
            _reservations.Add(request.Id, entry);
            _expiries.Enqueue(entry, reservation.ExpiresAt);
            account.Hold(units);
            CompactExpiriesIfSparseLocked();
            return ValueTask.FromResult(new LedgerResult(ReservationStatus.Succeeded, reservation));
        }
    }

    /// <inheritdoc/>
    public ValueTask<LedgerResult> CommitAsync(ReservationId id, CancellationToken cancellationToken = default)
    {
        ThrowIfEmpty(id);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var now = _timeProvider.GetUtcNow();
            ForgetFinishedLocked(now);
            if (!_reservations.TryGetValue(id, out var entry))
            {
                return ValueTask.FromResult(new LedgerResult(ReservationStatus.NotFound, null));
            }

            ExpireIfDueLocked(entry, now);
            var status = entry.Reservation.State switch
            {
                ReservationState.Held => ReservationStatus.Succeeded,
                ReservationState.Committed => ReservationStatus.Succeeded,
                ReservationState.Expired => ReservationStatus.Expired,
                _ => ReservationStatus.Conflict,
            };
            if (entry.Reservation.State == ReservationState.Held)
            {
                entry.Account.CommitHeld(entry.Units);
                entry.Reservation = entry.Reservation with { State = ReservationState.Committed };
            }

            return ValueTask.FromResult(new LedgerResult(status, entry.Reservation));
        }
    }

    /// <inheritdoc/>
    public ValueTask<LedgerResult> ReleaseAsync(ReservationId id, CancellationToken cancellationToken = default)
    {
        ThrowIfEmpty(id);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var now = _timeProvider.GetUtcNow();
            ForgetFinishedLocked(now);
            if (!_reservations.TryGetValue(id, out var entry))
            {
                return ValueTask.FromResult(new LedgerResult(ReservationStatus.NotFound, null));
            }

            ExpireIfDueLocked(entry, now);
            var reservation = entry.Reservation;
            if (reservation.State is ReservationState.Held or ReservationState.Committed)
            {
                entry.Account.Free(entry.Units, reservation.State == ReservationState.Committed);
                FinishLocked(entry, ReservationState.Released, now);
            }

            return ValueTask.FromResult(new LedgerResult(ReservationStatus.Succeeded, entry.Reservation));
        }
    }

    /// <inheritdoc/>
    public ValueTask<int> ReclaimExpiredAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return ValueTask.FromResult(ReclaimExpiredLocked(_timeProvider.GetUtcNow()));
        }
    }

    /// <inheritdoc/>
    public ValueTask<ResourceVector?> GetFreeCapacityAsync(string region, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(TryGetRegionCapacity(region, out var capacity) ? capacity.Free : (ResourceVector?)null);
    }

    // Each message names the member that is wrong; the parameter name stays "request", the argument the caller passed.
    private static void ValidateRequest(in ReservationRequest request) => CapacityLimits.ThrowIfRequestInvalid(request, nameof(request));

    private static void ThrowIfEmpty(ReservationId id)
    {
        if (string.IsNullOrWhiteSpace(id.Value))
        {
            throw new ArgumentException("The reservation id must not be empty.", nameof(id));
        }
    }

    private LedgerResult ReplayLocked(Entry existing, in ReservationRequest request, DateTimeOffset now)
    {
        if (existing.Reservation.Request != request)
        {
            return new LedgerResult(ReservationStatus.Conflict, existing.Reservation);
        }

        ExpireIfDueLocked(existing, now);
        var status = existing.Reservation.State switch
        {
            ReservationState.Held or ReservationState.Committed => ReservationStatus.Succeeded,
            ReservationState.Expired => ReservationStatus.Expired,
            _ => ReservationStatus.Conflict,
        };
        return new LedgerResult(status, existing.Reservation);
    }

    private void ExpireIfDueLocked(Entry entry, DateTimeOffset now)
    {
        var reservation = entry.Reservation;
        if (reservation.State == ReservationState.Held && reservation.ExpiresAt <= now)
        {
            entry.Account.Free(entry.Units, committed: false);
            FinishLocked(entry, ReservationState.Expired, now);
        }
    }

    private void FinishLocked(Entry entry, ReservationState state, DateTimeOffset now)
    {
        entry.Reservation = entry.Reservation with { State = state };
        entry.FinishedAt = now;
        if (_finishedRetention == TimeSpan.Zero)
        {
            _reservations.Remove(entry.Reservation.Id);
        }
        else
        {
            _finished.Enqueue(entry);
        }
    }

    // Holds committed or released early stay in the heap until their expiry comes up; when they outnumber the
    // live holds, rebuild the heap from the live ones (amortised O(1) per reservation), so memory stays bounded.
    private void CompactExpiriesIfSparseLocked()
    {
        if (_expiries.Count < 64)
        {
            return;
        }

        var held = 0;
        foreach (var account in _regions.Values)
        {
            held += account.HeldCount;
        }

        if (_expiries.Count <= 2 * held)
        {
            return;
        }

        var live = new List<(Entry, DateTimeOffset)>(held);
        foreach (var (entry, expiresAt) in _expiries.UnorderedItems)
        {
            if (entry.Reservation.State == ReservationState.Held)
            {
                live.Add((entry, expiresAt));
            }
        }

        _expiries.Clear();
        _expiries.EnqueueRange(live);
    }

    // Amortised O(k log n) for k due entries: holds wait in a heap by expiry (committed or released ones are
    // skipped when they come up), finished reservations in a queue by finishing time.
    private int ReclaimExpiredLocked(DateTimeOffset now)
    {
        var expired = 0;
        while (_expiries.TryPeek(out var entry, out var expiresAt) && expiresAt <= now)
        {
            _expiries.Dequeue();
            if (entry.Reservation.State == ReservationState.Held)
            {
                ExpireIfDueLocked(entry, now);
                expired++;
            }
        }

        ForgetFinishedLocked(now);
        return expired;
    }

    // Forgets the finished reservations whose retention has passed; O(1) when none has. Every operation that looks an id
    // up runs it first, so what the retention lets go is forgotten for every operation at the same moment, not only once
    // something else sweeps.
    private void ForgetFinishedLocked(DateTimeOffset now)
    {
        // Elapsed time against the retention, not finishing time + retention: a retention up to TimeSpan.MaxValue (kept
        // for good) would pass the last representable time.
        while (_finished.TryPeek(out var entry) && now - entry.FinishedAt >= _finishedRetention)
        {
            _finished.Dequeue();
            if (_reservations.TryGetValue(entry.Reservation.Id, out var current) && ReferenceEquals(current, entry))
            {
                _reservations.Remove(entry.Reservation.Id);
            }
        }
    }

    /// <summary>Amounts in billionths of a unit, per dimension.</summary>
    private readonly record struct Units(long Cpu, long Memory, long Storage, long Network)
    {
        public static Units FromAmount(ResourceVector amount, bool roundUp) => new(
            Convert(amount.CpuCores, roundUp), Convert(amount.MemoryGiB, roundUp),
            Convert(amount.StorageGiB, roundUp), Convert(amount.NetworkGbps, roundUp));

        public static Units operator +(Units left, Units right) =>
            new(left.Cpu + right.Cpu, left.Memory + right.Memory, left.Storage + right.Storage, left.Network + right.Network);

        public static Units operator -(Units left, Units right) =>
            new(left.Cpu - right.Cpu, left.Memory - right.Memory, left.Storage - right.Storage, left.Network - right.Network);

        public bool FitsWithin(Units capacity) =>
            Cpu <= capacity.Cpu && Memory <= capacity.Memory && Storage <= capacity.Storage && Network <= capacity.Network;

        public ResourceVector ToAmount() =>
            new(Cpu / UnitsPerAmount, Memory / UnitsPerAmount, Storage / UnitsPerAmount, Network / UnitsPerAmount);

        private static long Convert(double amount, bool roundUp)
        {
            var scaled = amount * UnitsPerAmount;
            return (long)(roundUp ? Math.Ceiling(scaled) : Math.Floor(scaled));
        }
    }

    private sealed class RegionAccount
    {
        public ResourceVector Total { get; set; }

        public Units TotalUnits { get; set; }

        public Units HeldUnits { get; private set; }

        public Units CommittedUnits { get; private set; }

        public int HeldCount { get; private set; }

        // Compares the amount with what is left rather than adding it to what is used: every amount and total is
        // at most CapacityLimits.MaxAmount (9e18 nano-units), so used + amount could pass long.MaxValue (≈ 9.22e18), wrap negative and
        // "fit". What is used never exceeds the largest total the region ever had (each hold fitted when it was
        // taken), so used and total − used stay within ±9e18 and cannot overflow.
        public bool Fits(Units amount) => amount.FitsWithin(TotalUnits - (HeldUnits + CommittedUnits));

        public void Hold(Units amount)
        {
            HeldUnits += amount;
            HeldCount++;
        }

        public void CommitHeld(Units amount)
        {
            HeldUnits -= amount;
            HeldCount--;
            CommittedUnits += amount;
        }

        public void Free(Units amount, bool committed)
        {
            if (committed)
            {
                CommittedUnits -= amount;
            }
            else
            {
                HeldUnits -= amount;
                HeldCount--;
            }
        }

        public RegionCapacity Snapshot()
        {
            var used = HeldUnits + CommittedUnits;
            ResourceVector free;
            if (used == default)
            {
                free = Total; // Exactly the configured total when nothing is reserved.
            }
            else
            {
                var left = TotalUnits - used;
                free = new Units(Math.Max(0, left.Cpu), Math.Max(0, left.Memory), Math.Max(0, left.Storage), Math.Max(0, left.Network)).ToAmount();
            }

            return new RegionCapacity(Total, HeldUnits.ToAmount(), CommittedUnits.ToAmount(), free);
        }
    }

    private sealed class Entry(Reservation reservation, RegionAccount account, Units units)
    {
        public Reservation Reservation { get; set; } = reservation;

        public RegionAccount Account { get; } = account;

        public Units Units { get; } = units;

        public DateTimeOffset FinishedAt { get; set; }
    }
}
