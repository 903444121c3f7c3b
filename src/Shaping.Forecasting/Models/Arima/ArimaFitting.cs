namespace Shaping.Forecasting.Models.Arima;

/// <summary>Input checks, exact fits from an undifferenced history, and the documented fallbacks.</summary>
internal static class ArimaFitting
{
    /// <summary>Throws unless the history is non-empty, finite, non-negative and at most <see cref="ForecastLimits.MaximumObservation"/> and the period is at least 1.</summary>
    internal static double[] Validate(ReadOnlySpan<double> history, int seasonalPeriod, out bool constant)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seasonalPeriod, 1);
        if (history.IsEmpty)
        {
            throw new ArgumentException("The history is empty.", nameof(history));
        }

        BaselineMath.ValidateValues(history, "History", nameof(history));
        constant = true;
        var first = history[0];
        foreach (var value in history)
        {
            constant &= value == first;
        }

        return history.ToArray();
    }

    /// <summary>Differences <paramref name="y"/> and fits the specification exactly; null when it cannot be fitted.</summary>
    internal static ArimaModel? FitExact(
        double[] y, int m, ArimaSpecification specification, int maxEvaluations, out ArimaFitResult? fit, CancellationToken cancellationToken = default)
    {
        if (TooShort(y.Length, m, specification))
        {
            fit = null;
            return null;
        }

        var seasonalD = m > 1 ? specification.SeasonalDifferences : 0;
        var delta = ArimaMath.DifferencingPolynomial(specification.Differences, seasonalD, m);
        var w = ArimaMath.Difference(y, delta);
        fit = ArimaEstimator.Fit(w, specification, m, exact: true, maxEvaluations, 0, out var problem, cancellationToken: cancellationToken);
        return fit is null ? null : ArimaEstimator.CreateModel(problem, fit, y, delta, m);
    }

    /// <summary>
    /// Whether a history of <paramref name="n"/> points is too short for the specification by the estimator's rule (the
    /// differenced series needs more than p + mP + k + 1 points and more than k + 2, k the coefficient count), worked out
    /// in 64 bits from the orders alone. The estimator sizes the Kalman state for the period before it applies the rule,
    /// r² doubles for r = max(p + mP, q + mQ + 1): for a period longer than the history (a week of minutes, m = 10,080)
    /// that was 813 MB allocated only to fall back, and for m = 100,000 the count overflowed an int to 11 GB.
    /// </summary>
    private static bool TooShort(int n, int m, ArimaSpecification specification)
    {
        var seasonal = m > 1;
        var seasonalAr = seasonal ? specification.SeasonalAr : 0;
        var seasonalMa = seasonal ? specification.SeasonalMa : 0;
        var seasonalD = seasonal ? specification.SeasonalDifferences : 0;
        long k = specification.Ar + specification.Ma + seasonalAr + seasonalMa + (specification.IncludeConstant ? 1 : 0);
        var differenced = n - specification.Differences - ((long)seasonalD * m);
        var phiLength = specification.Ar + ((long)m * seasonalAr);
        return differenced - phiLength <= k + 1 || differenced <= k + 2;
    }

    /// <summary>The random walk ARIMA(0,1,0) (σ² the mean squared change), or the constant model for one point.</summary>
    internal static ArimaModel Fallback(double[] y, int m)
    {
        if (y.Length < 2)
        {
            return ArimaEstimator.Constant(y[0], m, y.Length);
        }

        var spec = new ArimaSpecification(0, 1, 0, 0, 0, 0, IncludeConstant: false);
        return FitExact(y, m, spec, 100, out _) ?? RandomWalk(y, m, spec);
    }

    /// <summary>
    /// The random walk built directly, for a history too short for the estimator (two or three points): the last value
    /// forecast with σ² the mean squared change. The constant model stood in before, and its zero-width intervals
    /// claimed certainty about a series that had just changed.
    /// </summary>
    private static ArimaModel RandomWalk(double[] y, int m, ArimaSpecification spec)
    {
        var sumSquares = 0.0;
        for (var t = 1; t < y.Length; t++)
        {
            var change = y[t] - y[t - 1];
            sumSquares += change * change;
        }

        var sigma2 = sumSquares / (y.Length - 1);
        var parameters = new Dictionary<string, double>(StringComparer.Ordinal) { ["sigma2"] = sigma2 };
        var summary = new FitSummary(parameters, double.NaN, double.NaN, double.NaN, double.NaN, sigma2, y.Length - 1);
        var delta = ArimaMath.DifferencingPolynomial(1, 0, m);
        return new ArimaModel(spec.ToString(m), m, spec, [], [], 0, sigma2, delta, y, [0.0], [1.0], summary);
    }
}
