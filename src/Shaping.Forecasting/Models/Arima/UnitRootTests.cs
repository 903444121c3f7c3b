namespace Shaping.Forecasting.Models.Arima;

/// <summary>
/// The differencing tests of R's <c>forecast</c> package: KPSS for the lag-1 differences (<c>ndiffs</c>) and the
/// seasonal-strength heuristic for the seasonal ones (<c>nsdiffs</c>, test "seas").
/// </summary>
internal static class UnitRootTests
{
    /// <summary>The KPSS (level) 5 % critical value, urca's <c>ur.kpss</c> table for type "mu".</summary>
    internal const double KpssCritical5Percent = 0.463;

    /// <summary>The seasonal strength above which <c>nsdiffs</c> takes a seasonal difference.</summary>
    internal const double SeasonalStrengthThreshold = 0.64;

    /// <summary>How many cycles the seasonal smoother averages over (STL's s.window in <c>mstl</c>).</summary>
    private const int SeasonalWindow = 11;

    /// <summary>
    /// The KPSS level-stationarity statistic (Kwiatkowski et al. 1992) as urca's <c>ur.kpss(type = "mu")</c>:
    /// Σ S_t² / (n² s²(l)), with S_t the partial sums of the demeaned series and s²(l) the Newey-West long-run
    /// variance with Bartlett weights 1 − s/(l + 1).
    /// </summary>
    internal static double Kpss(ReadOnlySpan<double> x, int lags)
    {
        var n = x.Length;
        var mean = 0.0;
        foreach (var v in x)
        {
            mean += v;
        }

        mean /= n;
        var cumulative = 0.0;
        var eta = 0.0;
        var s2 = 0.0;
        for (var t = 0; t < n; t++)
        {
            var e = x[t] - mean;
            cumulative += e;
            eta += cumulative * cumulative;
            s2 += e * e;
        }

        eta /= (double)n * n;
        s2 /= n;
        for (var s = 1; s <= lags; s++)
        {
            var sum = 0.0;
            for (var t = s; t < n; t++)
            {
                sum += (x[t] - mean) * (x[t - s] - mean);
            }

            s2 += 2.0 / n * (1 - (s / (lags + 1.0))) * sum;
        }

        return eta / s2;
    }

    /// <summary>
    /// forecast's <c>ndiffs</c> with the KPSS test at 5 %: difference while the statistic (with trunc(3√n/13) lags)
    /// exceeds 0.463, up to <paramref name="maxD"/> times, stopping at a constant series.
    /// </summary>
    internal static int Ndiffs(ReadOnlySpan<double> series, int maxD)
    {
        var x = series.ToArray();
        var d = 0;
        if (IsConstant(x) || x.Length < 3)
        {
            return 0;
        }

        while (d < maxD && Kpss(x, (int)(3 * Math.Sqrt(x.Length) / 13)) > KpssCritical5Percent)
        {
            d++;
            x = ArimaMath.Difference(x, [-1.0]);
            if (x.Length < 3 || IsConstant(x))
            {
                return d;
            }
        }

        return d;
    }

    /// <summary>
    /// forecast's <c>nsdiffs</c> with its default "seas" test and max.D = 1: one seasonal difference when the
    /// seasonal strength exceeds 0.64.
    /// </summary>
    internal static int Nsdiffs(ReadOnlySpan<double> x, int m)
    {
        if (m <= 1 || x.Length < 2 * m || IsConstant(x))
        {
            return 0;
        }

        return SeasonalStrength(x, m) > SeasonalStrengthThreshold ? 1 : 0;
    }

    /// <summary>
    /// Wang, Smith and Hyndman's seasonal strength max(0, 1 − Var(R)/Var(S + R)), on an STL-like additive
    /// decomposition: a centred moving-average trend (2×m for even m) and a seasonal component that smooths each
    /// cycle-subseries of the detrended values over the nearest 11 cycles (R's <c>mstl</c> uses STL with
    /// s.window = 11; this replaces its loess smoothers by moving averages).
    /// </summary>
    internal static double SeasonalStrength(ReadOnlySpan<double> x, int m)
    {
        var n = x.Length;
        var half = m / 2;
        var even = m % 2 == 0;
        var start = half;
        var end = n - half;
        if (end - start < m)
        {
            return 0;
        }

        var trend = new double[n];
        for (var t = start; t < end; t++)
        {
            double sum = 0;
            if (even)
            {
                sum = 0.5 * (x[t - half] + x[t + half]);
                for (var k = t - half + 1; k < t + half; k++)
                {
                    sum += x[k];
                }
            }
            else
            {
                for (var k = t - half; k <= t + half; k++)
                {
                    sum += x[k];
                }
            }

            trend[t] = sum / m;
        }

        // Seasonal component: per position in the cycle, the mean of the detrended values of the nearest
        // SeasonalWindow cycles (a moving cycle-subseries smoother, as STL's with s.window = 11), centred per cycle.
        var detrended = new double[end - start];
        for (var t = start; t < end; t++)
        {
            detrended[t - start] = x[t] - trend[t];
        }

        var count = end - start;
        var seasonalPart = new double[count];
        const int halfWindow = SeasonalWindow / 2;
        for (var i = 0; i < count; i++)
        {
            var sum = 0.0;
            var used = 0;
            for (var k = -halfWindow; k <= halfWindow; k++)
            {
                var j = i + (k * m);
                if (j >= 0 && j < count)
                {
                    sum += detrended[j];
                    used++;
                }
            }

            seasonalPart[i] = sum / used;
        }

        var remainder = new double[count];
        for (var i = 0; i < count; i++)
        {
            // Remove the local level of the seasonal component (its mean over the surrounding cycle).
            var from = Math.Max(0, i - (m / 2));
            var to = Math.Min(count, from + m);
            from = Math.Max(0, to - m);
            var level = 0.0;
            for (var j = from; j < to; j++)
            {
                level += seasonalPart[j];
            }

            remainder[i] = detrended[i] - (seasonalPart[i] - (level / (to - from)));
        }

        var varDetrended = Variance(detrended);
        if (!(varDetrended > 0))
        {
            return 0;
        }

        return Math.Clamp(1 - (Variance(remainder) / varDetrended), 0, 1);
    }

    /// <summary>Whether every value equals the first.</summary>
    internal static bool IsConstant(ReadOnlySpan<double> x)
    {
        foreach (var v in x)
        {
            if (v != x[0])
            {
                return false;
            }
        }

        return true;
    }

    private static double Variance(double[] values)
    {
        var mean = values.Average();
        var sum = 0.0;
        foreach (var v in values)
        {
            sum += (v - mean) * (v - mean);
        }

        return sum / Math.Max(1, values.Length - 1);
    }
}
