namespace Shaping.Forecasting.Selection;

/// <summary>
/// Chooses, per series, among candidate forecasters by their error on a validation window at the end of the
/// history, then refits the winner on the whole history: a sophisticated model that loses to a simple one on a
/// series is not used for it.
/// </summary>
/// <remarks>
/// <para>
/// Each candidate is fitted on the history without its last <see cref="ValidationSteps"/> observations and
/// scored by the mean absolute error of its point forecasts over them (within one series this ranks exactly
/// as MASE does); ties go to the earlier candidate. Put the simplest robust method (seasonal naive) among the
/// candidates so the choice is never worse than it on the validation window.
/// </para>
/// <para>
/// When the history is too short to hold a validation window and a training part of at least two seasons
/// (and 8 points), the first candidate is fitted on the whole history without validation. A candidate whose
/// fit throws is skipped (unless cancellation was requested). Stateless and thread-safe when the candidates are.
/// </para>
/// </remarks>
public sealed class ValidationSelectingForecaster : IForecaster
{
    private readonly IForecaster[] _candidates;

    /// <summary>Creates the selector.</summary>
    /// <param name="candidates">The candidates, in order of preference on ties; at least one.</param>
    /// <param name="validationSteps">The length of the validation window, usually the forecast horizon; at least 1.</param>
    /// <exception cref="ArgumentException"><paramref name="candidates"/> is empty or holds a null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validationSteps"/> is below 1.</exception>
    public ValidationSelectingForecaster(IReadOnlyList<IForecaster> candidates, int validationSteps)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentOutOfRangeException.ThrowIfLessThan(validationSteps, 1);
        if (candidates.Count == 0 || candidates.Any(c => c is null))
        {
            throw new ArgumentException("At least one candidate, and no null, is needed.", nameof(candidates));
        }

        _candidates = [.. candidates];
        ValidationSteps = validationSteps;
    }

    /// <summary>Gets the length of the validation window, in steps.</summary>
    public int ValidationSteps { get; }

    /// <summary>Gets the candidates, in order of preference on ties.</summary>
    public IReadOnlyList<IForecaster> Candidates => _candidates;

    /// <inheritdoc/>
    public string Name => "ValidationSelect(" + string.Join(",", _candidates.Select(c => c.Name)) + ")";

    /// <inheritdoc/>
    public IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seasonalPeriod, 1);
        if (history.IsEmpty)
        {
            throw new ArgumentException("The history is empty.", nameof(history));
        }

        foreach (var value in history)
        {
            if (!double.IsFinite(value) || value < 0)
            {
                throw new ArgumentException($"The history holds {value}; observations must be finite and non-negative.", nameof(history));
            }
        }

        var trainLength = history.Length - ValidationSteps;
        if (_candidates.Length == 1 || trainLength < Math.Max(8, 2 * seasonalPeriod))
        {
            return _candidates[0].Fit(history, seasonalPeriod, cancellationToken);
        }

        var train = history[..trainLength];
        var actual = history[trainLength..];
        var forecast = new double[ValidationSteps];
        var bestIndex = -1;
        var bestError = double.PositiveInfinity;
        for (var i = 0; i < _candidates.Length; i++)
        {
            double error;
            try
            {
                var model = _candidates[i].Fit(train, seasonalPeriod, cancellationToken);
                model.ForecastMean(forecast);
                error = 0;
                for (var h = 0; h < forecast.Length; h++)
                {
                    error += Math.Abs(actual[h] - forecast[h]);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                continue;
            }

            if (error < bestError)
            {
                bestError = error;
                bestIndex = i;
            }
        }

        return _candidates[Math.Max(0, bestIndex)].Fit(history, seasonalPeriod, cancellationToken);
    }
}
