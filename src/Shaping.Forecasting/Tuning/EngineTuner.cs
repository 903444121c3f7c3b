using Shaping.Forecasting.Models;

namespace Shaping.Forecasting.Tuning;

/// <summary>
/// Tunes the Predictive Load Engine's hyperparameters — model family, training window, seasonal period and safety
/// quantile — by Bayesian optimisation (<see cref="BayesianOptimizer"/>) of the provisioning cost in a
/// rolling-origin backtest, warm-started from the last best setting.
/// </summary>
/// <remarks>
/// <para>
/// <b>Backtest.</b> From each origin (every <see cref="OriginStride"/> steps inside the scored range), the family is
/// fitted on the preceding <see cref="EngineTuning.TrainingWindow"/> steps and forecasts <see cref="Horizon"/> steps
/// at the safety quantile; capacity is provisioned at that quantile. Each step costs the idle capacity
/// max(0, c − y) plus <see cref="UnderProvisionPenalty"/> × the unmet demand max(0, y − c); the score is the total
/// cost divided by the total demand (so 0.10 means waste and penalties worth 10 % of the load). With penalty k the
/// ideal quantile of a calibrated forecast is k/(k + 1); tuning the quantile corrects for miscalibration.
/// </para>
/// <para>
/// A fit that throws counts as a failed evaluation (the optimiser steers away from it). Score a setting with
/// <see cref="Evaluate"/>, for example the current one before tuning and the tuned one on later data.
/// </para>
/// <para><b>Thread safety:</b> stateless after construction and thread-safe when the families are.</para>
/// </remarks>
public sealed class EngineTuner
{
    private readonly IForecaster[] _families;
    private readonly int[] _periods;

