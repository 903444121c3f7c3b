using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Shaping.Core.Capacity;
using Shaping.Core.Shapes;

namespace Shaping.Core.ControlPlane;

/// <summary>
/// The replicas the control plane has provisioned, which reservation accounts for each, and when a shared
/// reservation can be released.
/// </summary>
/// <remarks>
/// <para>
/// A request reserves capacity for all its replicas in one atomic reservation. Replicas later move between
/// shapes one at a time: each move reserves the new shape for that replica alone, and the replica's share of the
/// old reservation becomes vacant. A reservation is released only when none of the replicas it was made for still
/// uses it, so capacity is never given back while a replica may still occupy it (the region may be
/// over-reserved for a while, never oversubscribed).
/// </para>
/// <para>
/// <b>Restarts.</b> The inventory lives in process memory, while the capacity ledger it mirrors may be durable. A host
/// whose control plane restarts persists <see cref="Snapshot"/> (whenever <see cref="Version"/> has changed) and builds
/// the next process's inventory from it (<see cref="ReplicaInventory(IEnumerable{ReplicaRecord})"/> or
/// <see cref="Restore"/>) before the request handler or the adjustment loop uses it. Without that, the adjustment loop
/// cannot move a replica provisioned before the restart, and a resubmitted request that completed before it commits a
/// second reservation for replicas the ledger already counts.
/// </para>
/// <para><b>Thread safety:</b> all members are safe to call concurrently.</para>
/// </remarks>
public sealed class ReplicaInventory
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ReplicaRecord> _replicas = new(StringComparer.Ordinal);
    private readonly Dictionary<ReservationId, int> _occupants = [];
    private long _version; // written under _gate, read without it

    /// <summary>Creates an empty inventory.</summary>
    public ReplicaInventory()
    {
    }

    /// <summary>
    /// Creates an inventory that tracks the given replicas, typically a <see cref="Snapshot"/> persisted before a
    /// restart: see <see cref="Restore"/>. <see cref="Version"/> starts at 0.
    /// </summary>
    /// <param name="records">The replicas to track.</param>
    /// <exception cref="ArgumentNullException"><paramref name="records"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// A record is <see langword="null"/> or has a missing member, or two records share a replica id.
    /// </exception>
    public ReplicaInventory(IEnumerable<ReplicaRecord> records)
    {
        var (replicas, occupants) = Build(records);
        Load(replicas, occupants);
    }

    /// <summary>
    /// Gets a number that changes whenever what the inventory tracks changes, so a host knows when to persist
    /// <see cref="Snapshot"/> again.
    /// </summary>
    /// <remarks>
    /// <para>
    /// It starts at 0 and goes up by one with every change: replicas added, a replica moved or removed, a
    /// <see cref="Restore"/>. Read it before <see cref="Snapshot"/>: the snapshot is then at least as new as the value
    /// read, so a host that persists the snapshot and keeps that value misses no change (at worst it persists once
    /// more).
    /// </para>
    /// <para>
    /// A counter to poll rather than a change event, because it costs one increment under the lock each change already
    /// takes and runs no host code: an event's handlers would run on the request handler's thread after every commit,
    /// where a slow or throwing handler would delay or fail a request whose replicas already run, and raised outside
    /// the lock they could arrive out of order. Polling also lets a host coalesce bursts of changes into one write, at
    /// the pace its store allows.
    /// </para>
    /// </remarks>
    /// <value>The number of changes since the inventory was created.</value>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Gets how many replicas are tracked.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _replicas.Count;
            }
        }
    }

    /// <summary>Records replicas created under one committed reservation.</summary>
    /// <param name="region">The region.</param>
    /// <param name="replicaIds">The replicas' ids.</param>
    /// <param name="shape">Their shape.</param>
    /// <param name="reservation">The committed reservation that accounts for all of them.</param>
    /// <exception cref="ArgumentException">
    /// A replica id is already tracked, or appears more than once in <paramref name="replicaIds"/>; nothing is recorded then.
    /// </exception>
    public void AddProvisioned(string region, IReadOnlyList<string> replicaIds, ResourceShape shape, ReservationId reservation)
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(replicaIds);
        ArgumentNullException.ThrowIfNull(shape);
        lock (_gate)
        {
            for (var i = 0; i < replicaIds.Count; i++) // indexed: a foreach over the interface can allocate an enumerator (32 B)
            {
                if (_replicas.ContainsKey(replicaIds[i]))
                {
                    throw new ArgumentException($"Replica '{replicaIds[i]}' is already tracked.", nameof(replicaIds));
                }
            }

            for (var i = 0; i < replicaIds.Count; i++)
            {
                if (!_replicas.TryAdd(replicaIds[i], new ReplicaRecord(region, replicaIds[i], shape, reservation)))
                {
                    // The same id twice in the list: undo this call's additions, so a failed call tracks nothing.
                    for (var j = 0; j < i; j++)
                    {
                        _replicas.Remove(replicaIds[j]);
                    }

                    throw new ArgumentException($"Replica '{replicaIds[i]}' appears more than once.", nameof(replicaIds));
                }
            }

            if (replicaIds.Count > 0)
            {
                _occupants[reservation] = _occupants.GetValueOrDefault(reservation) + replicaIds.Count;
                Interlocked.Increment(ref _version);
            }
        }
    }

    /// <summary>Gets a replica by id.</summary>
    /// <param name="replicaId">The replica id.</param>
    /// <param name="record">The replica, when tracked.</param>
    /// <returns><see langword="true"/> when tracked.</returns>
    public bool TryGet(string replicaId, [NotNullWhen(true)] out ReplicaRecord? record)
    {
        ArgumentNullException.ThrowIfNull(replicaId);
        lock (_gate)
        {
            return _replicas.TryGetValue(replicaId, out record);
        }
    }

    /// <summary>Gets a snapshot of every tracked replica: what a host persists to restore the inventory after a restart.</summary>
    /// <remarks>
    /// The records are all the inventory keeps: which replicas share a reservation follows from their
    /// <see cref="ReplicaRecord.Reservation"/>, so <see cref="Restore"/> rebuilds the same state from them.
    /// </remarks>
    /// <returns>The replicas, in no particular order.</returns>
    public IReadOnlyList<ReplicaRecord> Snapshot()
    {
        lock (_gate)
        {
            return [.. _replicas.Values];
        }
    }

    /// <summary>
    /// Tracks the given replicas, typically a <see cref="Snapshot"/> persisted before a restart, so that the new
    /// process's request handler and adjustment loop know the replicas the old one provisioned.
    /// </summary>
    /// <remarks>
    /// <para>
    /// It round-trips: after <c>Restore(other.Snapshot())</c> this inventory tracks the same records as
    /// <c>other</c>, and answers every later <see cref="AddProvisioned"/>, <see cref="Move"/> and
    /// <see cref="Remove"/> as <c>other</c> would; in particular a reservation is returned for release exactly when
    /// the last replica recorded under it leaves it, since the replicas sharing a reservation are counted from the
    /// records.
    /// </para>
    /// <para>
    /// Restore before the inventory is used, before the host serves requests or runs the adjustment loop: it is
    /// refused once the inventory tracks a replica, so that a late call cannot drop replicas provisioned meanwhile. It
    /// is all or nothing: a record that fails validation leaves the inventory as it was. It adds one to
    /// <see cref="Version"/>. Restore each instance of the control plane from its own snapshot: replicas tracked by two
    /// inventories are moved by two loops.
    /// </para>
    /// <para>
    /// A snapshot misses the changes made after it was taken. For a replica added since, the ledger keeps counting its
    /// committed reservation, which nothing releases; for one moved or removed since, the record names a shape and a
    /// reservation it no longer has. So persist whenever <see cref="Version"/> changes, and keep the gap short.
    /// </para>
    /// </remarks>
    /// <param name="records">The replicas to track.</param>
    /// <exception cref="ArgumentNullException"><paramref name="records"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// A record is <see langword="null"/>, its region, replica id or reservation id is null, empty or white space, or
    /// its shape is <see langword="null"/>; or two records share a replica id. Nothing is restored then.
    /// </exception>
    /// <exception cref="InvalidOperationException">The inventory already tracks a replica; nothing is restored.</exception>
    public void Restore(IEnumerable<ReplicaRecord> records)
    {
        var (replicas, occupants) = Build(records);
        lock (_gate)
        {
            if (_replicas.Count > 0)
            {
                throw new InvalidOperationException(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"The inventory already tracks {_replicas.Count} replica(s); restore it before it is used, or build a new one from the records."));
            }

            Load(replicas, occupants);
            Interlocked.Increment(ref _version);
        }
    }

    /// <summary>Gets the regions in which at least one replica is tracked.</summary>
    internal HashSet<string> TrackedRegions()
    {
        lock (_gate)
        {
            var regions = new HashSet<string>(StringComparer.Ordinal);
            foreach (var record in _replicas.Values)
            {
                regions.Add(record.Region);
            }

            return regions;
        }
    }

    /// <summary>
    /// Records that a replica now runs on <paramref name="newShape"/>, accounted by <paramref name="newReservation"/>
    /// (committed, for this replica alone).
    /// </summary>
    /// <param name="replicaId">The replica.</param>
    /// <param name="newShape">Its new shape.</param>
    /// <param name="newReservation">The reservation for the new shape.</param>
    /// <returns>
    /// The old reservation when no replica occupies it any more and the caller must release it in the ledger;
    /// otherwise <see langword="null"/>.
    /// </returns>
    /// <exception cref="ArgumentException">The replica is not tracked.</exception>
    public ReservationId? Move(string replicaId, ResourceShape newShape, ReservationId newReservation)
    {
        ArgumentNullException.ThrowIfNull(replicaId);
        ArgumentNullException.ThrowIfNull(newShape);
        return TryMove(replicaId, newShape, newReservation, out var vacated)
            ? vacated
            : throw new ArgumentException($"Replica '{replicaId}' is not tracked.", nameof(replicaId));
    }

    /// <summary>
    /// Like <see cref="Move"/>, but answers <see langword="false"/> instead of throwing when the replica is not
    /// tracked (it was removed while a resize ran). Moving a replica to the reservation it already has changes only
    /// its shape.
    /// </summary>
    internal bool TryMove(string replicaId, ResourceShape newShape, ReservationId newReservation, out ReservationId? vacated)
    {
        lock (_gate)
        {
            if (!_replicas.TryGetValue(replicaId, out var record))
            {
                vacated = null;
                return false;
            }

            _replicas[replicaId] = record with { Shape = newShape, Reservation = newReservation };
            _occupants[newReservation] = _occupants.GetValueOrDefault(newReservation) + 1;
            vacated = VacateLocked(record.Reservation);
            Interlocked.Increment(ref _version);
            return true;
        }
    }

    /// <summary>Stops tracking a replica that was released in its region.</summary>
    /// <param name="replicaId">The replica.</param>
    /// <returns>
    /// The replica's reservation when no replica occupies it any more and the caller must release it in the
    /// ledger; otherwise <see langword="null"/> (also when the replica was not tracked).
    /// </returns>
    public ReservationId? Remove(string replicaId)
    {
        ArgumentNullException.ThrowIfNull(replicaId);
        lock (_gate)
        {
            if (!_replicas.Remove(replicaId, out var record))
            {
                return null;
            }

            Interlocked.Increment(ref _version);
            return VacateLocked(record.Reservation);
        }
    }

    // Validates records and counts each reservation's occupants, without touching the inventory (all or nothing).
    private static (Dictionary<string, ReplicaRecord> Replicas, Dictionary<ReservationId, int> Occupants) Build(IEnumerable<ReplicaRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var replicas = new Dictionary<string, ReplicaRecord>(StringComparer.Ordinal);
        var occupants = new Dictionary<ReservationId, int>();
        var index = 0;
        foreach (var record in records)
        {
            // Records read back from a store may break the annotations (a JSON null), so every member is checked.
            if (record is null)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Record {index} is null."), nameof(records));
            }

            RequireText(record.Region, "Region", record, index, nameof(records));
            RequireText(record.ReplicaId, "ReplicaId", record, index, nameof(records));
            RequireText(record.Reservation.Value, "Reservation", record, index, nameof(records));
            if (record.Shape is null)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Record {index} (replica '{record.ReplicaId}') has no Shape."), nameof(records));
            }

            if (!replicas.TryAdd(record.ReplicaId, record))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Replica '{record.ReplicaId}' appears more than once (record {index})."), nameof(records));
            }

            occupants[record.Reservation] = occupants.GetValueOrDefault(record.Reservation) + 1;
            index++;
        }

        return (replicas, occupants);
    }

    private static void RequireText(string? value, string member, ReplicaRecord record, int index, string paramName)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"Record {index} (replica '{record.ReplicaId}') has no {member}; got {(value is null ? "null" : $"'{value}'")}."),
                paramName);
        }
    }

    // Takes over validated state; the caller holds _gate or is the constructor.
    private void Load(Dictionary<string, ReplicaRecord> replicas, Dictionary<ReservationId, int> occupants)
    {
        _occupants.Clear(); // empty already while no replica is tracked; cleared so the counts are exactly the records'

        foreach (var (id, record) in replicas)
        {
            _replicas.Add(id, record);
        }

        foreach (var (reservation, count) in occupants)
        {
            _occupants.Add(reservation, count);
        }
    }

    private ReservationId? VacateLocked(ReservationId reservation)
    {
        var left = _occupants.GetValueOrDefault(reservation) - 1;
        if (left > 0)
        {
            _occupants[reservation] = left;
            return null;
        }

        _occupants.Remove(reservation);
        return reservation;
    }
}
