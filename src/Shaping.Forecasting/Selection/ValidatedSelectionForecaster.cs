using Shaping.Forecasting.Evaluation;
using Shaping.Forecasting.Models;

namespace Shaping.Forecasting.Selection;

/// <summary>
/// Chooses per series among candidate forecasters by their error on a validation window at the end of the
/// history, then refits the winner on the whole history: the engine's default forecaster.
/// </summary>
/// <remarks>
/// <para>
/// Each candidate is fitted on the history without its last <see cref="ValidationLength"/> values, forecasts that
/// window, and is scored by <see cref="Metric"/>. The lowest error wins; ties go to the earlier candidate. A
/// sophisticated model that loses to seasonal naive on a series is therefore not used for it, provided seasonal
/// naive is among the candidates (it should be; put it first so it also wins ties and short histories).
/// </para>
/// <para>
/// <b>Short histories:</b> the training part keeps at least m + 1 values (one season and one step); when the
/// history is too short for the full window, the window shrinks to what is left, and when nothing is left (a
/// history of at most m + 1 values) the first candidate is used without validation.
/// </para>
/// <para>
/// The returned model is the winner's own model, so its <see cref="IForecastModel.Name"/> says which candidate
/// won. A fit costs one fit per candidate plus one refit.
/// </para>
/// <para>
/// <b>Failing candidates:</b> a candidate whose fit or forecast on the training part throws an
/// <see cref="ArgumentException"/>, <see cref="InvalidOperationException"/> or <see cref="ArithmeticException"/> (one
/// that needs a longer history, say) is skipped, as <see cref="EnsembleForecaster"/> skips a failing member; when
/// every candidate fails there, the first is used, and its refit on the whole history fails the fit if it fails too.
/// </para>
/// <para><b>Thread safety:</b> stateless and thread-safe when the candidates are.</para>
/// </remarks>
public sealed class ValidatedSelectionForecaster : IForecaster
{
    private readonly IForecaster[] _candidates;

    /// <summary>Creates the forecaster.</summary>
    /// <param name="candidates">The forecasters to choose from, at least one; seasonal naive first is recommended.</param>
    /// <param name="validationLength">The validation window, in steps; the default 48 is M4 hourly's horizon.</param>
    /// <param name="metric">The error measure to rank by; the default is sMAPE, which chose better than MASE on the
    /// M4 hourly set (with naive, seasonal naive and Naive2 as candidates: OWA 0.626 against 0.653).</param>
    /// <exception cref="ArgumentNullException"><paramref name="candidates"/> is <see langword="null"/> or holds <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="candidates"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validationLength"/> is below 1, or
    /// <paramref name="metric"/> is not defined.</exception>
    public ValidatedSelectionForecaster(
        IEnumerable<IForecaster> candidates, int validationLength = 48, ValidationMetric metric = ValidationMetric.Smape)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        _candidates = [.. candidates];
        if (_candidates.Length == 0)
        {
            throw new ArgumentException("At least one candidate forecaster is needed.", nameof(candidates));
        }

        foreach (var candidate in _candidates)
        {
            ArgumentNullException.ThrowIfNull(candidate, nameof(candidates));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(validationLength, 1);
        if (!Enum.IsDefined(metric))
        {
            throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown validation metric.");
        }

        ValidationLength = validationLength;
        Metric = metric;
    }

    /// <summary>Gets the method's short name, <c>ValidatedSelection</c>.</summary>
    public string Name => "ValidatedSelection";

    /// <summary>Gets the candidate forecasters, in the order ties are broken.</summary>
    public IReadOnlyList<IForecaster> Candidates => _candidates;

    /// <summary>Gets the validation window, in steps.</summary>
    public int ValidationLength { get; }

    /// <summary>Gets the error measure candidates are ranked by.</summary>
    public ValidationMetric Metric { get; }

    /// <inheritdoc />
    public IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default)
    {
        var winner = SelectCandidate(history, seasonalPeriod, cancellationToken);
        return _candidates[winner].Fit(history, seasonalPeriod, cancellationToken);
    }

    /// <summary>Runs the validation and returns the winning candidate's index, without the final refit.</summary>
    /// <param name="history">The observations, oldest first; finite and non-negative.</param>
    /// <param name="seasonalPeriod">The seasonal period m; at least 1.</param>
    /// <param name="cancellationToken">Cancels the candidate fits.</param>
    /// <returns>An index into <see cref="Candidates"/>.</returns>
    /// <exception cref="ArgumentException">The history is empty or holds a NaN, infinite or negative value.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seasonalPeriod"/> is below 1.</exception>
    public int SelectCandidate(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default)
    {
        BaselineMath.ValidateHistory(history, seasonalPeriod, nameof(history), nameof(seasonalPeriod));

        var minimumTrain = seasonalPeriod + 1;
        var window = Math.Min(ValidationLength, history.Length - minimumTrain);
        if (window < 1 || _candidates.Length == 1)
        {
            return 0;
        }

        var train = history[..^window];
        var actual = history[^window..];
        Span<double> forecast = window <= 512 ? stackalloc double[window] : new double[window];
        var best = 0;
        var bestError = double.PositiveInfinity;
        for (var c = 0; c < _candidates.Length; c++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            double error;
            try
            {
                var model = _candidates[c].Fit(train, seasonalPeriod, cancellationToken);
                model.ForecastMean(forecast);
                error = Metric == ValidationMetric.Smape
                    ? ForecastMetrics.Smape(actual, forecast)
                    : ForecastMetrics.MeanAbsoluteError(actual, forecast);
            }
            catch (Exception exception) when (BaselineMath.IsFitFailure(exception))
            {
                // A candidate that cannot fit or forecast the training part is not chosen (as the ensemble skips a
                // member that fails), rather than failing the selection for the others.
                continue;
            }

            if (error < bestError)
            {
                best = c;
                bestError = error;
            }
        }

        return best;
    }
}
