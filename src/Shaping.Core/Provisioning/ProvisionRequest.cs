using Shaping.Core.Shapes;

namespace Shaping.Core.Provisioning;

/// <summary>A request to a region's control plane to create replicas of a shape.</summary>
/// <param name="IdempotencyKey">The key that makes retries safe: the same key never provisions twice.</param>
/// <param name="Region">The region name.</param>
/// <param name="Shape">The shape of each replica.</param>
/// <param name="Replicas">How many replicas; at least 1.</param>
public readonly record struct ProvisionRequest(string IdempotencyKey, string Region, ResourceShape Shape, int Replicas);
