using Shaping.Core.Resources;

namespace Shaping.Core.Capacity;

/// <summary>What to reserve: a number of replicas of one shape in one region.</summary>
/// <param name="Id">The reservation id; the idempotency key of every later operation on it.</param>
/// <param name="Region">The region name.</param>
/// <param name="ShapeName">The shape being reserved (for accounting and for reports).</param>
/// <param name="PerReplica">The capacity of one replica, in each dimension's unit.</param>
/// <param name="Replicas">The number of replicas; at least 1.</param>
/// <param name="TimeToLive">How long the reservation holds before it expires unless committed; positive.</param>
public readonly record struct ReservationRequest(
    ReservationId Id,
    string Region,
    string ShapeName,
    ResourceVector PerReplica,
    int Replicas,
    TimeSpan TimeToLive)
{
    /// <summary>Gets the total amount reserved: <see cref="PerReplica"/> × <see cref="Replicas"/>.</summary>
    public ResourceVector Total => PerReplica * Replicas;
}
