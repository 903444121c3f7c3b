using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Shaping.Forecasting.Models;

/// <summary>
/// The hot loop of ETS estimation: one pass over the series computing the one-step errors and the concentrated
/// likelihood, without allocating (the caller owns the seasonal buffer, a ring indexed by time modulo m).
/// </summary>
internal static class EtsKernel
{
    /// <summary>The bound beyond which the running product of forecasts is folded into the log sum early.</summary>
    private const double ProductFlush = 1e200;

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
        // Dispatch once to a specialisation in which the JIT folds every per-step branch on the model type away.
        var mult = spec.Error == EtsErrorType.Multiplicative;
        var trend = spec.Trend != EtsTrendType.None;
        return (spec.Season, mult, trend) switch
        {
            (EtsSeasonType.None, false, false) => Run<No, No, No, No>(y, spec, p, ref level, ref slope, season, sseFloor, out sse, out sumLog),
            (EtsSeasonType.None, false, true) => Run<No, Yes, No, No>(y, spec, p, ref level, ref slope, season, sseFloor, out sse, out sumLog),
            (EtsSeasonType.None, true, false) => Run<Yes, No, No, No>(y, spec, p, ref level, ref slope, season, sseFloor, out sse, out sumLog),
            (EtsSeasonType.None, true, true) => Run<Yes, Yes, No, No>(y, spec, p, ref level, ref slope, season, sseFloor, out sse, out sumLog),
            (EtsSeasonType.Additive, false, false) => Run<No, No, Yes, No>(y, spec, p, ref level, ref slope, season, sseFloor, out sse, out sumLog),
            (EtsSeasonType.Additive, false, true) => Run<No, Yes, Yes, No>(y, spec, p, ref level, ref slope, season, sseFloor, out sse, out sumLog),
            (EtsSeasonType.Additive, true, false) => Run<Yes, No, Yes, No>(y, spec, p, ref level, ref slope, season, sseFloor, out sse, out sumLog),
            (EtsSeasonType.Additive, true, true) => Run<Yes, Yes, Yes, No>(y, spec, p, ref level, ref slope, season, sseFloor, out sse, out sumLog),
            (_, false, false) => Run<No, No, No, Yes>(y, spec, p, ref level, ref slope, season, sseFloor, out sse, out sumLog),
            (_, false, true) => Run<No, Yes, No, Yes>(y, spec, p, ref level, ref slope, season, sseFloor, out sse, out sumLog),
            (_, true, false) => Run<Yes, No, No, Yes>(y, spec, p, ref level, ref slope, season, sseFloor, out sse, out sumLog),
            (_, true, true) => Run<Yes, Yes, No, Yes>(y, spec, p, ref level, ref slope, season, sseFloor, out sse, out sumLog),
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Run<TMultError, TTrend, TAddSeason, TMulSeason>(
        ReadOnlySpan<double> y,
        EtsSpecification spec,
        EtsParameterSet p,
        ref double level,
        ref double slope,
        Span<double> season,
        double sseFloor,
        out double sse,
        out double sumLog)
        where TMultError : struct
        where TTrend : struct
        where TAddSeason : struct
        where TMulSeason : struct
    {
        var multiplicativeError = typeof(TMultError) == typeof(Yes);
        var hasTrend = typeof(TTrend) == typeof(Yes);
        var additiveSeason = typeof(TAddSeason) == typeof(Yes);
        var multiplicativeSeason = typeof(TMulSeason) == typeof(Yes);
        var positive = multiplicativeError || multiplicativeSeason;
        var n = y.Length;
        var m = season.Length;
        var phi = hasTrend ? (spec.Trend == EtsTrendType.AdditiveDamped ? p.Phi : 1.0) : 0.0;
        var alpha = p.Alpha;
        var betaOverAlpha = hasTrend ? p.Beta / p.Alpha : 0.0;
        var gamma = p.Gamma;
        var l = level;
        var b = hasTrend ? slope : 0.0;
        var sumSquares = 0.0;
        var logSum = 0.0;
        var product = 1.0;
        var j = 0;
        sse = 0;
        sumLog = 0;
        ref var y0 = ref MemoryMarshal.GetReference(y);
        ref var s0 = ref MemoryMarshal.GetReference(season);
        for (var t = 0; t < n; t++)
        {
            var yt = Unsafe.Add(ref y0, t);
            ref var sj = ref Unsafe.Add(ref s0, j);
            var phib = hasTrend ? phi * b : 0.0;
            var q = l + phib;
            var s = sj;
            double f;
            double pt;
            if (additiveSeason)
            {
                f = q + s;
                pt = yt - s;
            }
            else if (multiplicativeSeason)
            {
                f = q * s;
                pt = yt / s;
            }
            else
            {
                f = q;
                pt = yt;
            }

            if (positive && !(f > Tiny))
            {
                return Penalty;
            }

            double e;
            if (multiplicativeError)
            {
                e = (yt - f) / f;
                if (!(product <= ProductFlush && product >= 1 / ProductFlush))
                {
                    // Sixteen forecasts above about 1e19 multiply past double.MaxValue (and below about 1e-19 to 0), which
                    // turned the log sum infinite and made every multiplicative-error fit on such data inadmissible.
                    // Folding the product into the log sum before it leaves [1e-200, 1e200] keeps it finite for any
                    // forecast within ForecastLimits.MaximumObservation, and never triggers on data of ordinary size.
                    logSum += Math.Log(product);
                    product = 1.0;
                }

                product *= f;
                if ((t & 15) == 15)
                {
                    logSum += Math.Log(product);
                    product = 1.0;
                }
            }
            else
            {
                e = yt - f;
            }

            sumSquares += e * e;
            var newLevel = q + (alpha * (pt - q));
            if (hasTrend)
            {
                b = phib + (betaOverAlpha * (newLevel - l - phib));
            }

            if (additiveSeason)
            {
                sj = s + (gamma * (yt - q - s));
            }
            else if (multiplicativeSeason)
            {
                if (!(q > Tiny))
                {
                    return Penalty;
                }

                sj = s + (gamma * ((yt / q) - s));
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

    private struct Yes
    {
    }

    private struct No
    {
    }
}
