using Shaping.Forecasting.Models;

namespace Shaping.Forecasting.Tests.Engine;

/// <summary>
/// Seasonal naive, with models that call <see cref="AfterSimulation"/> after each path simulation, so a test can act
/// while a refresh is simulating (under the region's gate, on the refreshing thread).
/// </summary>
internal sealed class SimulationHookForecaster : IForecaster
{
    private readonly SeasonalNaiveForecaster _inner = new();

    /// <summary>Gets what each simulation's paths go through before <see cref="AfterSimulation"/>; <see langword="null"/> for nothing.</summary>
    public PathTransform? Transform { get; init; }

    /// <summary>Gets or sets what to run after a simulation; it receives the number of simulations so far.</summary>
    public Action<int>? AfterSimulation { get; set; }

    public int Simulations { get; private set; }

    public string Name => _inner.Name;

    public IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default) =>
        new HookedModel(_inner.Fit(history, seasonalPeriod, cancellationToken), this);

    private sealed class HookedModel(IForecastModel inner, SimulationHookForecaster owner) : IForecastModel
    {
        public string Name => inner.Name;

        public int SeasonalPeriod => inner.SeasonalPeriod;

        public FitSummary Summary => inner.Summary;

        public void ForecastMean(Span<double> destination) => inner.ForecastMean(destination);

        public Forecast Forecast(int horizon, ReadOnlySpan<double> levels) => inner.Forecast(horizon, levels);

        public void SimulatePaths(Span<double> paths, int horizon, Random random)
        {
            inner.SimulatePaths(paths, horizon, random);
            owner.Transform?.Invoke(paths, horizon);
            owner.Simulations++;
            owner.AfterSimulation?.Invoke(owner.Simulations);
        }

        public void Update(double observation) => inner.Update(observation);
    }
}

/// <summary>Changes simulated paths in place (path-major: path p's step h at p × horizon + h).</summary>
internal delegate void PathTransform(Span<double> paths, int horizon);
