namespace Shaping.Forecasting.Models;

/// <summary>Input checks and the documented fallbacks shared by <see cref="EtsForecaster"/> and AutoEts.</summary>
internal static class EtsFitting
{
    /// <summary>Throws unless the history is non-empty, finite, non-negative and at most <see cref="ForecastLimits.MaximumObservation"/> and the period is at least 1.</summary>
    internal static double[] Validate(ReadOnlySpan<double> history, int seasonalPeriod, out bool strictlyPositive, out bool constant)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seasonalPeriod, 1);
        if (history.IsEmpty)
        {
            throw new ArgumentException("The history is empty.", nameof(history));
        }

        strictlyPositive = true;
        constant = true;
        var first = history[0];
        for (var i = 0; i < history.Length; i++)
        {
            var value = history[i];
            if (!BaselineMath.IsValidObservation(value))
            {
                // Worded as the other forecasters word it, with the index: in a long series the value alone is hard to find.
                throw new ArgumentException($"History value at index {i} is {value}; {BaselineMath.ObservationRange}.", nameof(history));
            }

            strictlyPositive &= value > 0;
            constant &= value == first;
        }

        return history.ToArray();
    }

    /// <summary>
    /// The model for a constant history: ETS(A,N,N) at that constant with zero variance, so it forecasts the
    /// constant with zero-width intervals (until <see cref="IForecastModel.Update"/> brings other values).
    /// </summary>
    internal static EtsModel Constant(double[] y, int seasonalPeriod)
    {
        var value = y[0];
        var spec = new EtsSpecification(EtsErrorType.Additive, EtsTrendType.None, EtsSeasonType.None);
        var parameters = new Dictionary<string, double>(StringComparer.Ordinal) { ["alpha"] = 0.5, ["l0"] = value, ["sigma2"] = 0 };
        var summary = new FitSummary(parameters, double.NaN, double.NaN, double.NaN, double.NaN, 0, y.Length);
        return new EtsModel(spec, seasonalPeriod, new EtsParameterSet(0.5, 0, 0, 1), value, 0, [0.0], 0, 0, summary, " constant");
    }

    /// <summary>
    /// The fallback when no ETS specification can be fitted (too short a history): ETS(A,N,N) with alpha = 1,
    /// that is the naive forecast (the last value), with the variance of the one-step changes (0 for one point).
    /// </summary>
    internal static EtsModel LevelOnly(double[] y, int seasonalPeriod)
    {
        var n = y.Length;
        var sumSquares = 0.0;
        for (var t = 1; t < n; t++)
        {
            var d = y[t] - y[t - 1];
            sumSquares += d * d;
        }

        var sigma2 = n > 1 ? sumSquares / (n - 1) : 0;
        var spec = new EtsSpecification(EtsErrorType.Additive, EtsTrendType.None, EtsSeasonType.None);
        var parameters = new Dictionary<string, double>(StringComparer.Ordinal) { ["alpha"] = 1, ["l0"] = y[0], ["sigma2"] = sigma2 };
        var summary = new FitSummary(parameters, double.NaN, double.NaN, double.NaN, double.NaN, sigma2, n);
        return new EtsModel(spec, seasonalPeriod, new EtsParameterSet(UpperAlpha, 0, 0, 1), y[^1], 0, [0.0], 0, sigma2, summary, " level-only fallback");
    }

    private const double UpperAlpha = 1.0;
}
