using Shaping.Forecasting.Models;

namespace Shaping.Forecasting.Tests.Engine;

/// <summary>
/// Seasonal naive whose sample paths are moved towards (factor &lt; 1) or away from (factor &gt; 1) their per-step
/// mean: a model that under- or over-states its spread by a known factor, while its centre stays right.
/// </summary>
internal sealed class SpreadScalingForecaster(double factor) : IForecaster
{
    private readonly SimulationHookForecaster _inner = new() { Transform = (paths, horizon) => Scale(paths, horizon, factor) };

    public string Name => _inner.Name;

    public IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default) =>
        _inner.Fit(history, seasonalPeriod, cancellationToken);

    private static void Scale(Span<double> paths, int horizon, double factor)
    {
        var count = paths.Length / horizon;
        for (var h = 0; h < horizon; h++)
        {
            var mean = 0.0;
            for (var p = 0; p < count; p++)
            {
                mean += paths[(p * horizon) + h] / count;
            }

            for (var p = 0; p < count; p++)
            {
                ref var value = ref paths[(p * horizon) + h];
                value = mean + (factor * (value - mean));
            }
        }
    }
}
