using Shaping.Forecasting.Models;

namespace Shaping.Forecasting.Tests.Engine;

/// <summary>
/// Seasonal naive, except that a history starting with <see cref="Marker"/> gets a model whose path simulation
/// throws an exception type the engine does not expect.
/// </summary>
internal sealed class FailingForecaster : IForecaster
{
    public const double Marker = 999;

    private readonly SeasonalNaiveForecaster _inner = new();

    public string Name => _inner.Name;

    public IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default)
    {
        var model = _inner.Fit(history, seasonalPeriod, cancellationToken);
        return history.Length > 0 && history[0] == Marker ? new ThrowingModel(model) : model;
    }

    private sealed class ThrowingModel(IForecastModel inner) : IForecastModel
    {
        public string Name => inner.Name;

        public int SeasonalPeriod => inner.SeasonalPeriod;

        public FitSummary Summary => inner.Summary;

        public void ForecastMean(Span<double> destination) => inner.ForecastMean(destination);

        public Forecast Forecast(int horizon, ReadOnlySpan<double> levels) => inner.Forecast(horizon, levels);

        public void SimulatePaths(Span<double> paths, int horizon, Random random) => throw new NotSupportedException("simulation broke");

        public void Update(double observation) => inner.Update(observation);
    }
}
