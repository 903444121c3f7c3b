using System.Globalization;

namespace Shaping.Simulation;

/// <summary>Summary metrics of one backtest run; see <see cref="BacktestResult"/> for the definitions.</summary>
/// <param name="TotalCost">Σ replicas × price per hour × interval hours, in currency.</param>
/// <param name="AverageSlack">Mean share of provisioned capacity left unused, in [0, 1]; 1 when the series demands nothing.</param>
/// <param name="UnderProvisionedShare">Share of intervals with demand above capacity in some dimension, in [0, 1].</param>
/// <param name="WorstShortfall">Largest (demand − capacity) / demand over intervals and dimensions, in [0, 1].</param>
/// <param name="ShapeSwitchesPerReplicaDay">Replica shape switches per replica-day run.</param>
/// <param name="ForecastCoverage">Share of forecast intervals that contained the actual demand; NaN without forecasts.</param>
/// <param name="ReplicaHours">Σ replicas × interval hours.</param>
/// <param name="MeanReplicas">The average replica count.</param>
/// <param name="Intervals">The number of intervals replayed.</param>
public readonly record struct BacktestMetrics(
    double TotalCost,
    double AverageSlack,
    double UnderProvisionedShare,
    double WorstShortfall,
    double ShapeSwitchesPerReplicaDay,
    double ForecastCoverage,
    double ReplicaHours,
    double MeanReplicas,
    int Intervals)
{
    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"cost {TotalCost:0.##}, slack {AverageSlack:P1}, under {UnderProvisionedShare:P2}, worst shortfall {WorstShortfall:P1}, switches/replica-day {ShapeSwitchesPerReplicaDay:0.###}");
}
