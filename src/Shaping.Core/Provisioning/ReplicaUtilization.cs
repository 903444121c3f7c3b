using Shaping.Core.Resources;

namespace Shaping.Core.Provisioning;

/// <summary>One observation of what a running replica uses.</summary>
/// <param name="Region">The region name.</param>
/// <param name="ReplicaId">The replica.</param>
/// <param name="ShapeName">The shape the replica runs on.</param>
/// <param name="Timestamp">When the observation was taken.</param>
/// <param name="Used">What the replica used, in absolute units (cores, GiB, GiB, Gbps); divide by the shape's capacity for utilisation.</param>
public readonly record struct ReplicaUtilization(
    string Region, string ReplicaId, string ShapeName, DateTimeOffset Timestamp, ResourceVector Used);
