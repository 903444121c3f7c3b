namespace Shaping.Forecasting.Models;

/// <summary>
/// Runs another forecaster with a fixed seasonal period instead of the one the caller passes: for example seasonal
/// naive over a week (168 hourly steps) as an ensemble member or a tuning choice next to the daily period.
/// </summary>
/// <remarks>The models report the fixed period as their <see cref="IForecastModel.SeasonalPeriod"/>. Stateless and
/// thread-safe when the inner forecaster is.</remarks>
public sealed class FixedPeriodForecaster : IForecaster
{
    private readonly IForecaster _inner;

    /// <summary>Creates the forecaster.</summary>
    /// <param name="inner">The forecaster to run.</param>
    /// <param name="seasonalPeriod">The period passed to it, in steps; at least 1.</param>
    /// <exception cref="ArgumentNullException"><paramref name="inner"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seasonalPeriod"/> is below 1.</exception>
    public FixedPeriodForecaster(IForecaster inner, int seasonalPeriod)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(seasonalPeriod, 1);
        _inner = inner;
        SeasonalPeriod = seasonalPeriod;
    }

    /// <summary>Gets the fixed seasonal period, in steps.</summary>
    public int SeasonalPeriod { get; }

    /// <summary>Gets the name, the inner forecaster's name with the period, for example <c>SeasonalNaive@168</c>.</summary>
    public string Name => $"{_inner.Name}@{SeasonalPeriod}";

    /// <inheritdoc />
    /// <remarks><paramref name="seasonalPeriod"/> is validated and then replaced by <see cref="SeasonalPeriod"/>.</remarks>
    public IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seasonalPeriod, 1);
        return _inner.Fit(history, SeasonalPeriod, cancellationToken);
    }
}
