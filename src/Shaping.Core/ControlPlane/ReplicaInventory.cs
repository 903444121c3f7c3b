using System.Diagnostics.CodeAnalysis;
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
/// <para><b>Thread safety:</b> all members are safe to call concurrently.</para>
/// </remarks>
public sealed class ReplicaInventory
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ReplicaRecord> _replicas = new(StringComparer.Ordinal);
    private readonly Dictionary<ReservationId, int> _occupants = [];

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
            foreach (var id in replicaIds)
            {
                if (_replicas.ContainsKey(id))
                {
                    throw new ArgumentException($"Replica '{id}' is already tracked.", nameof(replicaIds));
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

            _occupants[reservation] = _occupants.GetValueOrDefault(reservation) + replicaIds.Count;
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

    /// <summary>Gets a snapshot of every tracked replica.</summary>
    /// <returns>The replicas, in no particular order.</returns>
    public IReadOnlyList<ReplicaRecord> Snapshot()
    {
        lock (_gate)
        {
            return [.. _replicas.Values];
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
            return _replicas.Remove(replicaId, out var record) ? VacateLocked(record.Reservation) : null;
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