    /// <summary>Creates a tuner.</summary>
    /// <param name="families">The model families to choose from; at least one.</param>
    /// <param name="seasonalPeriods">The seasonal periods to choose from, in steps; at least one, each at least 1.</param>
    /// <param name="minimumWindow">The shortest training window, in steps; at least 2.</param>
    /// <param name="maximumWindow">The longest training window, in steps; above <paramref name="minimumWindow"/>.</param>
    /// <param name="horizon">The steps forecast from each origin; at least 1.</param>
    /// <exception cref="ArgumentNullException">A collection is or holds <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A collection is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A number is out of range.</exception>
    public EngineTuner(
        IEnumerable<IForecaster> families, IEnumerable<int> seasonalPeriods, int minimumWindow, int maximumWindow, int horizon)
    {
        ArgumentNullException.ThrowIfNull(families);
        ArgumentNullException.ThrowIfNull(seasonalPeriods);
        _families = [.. families];
        _periods = [.. seasonalPeriods];
        if (_families.Length == 0)
        {
            throw new ArgumentException("At least one model family is needed.", nameof(families));
        }

        foreach (var family in _families)
        {
            ArgumentNullException.ThrowIfNull(family, nameof(families));
        }

        if (_periods.Length == 0)
        {
            throw new ArgumentException("At least one seasonal period is needed.", nameof(seasonalPeriods));
        }

        foreach (var period in _periods)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(period, 1, nameof(seasonalPeriods));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(minimumWindow, 2);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maximumWindow, minimumWindow);
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        MinimumWindow = minimumWindow;
        MaximumWindow = maximumWindow;
        Horizon = horizon;
    }

    /// <summary>Gets the model families, by <see cref="EngineTuning.FamilyIndex"/>.</summary>
    public IReadOnlyList<IForecaster> Families => _families;

    /// <summary>Gets the seasonal periods to choose from, in steps.</summary>
    public IReadOnlyList<int> SeasonalPeriods => _periods;

    /// <summary>Gets the shortest training window, in steps.</summary>
    public int MinimumWindow { get; }

    /// <summary>Gets the longest training window, in steps.</summary>
    public int MaximumWindow { get; }

    /// <summary>Gets the steps forecast from each origin.</summary>
    public int Horizon { get; }

    /// <summary>Gets or initialises the steps between backtest origins; at least 1 (0 would never move the origin on).</summary>
    /// <value>The default value is 24.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1.</exception>
    public int OriginStride
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(OriginStride));
            field = value;
        }
    } = 24;

    /// <summary>Gets or initialises the cost of one unit of unmet demand, relative to one unit of idle capacity; finite
    /// and positive (a NaN made every score NaN).</summary>
    /// <value>The default value is 9 (ideal quantile 0.9).</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is NaN, infinite, zero or negative.</exception>
    public double UnderProvisionPenalty
    {
        get;
        init
        {
            if (!(value > 0 && double.IsFinite(value)))
            {
                throw new ArgumentOutOfRangeException(nameof(UnderProvisionPenalty), value, "The under-provision penalty must be finite and positive.");
            }

            field = value;
        }
    } = 9;

    /// <summary>Gets or initialises the lowest safety quantile searched; inside (0, 1) and below
    /// <see cref="MaximumQuantile"/> (checked when <see cref="Tune"/> runs, since either may be set first).</summary>
    /// <value>The default value is 0.5.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not inside (0, 1).</exception>
    public double MinimumQuantile
    {
        get;
        init => field = CheckQuantile(value, nameof(MinimumQuantile));
    } = 0.5;

    /// <summary>Gets or initialises the highest safety quantile searched; inside (0, 1) (a quantile of 1 is an infinite
    /// bound, which scored every setting +∞) and above <see cref="MinimumQuantile"/>.</summary>
    /// <value>The default value is 0.995.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not inside (0, 1).</exception>
    public double MaximumQuantile
    {
        get;
        init => field = CheckQuantile(value, nameof(MaximumQuantile));
    } = 0.995;

    private static double CheckQuantile(double value, string name) =>
        value > 0 && value < 1 ? value : throw new ArgumentOutOfRangeException(name, value, "A safety quantile must be inside (0, 1).");

    /// <summary>
    /// Scores a setting: the provisioning cost per unit of demand in a rolling-origin backtest whose forecast steps
    /// lie in <c>[scoreStart, scoreEnd)</c>.
    /// </summary>
    /// <param name="series">The whole series, oldest first; finite and non-negative.</param>
    /// <param name="scoreStart">The first step scored; the origins start here.</param>
    /// <param name="scoreEnd">One past the last step scored.</param>
    /// <param name="setting">The setting to score.</param>
    /// <param name="cancellationToken">Cancels between fits.</param>
    /// <returns>The cost per unit of demand; +∞ when a fit fails.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="setting"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range is empty or outside the series, or the setting's
    /// family index is out of range or its safety quantile is not inside (0, 1).</exception>
    /// <exception cref="ArgumentException">A series value before <paramref name="scoreEnd"/> is NaN, infinite, negative or
    /// above <see cref="ForecastLimits.MaximumObservation"/>.</exception>
    public double Evaluate(ReadOnlySpan<double> series, int scoreStart, int scoreEnd, EngineTuning setting, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(setting);
        ArgumentOutOfRangeException.ThrowIfLessThan(scoreStart, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(scoreEnd, series.Length);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(scoreEnd, scoreStart);
        if (!(setting.SafetyQuantile > 0 && setting.SafetyQuantile < 1))
        {
            // Checked here: inside the backtest the forecast's level check would count as a failed fit (+∞).
            throw new ArgumentOutOfRangeException(
                nameof(setting), setting, $"The safety quantile {setting.SafetyQuantile} must be inside (0, 1).");
        }

        BaselineMath.ValidateValues(series[..scoreEnd], "Series", nameof(series));

        var forecaster = setting.CreateForecaster(_families);
        double[] level = [setting.SafetyQuantile];
        var cost = 0.0;
        var demand = 0.0;
        for (var origin = scoreStart; origin < scoreEnd; origin += OriginStride)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var steps = Math.Min(Horizon, scoreEnd - origin);
            Forecast forecast;
            try
            {
                forecast = forecaster.Fit(series[..origin], setting.SeasonalPeriod, cancellationToken).Forecast(steps, level);
            }
            catch (Exception exception) when (BaselineMath.IsFitFailure(exception))
            {
                return double.PositiveInfinity;
            }

            var capacity = forecast.Quantile(0);
            for (var h = 0; h < steps; h++)
            {
                var y = series[origin + h];
                var c = capacity[h];
                cost += c >= y ? c - y : UnderProvisionPenalty * (y - c);
                demand += y;
            }
        }

        return demand > 0 ? cost / demand : cost;
    }

    /// <summary>
    /// Searches for the setting with the lowest backtest cost over <c>[scoreStart, scoreEnd)</c>, spending
    /// <paramref name="evaluations"/> backtests; the warm start, when given, is scored first and seeds the search.
    /// </summary>
    /// <param name="series">The whole series, oldest first; finite and non-negative.</param>
    /// <param name="scoreStart">The first step scored.</param>
    /// <param name="scoreEnd">One past the last step scored.</param>
    /// <param name="evaluations">The backtests to spend, including the warm start's; at least 1.</param>
    /// <param name="warmStart">The last best setting, or <see langword="null"/>.</param>
    /// <param name="seed">The optimiser's seed.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>The best setting found and its cost.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range, the warm start lies outside the space, or
    /// <see cref="MaximumQuantile"/> is not above <see cref="MinimumQuantile"/>.</exception>
    /// <exception cref="ArgumentException">A series value before <paramref name="scoreEnd"/> is NaN, infinite, negative or
    /// above <see cref="ForecastLimits.MaximumObservation"/>.</exception>
    /// <exception cref="InvalidOperationException">Every backtest failed.</exception>
    public (EngineTuning Best, double Cost) Tune(
        ReadOnlySpan<double> series, int scoreStart, int scoreEnd, int evaluations, EngineTuning? warmStart = null, int seed = 0,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(evaluations, 1);
        if (!(MaximumQuantile > MinimumQuantile))
        {
            // Named after the setting at fault, as the init accessors do; the pair can only be checked once both are set.
#pragma warning disable CA2208
            throw new ArgumentOutOfRangeException(
                nameof(MaximumQuantile), MaximumQuantile, $"The highest safety quantile must be above the lowest, {MinimumQuantile}.");
#pragma warning restore CA2208
        }

        var optimizer = new BayesianOptimizer(
        [
            SearchDimension.Categorical("family", Math.Max(2, _families.Length)),
            SearchDimension.Discrete("window", MinimumWindow, MaximumWindow),
            SearchDimension.Categorical("period", Math.Max(2, _periods.Length)),
            SearchDimension.Continuous("quantile", MinimumQuantile, MaximumQuantile),
        ], seed);
        var copy = series.ToArray();
        var spent = 0;
        if (warmStart is not null)
        {
            var periodIndex = Array.IndexOf(_periods, warmStart.SeasonalPeriod);
            if (periodIndex < 0 || warmStart.FamilyIndex >= _families.Length || warmStart.TrainingWindow < MinimumWindow
                || warmStart.TrainingWindow > MaximumWindow || warmStart.SafetyQuantile < MinimumQuantile || warmStart.SafetyQuantile > MaximumQuantile)
            {
                throw new ArgumentOutOfRangeException(nameof(warmStart), warmStart, "The warm start lies outside the search space.");
            }

            optimizer.Tell(
                [warmStart.FamilyIndex, warmStart.TrainingWindow, periodIndex, warmStart.SafetyQuantile],
                Evaluate(copy, scoreStart, scoreEnd, warmStart, cancellationToken));
            spent = 1;
        }

        if (evaluations > spent)
        {
            optimizer.Minimize(p => Score(copy, scoreStart, scoreEnd, p, cancellationToken), evaluations - spent, cancellationToken);
        }

        if (optimizer.BestPoint is null)
        {
            throw new InvalidOperationException("Every backtest failed.");
        }

        return (ToSetting(optimizer.BestPoint), optimizer.BestValue);
    }

    private double Score(double[] series, int scoreStart, int scoreEnd, double[] point, CancellationToken cancellationToken)
    {
        // A padding choice (one family or period offered as two categories) is scored as a failure.
        if ((int)point[0] >= _families.Length || (int)point[2] >= _periods.Length)
        {
            return double.PositiveInfinity;
        }

        return Evaluate(series, scoreStart, scoreEnd, ToSetting(point), cancellationToken);
    }

    private EngineTuning ToSetting(IReadOnlyList<double> point) =>
        new((int)point[0], (int)point[1], _periods[Math.Min((int)point[2], _periods.Length - 1)], point[3]);
}
