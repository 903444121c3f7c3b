using Shaping.Forecasting.Evaluation;
using Shaping.Forecasting.Models;

namespace Shaping.Forecasting.Selection;

/// <summary>
/// Combines several forecasters into one: the per-step median, mean or inverse-validation-error weighted mean of
/// their forecasts. Combinations were most of the M4 competition's best hourly entries.
/// </summary>
/// <remarks>
/// <para>
/// <b>Point forecasts and quantiles</b> combine per step and per level in the same way (quantile averaging, or the
/// median of the members' quantiles), which keeps quantiles ordered. <b>Sample paths</b> are a mixture: each path
/// is drawn from one member, chosen with probability equal to its weight, so that the window distributions reflect
/// the disagreement between members as well as each member's own noise.
/// </para>
/// <para>
/// <b>Weights.</b> For <see cref="EnsembleCombination.InverseErrorWeighted"/>, each member is fitted on the history
/// without its last <see cref="ValidationLength"/> steps (fewer when the history is short, keeping m + 1 for
/// training) and weighted by max(sMAPE, 0.01)^−k, k = <see cref="WeightExponent"/>; with no room to validate, weights are equal.
/// </para>
/// <para>
/// <b>Failures.</b> A member whose fit throws <see cref="ArgumentException"/>, <see cref="InvalidOperationException"/>
/// or <see cref="ArithmeticException"/> is left out of that fit; the model's name lists the members used.
/// </para>
/// <para>
/// <b>Non-negative output.</b> Demand is non-negative: the combined means and quantiles and the members' sample paths
/// are floored at 0, so a member that forecasts negative load cannot pull the ensemble below 0.
/// </para>
/// <para><b>Thread safety:</b> stateless and thread-safe when the members are; the models are not thread-safe.</para>
/// </remarks>
public sealed class EnsembleForecaster : IForecaster
{
    private const double ErrorFloor = 0.01;
    private readonly IForecaster[] _members;

    /// <summary>Creates an ensemble.</summary>
    /// <param name="members">The forecasters to combine; at least one.</param>
    /// <param name="combination">How to combine them.</param>
    /// <param name="validationLength">The validation window for the weights, in steps; the default 48 is M4 hourly's horizon.</param>
    /// <param name="name">The method's short name; <see langword="null"/> for <c>Ensemble(&lt;combination&gt;)</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="members"/> is or holds <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="members"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="combination"/> is not defined or
    /// <paramref name="validationLength"/> is below 1.</exception>
    public EnsembleForecaster(
        IEnumerable<IForecaster> members, EnsembleCombination combination, int validationLength = 48, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(members);
        _members = [.. members];
        if (_members.Length == 0)
        {
            throw new ArgumentException("At least one member forecaster is needed.", nameof(members));
        }

        foreach (var member in _members)
        {
            ArgumentNullException.ThrowIfNull(member, nameof(members));
        }

        if (!Enum.IsDefined(combination))
        {
            throw new ArgumentOutOfRangeException(nameof(combination), combination, "Unknown combination.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(validationLength, 1);
        Combination = combination;
        ValidationLength = validationLength;
        Name = name ?? $"Ensemble({combination})";
    }

    /// <summary>Gets the method's short name.</summary>
    public string Name { get; }

    /// <summary>Gets the member forecasters.</summary>
    public IReadOnlyList<IForecaster> Members => _members;

    /// <summary>Gets how the members' forecasts are combined.</summary>
    public EnsembleCombination Combination { get; }

    /// <summary>Gets the validation window for the weights, in steps.</summary>
    public int ValidationLength { get; }

    /// <summary>Gets or initialises the exponent k of the inverse-error weights 1/sMAPEᵏ: higher values favour the best
    /// validated members more sharply (k = 0 gives equal weights).</summary>
    /// <value>The default value is 1.</value>
    public double WeightExponent
    {
        get;
        init
        {
            if (!(value >= 0 && double.IsFinite(value)))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The weight exponent must be finite and non-negative.");
            }

            field = value;
        }
    }

    = 1;

    /// <inheritdoc />
    public IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default)
    {
        BaselineMath.ValidateHistory(history, seasonalPeriod, nameof(history), nameof(seasonalPeriod));

        var errors = Combination == EnsembleCombination.InverseErrorWeighted
            ? ValidationErrors(history, seasonalPeriod, cancellationToken)
            : null;

        var models = new List<IForecastModel>(_members.Length);
        var weights = new List<double>(_members.Length);
        var fittedErrors = new List<double>(_members.Length);
        Exception? firstFailure = null;
        for (var i = 0; i < _members.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (errors is not null && double.IsNaN(errors[i]))
            {
                continue;
            }

            try
            {
                models.Add(_members[i].Fit(history, seasonalPeriod, cancellationToken));
                var error = errors is null ? 1 : Math.Max(errors[i], ErrorFloor);
                weights.Add(errors is null ? 1 : Math.Pow(error, -WeightExponent));
                fittedErrors.Add(error);
            }
            catch (Exception exception) when (BaselineMath.IsFitFailure(exception))
            {
                firstFailure ??= exception;
            }
        }

        if (models.Count == 0)
        {
            throw new InvalidOperationException("Every member of the ensemble failed to fit.", firstFailure);
        }

        var total = weights.Sum();
        if (!(total > 0 && double.IsFinite(total)))
        {
            // A large exponent overflows error^-k to +inf (or underflows it to 0) and inf / inf would be NaN; the same
            // weights relative to the largest one, (min error / error)^k, are at most 1 and the largest is exactly 1.
            var best = fittedErrors.Min();
            for (var i = 0; i < weights.Count; i++)
            {
                weights[i] = Math.Pow(best / fittedErrors[i], WeightExponent);
            }

            total = weights.Sum();
        }

        return new EnsembleModel(
            Name, [.. models], [.. weights.Select(w => w / total)], Combination == EnsembleCombination.Median, seasonalPeriod, history.Length);
    }

    /// <summary>Each member's sMAPE on the validation window; NaN for a member that failed; all 1 with no room to validate.</summary>
    private double[] ValidationErrors(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken)
    {
        var errors = new double[_members.Length];
        var window = Math.Min(ValidationLength, history.Length - (seasonalPeriod + 1));
        if (window < 1)
        {
            Array.Fill(errors, 1);
            return errors;
        }

        var train = history[..^window];
        var actual = history[^window..];
        var forecast = new double[window];
        for (var i = 0; i < _members.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                _members[i].Fit(train, seasonalPeriod, cancellationToken).ForecastMean(forecast);
                var error = ForecastMetrics.Smape(actual, forecast);
                errors[i] = double.IsFinite(error) ? error : double.NaN;
            }
            catch (Exception exception) when (BaselineMath.IsFitFailure(exception))
            {
                errors[i] = double.NaN;
            }
        }

        if (Array.TrueForAll(errors, double.IsNaN))
        {
            Array.Fill(errors, 1);
        }

        return errors;
    }
}
