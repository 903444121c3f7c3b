using System.Diagnostics;
using Shaping.Forecasting;

namespace Shaping.Accuracy.EngineReplay;

/// <summary>Passes fits to another forecaster and adds up their wall time, so a report can say where a replay's time went.</summary>
internal sealed class TimedForecaster(IForecaster inner) : IForecaster
{
    private long _ticks;

    public string Name => inner.Name;

    public int Fits { get; private set; }

    public TimeSpan FitTime => Stopwatch.GetElapsedTime(0, _ticks);

    public IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return inner.Fit(history, seasonalPeriod, cancellationToken);
        }
        finally
        {
            _ticks += Stopwatch.GetTimestamp() - started;
            Fits++;
        }
    }
}
