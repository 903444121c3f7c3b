namespace Shaping.Forecasting.Models;

/// <summary>
/// The hot loop of ETS estimation: one pass over the series computing the one-step errors and the concentrated
/// likelihood, without allocating (the caller owns the seasonal buffer, a ring indexed by time modulo m).
/// </summary>
internal static class EtsKernel
{
    /// <summary>The objective value returned for an inadmissible point (non-positive forecast of a multiplicative model).</summary>
    internal const double Penalty = 1e15;

    private const double Tiny = 1e-10;

    /// <summary>
    /// Runs the filter over <paramref name="y"/> from the given initial states and returns the concentrated
    /// likelihood criterion: n·log(Σe²) for an additive error, n·log(Σe²) + 2Σlog|ŷ| for a multiplicative one
    /// (minus twice the log-likelihood up to a constant).
    /// </summary>
    /// <param name="y">The observations.</param>
    /// <param name="spec">The specification.</param>
    /// <param name="p">The smoothing parameters.</param>
    /// <param name="level">The initial level in, the final level out.</param>
    /// <param name="slope">The initial slope in, the final slope out.</param>
    /// <param name="season">The initial seasonal states in (index = time modulo m), the final ones out.</param>
    /// <param name="sseFloor">The smallest sum of squares used (keeps a perfect fit finite).</param>
    /// <param name="sse">The sum of squared one-step errors (relative errors for a multiplicative error).</param>
    /// <param name="sumLog">Σ log ŷ for a multiplicative error, 0 otherwise.</param>
    /// <returns>The criterion; <see cref="Penalty"/> for an inadmissible path.</returns>
    internal static double Likelihood(
        ReadOnlySpan<double> y,
        EtsSpecification spec,
        EtsParameterSet p,
        ref double level,
        ref double slope,
        Span<double> season,
        double sseFloor,
        out double sse,
        out double sumLog)
    {
        var n = y.Length;
        var m = season.Length;
        var hasTrend = spec.Trend != EtsTrendType.None;
        var phi = hasTrend ? (spec.Trend == EtsTrendType.AdditiveDamped ? p.Phi : 1.0) : 0.0;
        var alpha = p.Alpha;
        var betaOverAlpha = hasTrend ? p.Beta / p.Alpha : 0.0;
        var gamma = p.Gamma;
        var multiplicativeError = spec.Error == EtsErrorType.Multiplicative;
        var positive = spec.NeedsPositiveData;
        var seasonType = spec.Season;
        var l = level;
        var b = hasTrend ? slope : 0.0;
        var sumSquares = 0.0;
        var logSum = 0.0;
        var product = 1.0;
        var j = 0;
        sse = 0;
        sumLog = 0;
        for (var t = 0; t < n; t++)
        {
            var yt = y[t];
            var phib = phi * b;
            var q = l + phib;
            var s = season[j];
            double f;
            double pt;
            switch (seasonType)
            {
                case EtsSeasonType.Additive:
                    f = q + s;
                    pt = yt - s;
                    break;
                case EtsSeasonType.Multiplicative:
                    f = q * s;
                    pt = yt / s;
                    break;
                default:
                    f = q;
                    pt = yt;
                    break;
            }

            double e;
            if (multiplicativeError)
            {
                if (!(f > Tiny))
                {
                    return Penalty;
                }

                e = (yt - f) / f;
                product *= f;
                if ((t & 15) == 15)
                {
                    logSum += Math.Log(product);
                    product = 1.0;
                }
            }
            else
            {
                if (positive && !(f > Tiny))
                {
                    return Penalty;
                }

                e = yt - f;
            }

            sumSquares += e * e;
            var newLevel = q + (alpha * (pt - q));
            if (hasTrend)
            {
                b = phib + (betaOverAlpha * (newLevel - l - phib));
            }

            if (seasonType == EtsSeasonType.Additive)
            {
                season[j] = s + (gamma * (yt - q - s));
            }
            else if (seasonType == EtsSeasonType.Multiplicative)
            {
                if (!(q > Tiny))
                {
                    return Penalty;
                }

                season[j] = s + (gamma * ((yt / q) - s));
            }

            l = newLevel;
            if (++j == m)
            {
                j = 0;
            }
        }

        if (multiplicativeError)
        {
            logSum += Math.Log(product);
        }

        if (!double.IsFinite(sumSquares) || !double.IsFinite(logSum))
        {
            return Penalty;
        }

        level = l;
        slope = b;
        sse = sumSquares;
        sumLog = logSum;
        return (n * Math.Log(Math.Max(sumSquares, sseFloor))) + (2 * logSum);
    }
}
