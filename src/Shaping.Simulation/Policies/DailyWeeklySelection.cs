using Shaping.Forecasting;
using Shaping.Forecasting.Models;
using Shaping.Forecasting.Selection;

namespace Shaping.Simulation.Policies;

/// <summary>
/// The predictive policy's default forecaster: a validated selection between seasonal naive and AutoEts at the
/// seasonal period, joined by seasonal naive at a week once the history can validate that candidate as itself: a
/// week + 1 buckets of training before a validation window of at least <see cref="MinimumValidation"/> (up to
/// <see cref="ValidationLength"/>) buckets. Offered earlier, a weekly seasonal naive would fall back to plain naive in
/// the validation and then be deployed as the weekly model it was never scored as.
/// </summary>
/// <remarks>Keeps no state between fits, so one instance serves every dimension's track.</remarks>
internal sealed class DailyWeeklySelection : IForecaster
{
    /// <summary>The validation window the selection uses when the history allows it: 48 buckets.</summary>
    public const int ValidationLength = 48;

    /// <summary>The shortest validation window the weekly candidate is offered with: 24 buckets.</summary>
    public const int MinimumValidation = 24;

    private readonly int _week;
    private readonly ValidatedSelectionForecaster _daily;

    /// <summary>Creates the selection.</summary>
    /// <param name="week">A week in buckets, at least 2.</param>
    public DailyWeeklySelection(int week)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(week, 2);
        _week = week;
        _daily = new ValidatedSelectionForecaster([new SeasonalNaiveForecaster(), new AutoEtsForecaster()], ValidationLength);
    }

    /// <inheritdoc/>
    public string Name => "DailyWeeklySelection";

    /// <summary>Gets the shortest history whose fits include the weekly candidate: a week + 1 + <see cref="MinimumValidation"/>.</summary>
    public long WeeklyFrom => (long)_week + 1 + MinimumValidation;

    /// <inheritdoc/>
    public IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default)
    {
        if (_week <= seasonalPeriod || history.Length - _week - 1 < MinimumValidation)
        {
            return _daily.Fit(history, seasonalPeriod, cancellationToken);
        }

        // The window leaves the weekly candidate at least a week + 1 buckets of training.
        var validation = Math.Min(ValidationLength, history.Length - _week - 1);
        var withWeekly = new ValidatedSelectionForecaster(
            [new SeasonalNaiveForecaster(), new AutoEtsForecaster(), new FixedPeriodForecaster(new SeasonalNaiveForecaster(), _week)],
            validation);
        return withWeekly.Fit(history, seasonalPeriod, cancellationToken);
    }
}
