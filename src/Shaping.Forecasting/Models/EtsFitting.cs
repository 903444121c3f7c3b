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

        BaselineMath.ValidateValues(history, "History", nameof(history));
        strictlyPositive = true;
        constant = true;
        var first = history[0];
        foreach (var value in history)
        {
            strictlyPositive &= value > 0;
            constant &= value == first;
        }

        return history.ToArray();
    }

    /// <summary>The mean every ETS fit rescales its history to (see <see cref="Normalise"/>).</summary>
    internal const double FitMean = 1000;

    /// <summary>
    /// The smallest scale <see cref="Normalise"/> returns: the smallest normal double, 2^−1022 ≈ 2.2e-308, whose
    /// inverse (2^1022) is finite. Only a series whose mean is below <see cref="FitMean"/> times it (about 2.2e-305) is
    /// fitted at that scale, so at a mean below <see cref="FitMean"/>; its fit is then not exactly that of the series
    /// scaled up (the fit's path depends on the magnitude it sees), but its updates and forecasts stay finite.
    /// </summary>
    internal const double MinimumScale = 2.2250738585072014E-308;

    /// <summary>
    /// Rescales the history to mean <see cref="FitMean"/>, the unit every ETS fit runs in.
    /// </summary>
    /// <remarks>
    /// <para>Why: the estimator mixes quantities in the series' units with unit-free ones. R's Nelder-Mead start gives every
    /// simplex edge 0.1 × the largest |parameter|, so the same series got edges of 0.1 on its smoothing parameters at one
    /// scale and of 100 at another; the convergence test is relative to a likelihood that shifts with the units; and the
    /// floors (1e-10) that keep a multiplicative model's level and forecasts positive are absolute. Fitting y / s instead
    /// makes the fit of c·y that of y (up to rounding) for every c &gt; 0 that leaves the mean of c·y at least
    /// <see cref="FitMean"/> × <see cref="MinimumScale"/> (about 2.2e-305), and <see cref="EtsModel"/> maps its outputs
    /// back by s.</para>
    /// <para>Why 1,000: the fit still starts R's simplex, whose path depends on the magnitude it sees, so one magnitude
    /// has to be chosen. On the 414 M4 hourly series (docs/accuracy.md) fitting at mean 1 scored OWA 0.894, at 10 0.850,
    /// at 100 0.843, at 1,000 0.829 and at 10,000 0.824, against 0.845 for R's rule at each series' own magnitude (means
    /// from 14 to 525,000). At mean 1 the simplex starts with edges of about 0.1 on every coordinate and ends in worse
    /// optima (higher AICc than at 10 to 1,000,000 on 52 sampled series). 1,000 is the magnitude of typical competition
    /// data (M3, M4) and lies in the range that forecast best, without being the single best score of the sweep.</para>
    /// </remarks>
    /// <param name="y">A validated, non-constant history (so it has a positive value).</param>
    /// <param name="scale">The series' mean divided by <see cref="FitMean"/>, in the series' units, but at least
    /// <see cref="MinimumScale"/>: below it the model's inverse scale, which divides each update, would be +∞.</param>
    /// <returns>A new array: <paramref name="y"/> divided by <paramref name="scale"/>, with mean <see cref="FitMean"/>.</returns>
    internal static double[] Normalise(double[] y, out double scale)
    {
        var sum = 0.0;
        foreach (var value in y)
        {
            sum += value;
        }

        scale = Math.Max(sum / y.Length / FitMean, MinimumScale);
        var z = new double[y.Length];
        for (var t = 0; t < y.Length; t++)
        {
            z[t] = y[t] / scale;
        }

        return z;
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
        return new EtsModel(spec, seasonalPeriod, new EtsParameterSet(0.5, 0, 0, 1), value, 0, [0.0], 0, 0, scale: 1, summary, " constant");
    }

    /// <summary>
    /// The fallback when no ETS specification can be fitted (too short a history): ETS(A,N,N) with alpha = 1,
    /// that is the naive forecast (the last value), with the variance of the one-step changes (0 for one point).
    /// </summary>
    /// <remarks>
    /// The variance is computed on the history divided by a power of two near its mean, and the model keeps that scale
    /// (as a fitted one keeps <see cref="Normalise"/>'s): squaring the changes in the series' own units underflowed to 0
    /// for a series near 1e-300, which then had zero-width intervals. A power of two divides and multiplies back
    /// exactly, so for any series whose values and squared changes are normal doubles the outputs are bit for bit
    /// those computed in the series' units.
    /// </remarks>
    /// <param name="y">A validated, non-constant history (so its mean is positive).</param>
    /// <param name="seasonalPeriod">The seasonal period the model reports.</param>
    internal static EtsModel LevelOnly(double[] y, int seasonalPeriod)
    {
        var n = y.Length;
        var sum = 0.0;
        foreach (var value in y)
        {
            sum += value;
        }

        var mean = sum / n;
        // 2^k with the mean in [2^10, 2^11) after the division; k at least −1022, so 1 / scale (which divides updates) is finite.
        var scale = Math.ScaleB(1.0, Math.Max(Math.ILogB(mean) - 10, -1022));
        var sumSquares = 0.0;
        for (var t = 1; t < n; t++)
        {
            var d = (y[t] / scale) - (y[t - 1] / scale);
            sumSquares += d * d;
        }

        var variance = n > 1 ? sumSquares / (n - 1) : 0; // in the scaled unit
        var sigma2 = variance * scale * scale; // in the series' units (0 when it underflows there)
        var spec = new EtsSpecification(EtsErrorType.Additive, EtsTrendType.None, EtsSeasonType.None);
        var parameters = new Dictionary<string, double>(StringComparer.Ordinal) { ["alpha"] = 1, ["l0"] = y[0], ["sigma2"] = sigma2 };
        var summary = new FitSummary(parameters, double.NaN, double.NaN, double.NaN, double.NaN, sigma2, n);
        return new EtsModel(spec, seasonalPeriod, new EtsParameterSet(UpperAlpha, 0, 0, 1), y[^1] / scale, 0, [0.0], 0, variance, scale, summary, " level-only fallback");
    }

    private const double UpperAlpha = 1.0;
}
