namespace Shaping.Forecasting.Engine;

/// <summary>What the <see cref="PredictiveLoadEngine"/> knows about one region.</summary>
/// <param name="Region">The region.</param>
/// <param name="Steps">How many closed steps of history it holds.</param>
/// <param name="Models">The model fitted per dimension (cpu, memory, storage, network), or <c>none</c>.</param>
/// <param name="LastFit">When the models were last fitted.</param>
/// <param name="LastRefresh">When the profiles were last recomputed.</param>
/// <param name="FallbackReason">Why lookups fall back, when they do.</param>
/// <param name="GapsFilled">How many missing steps were filled, over all dimensions.</param>
/// <param name="LateDropped">How many observations came too late to keep, over all dimensions.</param>
public sealed record EngineRegionStatus(
    string Region,
    int Steps,
    IReadOnlyList<string> Models,
    DateTimeOffset? LastFit,
    DateTimeOffset? LastRefresh,
    string? FallbackReason,
    long GapsFilled,
    long LateDropped)
{
    /// <summary>
    /// Gets how many of the region's observations were stamped more than
    /// <see cref="PredictiveLoadEngineOptions.MaxClockSkew"/> ahead of the engine's clock and recorded at that limit.
    /// </summary>
    public long FutureObservationsClamped { get; init; }

    /// <summary>
    /// Gets how many times the region's series restarted because a gap (in time between observations) was at least
    /// <see cref="PredictiveLoadEngineOptions.MaximumHistory"/> steps long; each restart drops the history and the
    /// models, so the region falls back until it has the minimum history again.
    /// </summary>
    public long Restarts { get; init; }
}
