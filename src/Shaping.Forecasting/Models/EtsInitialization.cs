namespace Shaping.Forecasting.Models;

/// <summary>
/// R's heuristic starting states for ETS (<c>forecast:::initstate</c>): a classical decomposition of the first
/// three seasons gives the seasonal states, and a regression on the first max(10, 2m) seasonally adjusted
/// values gives the level and slope.
/// </summary>
internal static class EtsInitialization
{
    /// <summary>Computes the starting states.</summary>
    /// <param name="y">The observations; at least three seasons for a seasonal specification.</param>
    /// <param name="m">The seasonal period (1 without a season).</param>
    /// <param name="spec">The specification.</param>
    /// <param name="level">The initial level (at time 0).</param>
    /// <param name="slope">The initial slope; 0 without a trend.</param>
    /// <param name="season">Receives m seasonal states, index k for the observations at times ≡ k (mod m).</param>
    internal static void InitialStates(ReadOnlySpan<double> y, int m, EtsSpecification spec, out double level, out double slope, Span<double> season)
    {
        var n = y.Length;
        Span<double> adjusted = n <= 1024 ? stackalloc double[n] : new double[n];
        var used = n;
        if (spec.Season != EtsSeasonType.None && m > 1)
        {
            used = Math.Min(n, 3 * m);
            var multiplicative = spec.Season == EtsSeasonType.Multiplicative;
            Decompose(y[..used], m, multiplicative, season);
            for (var t = 0; t < used; t++)
            {
                adjusted[t] = multiplicative ? y[t] / Math.Max(season[t % m], 1e-2) : y[t] - season[t % m];
            }
        }
        else
        {
            y.CopyTo(adjusted);
            season.Fill(spec.Season == EtsSeasonType.Multiplicative ? 1 : 0);
        }

        var maxn = Math.Min(Math.Max(10, 2 * m), used);
        if (spec.Trend == EtsTrendType.None)
        {
            var sum = 0.0;
            for (var t = 0; t < maxn; t++)
            {
                sum += adjusted[t];
            }

            level = sum / maxn;
            slope = 0;
            return;
        }

        // Least squares of adjusted[t] on t + 1, t = 0..maxn-1: the intercept is the level at time 0.
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (var t = 0; t < maxn; t++)
        {
            var x = t + 1.0;
            sx += x;
            sy += adjusted[t];
            sxx += x * x;
            sxy += x * adjusted[t];
        }

        var denominator = (maxn * sxx) - (sx * sx);
        slope = denominator > 0 ? ((maxn * sxy) - (sx * sy)) / denominator : 0;
        level = (sy - (slope * sx)) / maxn;
        if (Math.Abs(level + slope) < 1e-8)
        {
            level *= 1 + 1e-3;
            slope *= 1 - 1e-3;
        }
    }

    /// <summary>
    /// The seasonal figure of R's <c>decompose</c>: a centred moving average of order m (2×m for even m) as the
    /// trend, the mean detrended value per position in the cycle, normalised to sum 0 (additive) or m (multiplicative).
    /// </summary>
    internal static void Decompose(ReadOnlySpan<double> x, int m, bool multiplicative, Span<double> figure)
    {
        var n = x.Length;
        Span<double> sums = stackalloc double[m];
        Span<int> counts = stackalloc int[m];
        sums.Clear();
        counts.Clear();
        var half = m / 2;
        for (var t = half; t < n - half; t++)
        {
            double trend;
            if (m % 2 == 0)
            {
                var acc = 0.5 * (x[t - half] + x[t + half]);
                for (var k = t - half + 1; k < t + half; k++)
                {
                    acc += x[k];
                }

                trend = acc / m;
            }
            else
            {
                var acc = 0.0;
                for (var k = t - half; k <= t + half; k++)
                {
                    acc += x[k];
                }

                trend = acc / m;
            }

            var detrended = multiplicative ? (trend != 0 ? x[t] / trend : 1) : x[t] - trend;
            sums[t % m] += detrended;
            counts[t % m]++;
        }

        var total = 0.0;
        for (var k = 0; k < m; k++)
        {
            figure[k] = counts[k] > 0 ? sums[k] / counts[k] : (multiplicative ? 1 : 0);
            total += figure[k];
        }

        var average = total / m;
        for (var k = 0; k < m; k++)
        {
            if (multiplicative)
            {
                figure[k] = average > 0 ? figure[k] / average : 1;
            }
            else
            {
                figure[k] -= average;
            }
        }
    }
}
