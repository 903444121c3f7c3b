using System.Collections.Immutable;

namespace Shaping.Simulation;

/// <summary>The outcome of replaying one demand series through one policy.</summary>
/// <remarks>
/// <para>
/// <b>Slack</b> is averaged over intervals and over the dimensions the series ever demands (a dimension that is
/// zero throughout, such as storage in a CPU trace, is left out): per dimension
/// <c>(provisioned − min(demand, provisioned)) / provisioned</c>; it is 1 for a series that demands nothing at all (every
/// unit provisioned is unused). <b>Under-provisioned</b> intervals have demand
/// above capacity in at least one dimension. <b>Worst shortfall</b> is the largest
/// <c>(demand − provisioned) / demand</c> over intervals and dimensions (0 when never short).
/// <b>Shape switches per replica-day</b> counts, at every interval whose shape differs from the previous one, the
/// replicas that run the new shape, divided by the replica-days run. <b>Forecast coverage</b> is the share of
/// intervals whose actual demand fell inside the policy's forecast interval, over the intervals that had one; NaN
/// for a policy that does not forecast.
/// </para>
/// </remarks>
public sealed class BacktestResult
{
    internal BacktestResult(
        string policy, string series, TimeSpan step, ImmutableArray<BacktestStep> steps, BacktestMetrics metrics)
    {
        Policy = policy;
        Series = series;
        Step = step;
        Steps = steps;
        Metrics = metrics;
    }

    /// <summary>Gets the policy's name.</summary>
    public string Policy { get; }

    /// <summary>Gets the demand series' name.</summary>
    public string Series { get; }

    /// <summary>Gets the interval length.</summary>
    public TimeSpan Step { get; }

    /// <summary>Gets every interval, in time order.</summary>
    public ImmutableArray<BacktestStep> Steps { get; }

    /// <summary>Gets the run's summary metrics.</summary>
    public BacktestMetrics Metrics { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Policy} on {Series}: {Metrics}";
}
