using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
/// <b>Requests.</b> Each replica may name the request it was provisioned for (<see cref="ReplicaRecord.RequestKey"/>),
/// and the inventory indexes the replicas by it (<see cref="TryGetRequestReplicas"/>), so that
/// <see cref="ReplicaRequestHandler"/> answers a resubmission of a request that completed before a restart (or that it
/// no longer remembers) with that request's replicas instead of serving it afresh.
/// </para>
/// <para>
/// <b>Restarts.</b> The inventory lives in process memory, while the capacity ledger it mirrors may be durable. A host
/// whose control plane restarts persists <see cref="Snapshot"/> (whenever <see cref="Version"/> has changed) and builds
/// the next process's inventory from it (<see cref="ReplicaInventory(IEnumerable{ReplicaRecord})"/> or
/// <see cref="Restore"/>) before the request handler or the adjustment loop uses it. Without that, the adjustment loop
/// cannot move a replica provisioned before the restart, and a resubmitted request that completed before it is served
/// afresh: it may provision a second set of replicas under another shape, answer
/// <see cref="ReplicaOutcome.NoCapacity"/> although its replicas run, or commit a second reservation for replicas the
/// ledger already counts.
/// </para>
/// <para><b>Thread safety:</b> all members are safe to call concurrently.</para>
/// </remarks>
public sealed class ReplicaInventory
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Slot> _replicas = new(StringComparer.Ordinal);
    private readonly Dictionary<ReservationId, int> _occupants = [];

    // Per request key, its replicas as a list linked through their slots, in the order they were added. Links instead of
    // a list object per request keep AddProvisioned, which runs on every request, free of allocations of its own.
    private readonly Dictionary<string, Chain> _requests = new(StringComparer.Ordinal);
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
    /// A record is <see langword="null"/> or has a missing member or an empty request key, or two records share a replica id.
    /// </exception>
    public ReplicaInventory(IEnumerable<ReplicaRecord> records)
    {
        Load(Validate(records));
    }

    /// <summary>
    /// Gets a number that changes whenever what the inventory tracks changes, so a host knows when to persist
    /// <see cref="Snapshot"/> again.
    /// </summary>
    /// <remarks>
    /// <para>
    /// It starts at 0 and goes up by one with every change: replicas added, a replica moved or removed, a request key
    /// given to replicas recorded without one (see <see cref="ReplicaRequestHandler"/>), a <see cref="Restore"/> of at
    /// least one record. Read it before <see cref="Snapshot"/>: the snapshot is then at least as new as the value
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
    /// <param name="requestKey">
    /// The idempotency key of the request they were provisioned for (<see cref="ReplicaRecord.RequestKey"/>), so that
    /// <see cref="TryGetRequestReplicas"/> finds them; <see langword="null"/> when they serve no request. Replicas added
    /// by several calls with the same key are that request's together, in the order added.
    /// </param>
    /// <exception cref="ArgumentException">
    /// <paramref name="region"/>, a replica id or <paramref name="reservation"/>'s id is empty or white space (what
    /// <see cref="Restore"/> refuses); a replica id is already tracked, or appears more than once in
    /// <paramref name="replicaIds"/>; or <paramref name="requestKey"/> is empty or white space. Nothing is recorded then.
    /// </exception>
    public void AddProvisioned(string region, IReadOnlyList<string> replicaIds, ResourceShape shape, ReservationId reservation, string? requestKey = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentNullException.ThrowIfNull(replicaIds);
        ArgumentNullException.ThrowIfNull(shape);
        ThrowIfBlank(reservation);

        // The checks Restore makes, so that every state the inventory holds round-trips through Snapshot and Restore.
        for (var i = 0; i < replicaIds.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(replicaIds[i]))
            {
                throw new ArgumentException($"Replica id {i} is null, empty or white space.", nameof(replicaIds));
            }
        }

        if (requestKey is not null && string.IsNullOrWhiteSpace(requestKey))
        {
            throw new ArgumentException($"The request key must not be empty; got '{requestKey}'. Pass null for replicas that serve no request.", nameof(requestKey));
        }

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
                if (!_replicas.TryAdd(replicaIds[i], new Slot(new ReplicaRecord(region, replicaIds[i], shape, reservation) { RequestKey = requestKey })))
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
                if (requestKey is not null)
                {
                    for (var i = 0; i < replicaIds.Count; i++)
                    {
                        AppendLocked(requestKey, replicaIds[i]);
                    }
                }

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
            if (_replicas.TryGetValue(replicaId, out var slot))
            {
                record = slot.Record;
                return true;
            }

            record = null;
            return false;
        }
    }

    /// <summary>
    /// Gets the tracked replicas of one request: those recorded with <paramref name="requestKey"/> as their
    /// <see cref="ReplicaRecord.RequestKey"/>.
    /// </summary>
    /// <remarks>
    /// What <see cref="ReplicaRequestHandler"/> asks before serving a request it does not remember as completed, to tell
    /// a resubmission of a request whose replicas run (after a restart, once the inventory was restored) from a new one.
    /// The lookup takes constant time, and a key with no tracked replica (a new request, or one whose replicas were all
    /// removed) allocates nothing.
    /// </remarks>
    /// <param name="requestKey">The request's idempotency key.</param>
    /// <param name="replicas">
    /// The request's replicas in the order they were added (kept through <see cref="Snapshot"/> and
    /// <see cref="Restore"/>), as they are now (a moved replica with its new shape and reservation); a copy. Not empty
    /// when found.
    /// </param>
    /// <returns><see langword="true"/> when at least one replica of the request is tracked.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="requestKey"/> is <see langword="null"/>.</exception>
    public bool TryGetRequestReplicas(string requestKey, [NotNullWhen(true)] out IReadOnlyList<ReplicaRecord>? replicas)
    {
        ArgumentNullException.ThrowIfNull(requestKey);
        lock (_gate)
        {
            if (!_requests.TryGetValue(requestKey, out var chain))
            {
                replicas = null;
                return false;
            }

            var records = new ReplicaRecord[chain.Count];
            string? id = chain.First;
            for (var i = 0; i < records.Length; i++)
            {
                var slot = _replicas[id!]; // a chain of Count links, each naming a tracked replica
                records[i] = slot.Record;
                id = slot.Next;
            }

            replicas = records;
            return true;
        }
    }

    /// <summary>Gets a snapshot of every tracked replica: what a host persists to restore the inventory after a restart.</summary>
    /// <remarks>
    /// The records are all the inventory keeps: which replicas share a reservation follows from their
    /// <see cref="ReplicaRecord.Reservation"/>, and which serve one request from their
    /// <see cref="ReplicaRecord.RequestKey"/>, so <see cref="Restore"/> rebuilds the same state from them.
    /// </remarks>
    /// <returns>
    /// The replicas, in no particular order, except that one request's replicas come together in the order
    /// <see cref="TryGetRequestReplicas"/> answers them, so that a restored inventory answers them in the same order.
    /// </returns>
    public IReadOnlyList<ReplicaRecord> Snapshot()
    {
        lock (_gate)
        {
            var records = new ReplicaRecord[_replicas.Count];
            var n = 0;
            foreach (var slot in _replicas.Values)
            {
                if (slot.Record.RequestKey is null)
                {
                    records[n++] = slot.Record;
                }
                else if (slot.Previous is null)
                {
                    // The first of its request's replicas: the whole request, in order.
                    var current = slot;
                    records[n++] = current.Record;
                    while (current.Next is { } next)
                    {
                        current = _replicas[next];
                        records[n++] = current.Record;
                    }
                }
            }

            return records;
        }
    }

    /// <summary>
    /// Tracks the given replicas, typically a <see cref="Snapshot"/> persisted before a restart, so that the new
    /// process's request handler and adjustment loop know the replicas the old one provisioned.
    /// </summary>
    /// <remarks>
    /// <para>
    /// It round-trips: after <c>Restore(other.Snapshot())</c> this inventory tracks the same records as
    /// <c>other</c>, answers <see cref="TryGetRequestReplicas"/> with the same replicas in the same order, and answers
    /// every later <see cref="AddProvisioned"/>, <see cref="Move"/> and <see cref="Remove"/> as <c>other</c> would; in
    /// particular a reservation is returned for release exactly when the last replica recorded under it leaves it, since
    /// the replicas sharing a reservation are counted from the records. A request's replicas are indexed in the order
    /// of <paramref name="records"/>.
    /// </para>
    /// <para>
    /// Restore before the inventory is used, before the host serves requests or runs the adjustment loop. It is refused
    /// once the inventory has changed at all (it tracks a replica, or <see cref="Version"/> is no longer 0), also when
    /// the replicas it tracked have all been removed since: a late call would drop replicas provisioned meanwhile, or
    /// bring back replicas released meanwhile, whose reservations the ledger no longer counts. It does not replace what
    /// the inventory holds; to start over, build a new inventory from the records. It is all or nothing: a record that
    /// fails validation leaves the inventory as it was. Restoring records adds one to <see cref="Version"/>; restoring
    /// none (an empty snapshot) changes nothing, leaves <see cref="Version"/> at 0, and so may be followed by another
    /// <see cref="Restore"/>. Restore each instance of the control plane from its own snapshot: replicas tracked by two
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
    /// A record is <see langword="null"/>, its region, replica id or reservation id is null, empty or white space, its
    /// shape is <see langword="null"/>, or its request key is empty or white space (<see langword="null"/> is allowed);
    /// or two records share a replica id. Nothing is restored then.
    /// </exception>
    /// <exception cref="InvalidOperationException">
    /// The inventory has been used: it tracks a replica, or <see cref="Version"/> is not 0. Nothing is restored.
    /// </exception>
    public void Restore(IEnumerable<ReplicaRecord> records)
    {
        var validated = Validate(records);
        lock (_gate)
        {
            if (_replicas.Count > 0 || _version != 0)
            {
                throw new InvalidOperationException(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"The inventory has been used (it tracks {_replicas.Count} replica(s), Version {_version}); restore it before it is used, or build a new one from the records."));
            }

            if (validated.Count == 0)
            {
                return; // nothing to restore: the inventory is as it was, and Version stays 0
            }

            Load(validated);
            Interlocked.Increment(ref _version);
        }
    }

    /// <summary>
    /// Gives <paramref name="requestKey"/> to those of <paramref name="replicaIds"/> that are tracked without a request
    /// key (restored from records persisted before records carried it), appending them to the request's replicas in the
    /// order given. What <see cref="ReplicaRequestHandler"/> calls when a region answered a request's provisioning key
    /// with replicas the inventory tracks: they are that request's, and once they carry its key a later resubmission
    /// is answered from the inventory (<see cref="TryGetRequestReplicas"/>) instead of being served afresh.
    /// </summary>
    /// <remarks>
    /// A replica tracked under another request's key keeps it, and an untracked id is skipped. Adds one to
    /// <see cref="Version"/> when a key was given (the snapshot changed), and nothing otherwise.
    /// </remarks>
    /// <returns>How many replicas were given the key.</returns>
    internal int AdoptRequestKey(IReadOnlyList<string> replicaIds, string requestKey)
    {
        ArgumentNullException.ThrowIfNull(replicaIds);
        ArgumentException.ThrowIfNullOrWhiteSpace(requestKey);
        lock (_gate)
        {
            var adopted = 0;
            for (var i = 0; i < replicaIds.Count; i++)
            {
                ref var slot = ref CollectionsMarshal.GetValueRefOrNullRef(_replicas, replicaIds[i]);
                if (Unsafe.IsNullRef(ref slot) || slot.Record.RequestKey is not null)
                {
                    continue;
                }

                slot.Record = slot.Record with { RequestKey = requestKey }; // a keyless replica is in no chain
                AppendLocked(requestKey, replicaIds[i]);
                adopted++;
            }

            if (adopted > 0)
            {
                Interlocked.Increment(ref _version);
            }

            return adopted;
        }
    }

    /// <summary>Gets the regions in which at least one replica is tracked.</summary>
    internal HashSet<string> TrackedRegions()
    {
        lock (_gate)
        {
            var regions = new HashSet<string>(StringComparer.Ordinal);
            foreach (var slot in _replicas.Values)
            {
                regions.Add(slot.Record.Region);
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
    /// <exception cref="ArgumentException">The replica is not tracked, or <paramref name="newReservation"/>'s id is empty.</exception>
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
        ThrowIfBlank(newReservation);
        lock (_gate)
        {
            ref var slot = ref CollectionsMarshal.GetValueRefOrNullRef(_replicas, replicaId);
            if (Unsafe.IsNullRef(ref slot))
            {
                vacated = null;
                return false;
            }

            var record = slot.Record;
            slot.Record = record with { Shape = newShape, Reservation = newReservation }; // keeps its request key and place
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
            if (!_replicas.Remove(replicaId, out var slot))
            {
                return null;
            }

            UnlinkLocked(slot);
            Interlocked.Increment(ref _version);
            return VacateLocked(slot.Record.Reservation);
        }
    }

    // Validates records and counts each reservation's occupants, without touching the inventory (all or nothing).
    private static List<ReplicaRecord> Validate(IEnumerable<ReplicaRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var validated = new List<ReplicaRecord>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
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

            if (record.RequestKey is not null)
            {
                RequireText(record.RequestKey, "RequestKey", record, index, nameof(records));
            }

            if (!ids.Add(record.ReplicaId))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Replica '{record.ReplicaId}' appears more than once (record {index})."), nameof(records));
            }

            validated.Add(record);
            index++;
        }

        return validated;
    }

    private static void ThrowIfBlank(ReservationId reservation, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(reservation))] string? paramName = null)
    {
        if (string.IsNullOrWhiteSpace(reservation.Value))
        {
            throw new ArgumentException("The reservation id is empty (a default ReservationId).", paramName);
        }
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

    // Takes over validated records, counting each reservation's occupants from them; the caller holds _gate or is the
    // constructor.
    private void Load(List<ReplicaRecord> records)
    {
        _occupants.Clear(); // empty already while no replica is tracked; cleared so the counts are exactly the records'
        _requests.Clear(); // likewise

        foreach (var record in records)
        {
            _replicas.Add(record.ReplicaId, new Slot(record));
            _occupants[record.Reservation] = _occupants.GetValueOrDefault(record.Reservation) + 1;
            if (record.RequestKey is not null)
            {
                AppendLocked(record.RequestKey, record.ReplicaId);
            }
        }
    }

    // Adds a tracked replica at the end of its request's chain.
    private void AppendLocked(string requestKey, string replicaId)
    {
        ref var chain = ref CollectionsMarshal.GetValueRefOrAddDefault(_requests, requestKey, out var exists);
        if (!exists)
        {
            chain = new Chain { First = replicaId, Last = replicaId, Count = 1 };
            return;
        }

        CollectionsMarshal.GetValueRefOrNullRef(_replicas, chain.Last).Next = replicaId; // Last is tracked
        CollectionsMarshal.GetValueRefOrNullRef(_replicas, replicaId).Previous = chain.Last; // added just before
        chain.Last = replicaId;
        chain.Count++;
    }

    // Takes a replica just removed from _replicas out of its request's chain.
    private void UnlinkLocked(in Slot removed)
    {
        if (removed.Record.RequestKey is not { } requestKey)
        {
            return;
        }

        ref var chain = ref CollectionsMarshal.GetValueRefOrNullRef(_requests, requestKey); // every keyed replica is in its chain
        if (chain.Count == 1)
        {
            _requests.Remove(requestKey);
            return;
        }

        if (removed.Previous is null)
        {
            chain.First = removed.Next!; // not the only one, and the first: a next exists
        }
        else
        {
            CollectionsMarshal.GetValueRefOrNullRef(_replicas, removed.Previous).Next = removed.Next;
        }

        if (removed.Next is null)
        {
            chain.Last = removed.Previous!; // not the only one, and the last: a previous exists
        }
        else
        {
            CollectionsMarshal.GetValueRefOrNullRef(_replicas, removed.Next).Previous = removed.Previous;
        }

        chain.Count--;
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

    // A tracked replica and its neighbours among its request's replicas (null at either end, and for a replica of no
    // request).
    private struct Slot(ReplicaRecord record)
    {
        public ReplicaRecord Record = record;
        public string? Previous;
        public string? Next;
    }

    // One request's replicas: the first and the last of its chain, and how many it links.
    private struct Chain
    {
        public string First;
        public string Last;
        public int Count;
    }
}
