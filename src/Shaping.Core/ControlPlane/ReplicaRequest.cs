namespace Shaping.Core.ControlPlane;

/// <summary>A client's request for replicas in a region.</summary>
/// <param name="Region">The region wanted first; not empty.</param>
/// <param name="Replicas">How many replicas; at least 1. The region's predicted load is split evenly among them.</param>
/// <param name="ExpectedDuration">How long the replicas are expected to run: the prediction window and the cost horizon; positive.</param>
/// <param name="IdempotencyKey">
/// The caller's key for this request, unique per logical request; not empty. Every provisioning call derives its key
/// from it, so a caller that retries the same request (with the same key) never gets the replicas twice.
/// </param>
public sealed record ReplicaRequest(string Region, int Replicas, TimeSpan ExpectedDuration, string IdempotencyKey)
{
    /// <summary>Gets the cost/performance trade-off for this request, overriding the handler's default policy.</summary>
    /// <value>In [0, 1]: 0 picks the cheapest feasible shape, 1 the best performing; <see langword="null"/> (the default) keeps the default.</value>
    public double? Tradeoff { get; init; }

    /// <summary>Gets the regions to try, in order, when the primary region can't serve the request.</summary>
    /// <value>The default value is <see langword="null"/> (no failover).</value>
    public IReadOnlyList<string>? FailoverRegions { get; init; }
}
