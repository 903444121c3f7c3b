using Shaping.Forecasting;
using Shaping.Forecasting.Models;
using Shaping.Forecasting.Selection;

namespace Shaping.Simulation.Policies;

/// <summary>
/// The predictive policy's default forecaster: a validated selection between seasonal naive and AutoEts at the
/// seasonal period, joined by seasonal naive at a week once the history is long enough to validate that candidate as
/// itself (a week + 1 buckets of training before the validation window). Earlier, a weekly seasonal naive would fall
/// back to plain naive in the validation and then be deployed as the weekly model it was never scored as.
/// </summary>
internal sealed class DailyWeeklySelection : IForecaster
{
    private const int ValidationLength = 48;
    private readonly int _week;
    private readonly ValidatedSelectionForecaster _daily;
    private readonly ValidatedSelectionForecaster _withWeekly;

    /// <summary>Creates the selection.</summary>
    /// <param name="week">A week in buckets, at least 2.</param>
    public DailyWeeklySelection(int week)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(week, 2);
        _week = week;
        _daily = new ValidatedSelectionForecaster([new SeasonalNaiveForecaster(), new AutoEtsForecaster()], ValidationLength);
        _withWeekly = new ValidatedSelectionForecaster(
            [new SeasonalNaiveForecaster(), new AutoEtsForecaster(), new FixedPeriodForecaster(new SeasonalNaiveForecaster(), week)],
            ValidationLength);
    }

    /// <inheritdoc/>
    public string Name => "DailyWeeklySelection";

    /// <summary>Gets the shortest history whose fits include the weekly candidate: a week + 1 + the validation window.</summary>
    public int WeeklyFrom => _week + 1 + ValidationLength;

    /// <inheritdoc/>
    public IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default) =>
        _week > seasonalPeriod && history.Length >= WeeklyFrom
            ? _withWeekly.Fit(history, seasonalPeriod, cancellationToken)
            : _daily.Fit(history, seasonalPeriod, cancellationToken);
}
