namespace Shaping.Forecasting.Models;

/// <summary>
/// The M4 organisers' seasonality test and classical multiplicative decomposition, as used by Naive2.
/// </summary>
internal static class ClassicalDecomposition
{
    /// <summary>The one-sided 90 % normal quantile the M4 test uses.</summary>
    private const double CriticalValue = 1.645;

    /// <summary>
    /// The smallest seasonal index kept: 1 / <see cref="ForecastLimits.MaximumObservation"/> (10⁻¹⁰⁰). Models divide each
    /// new observation by its position's index; with an index of 2e-308 (a season of 1e-208 against a trend of 1e100,
    /// both valid observations), an update of 1e100 overflowed the adjusted level to +∞. At or above this floor the
    /// adjusted value is at most 10²⁰⁰, and forecasts (times an index of at most m) stay finite.
    /// </summary>
    internal const double MinimumIndex = 1 / ForecastLimits.MaximumObservation;

    /// <summary>
    /// The sample autocorrelation at <paramref name="lag"/>: Σ_{t≥lag}(x_t − x̄)(x_{t−lag} − x̄) / Σ(x_t − x̄)²,
    /// as R's <c>acf</c> computes it. NaN for a constant series.
    /// </summary>
    public static double Autocorrelation(ReadOnlySpan<double> x, int lag)
    {
        var mean = 0.0;
        foreach (var v in x)
        {
            mean += v;
        }

        mean /= x.Length;
        return Autocorrelation(x, lag, mean, SumOfSquares(x, mean));
    }

    /// <summary>
    /// The M4 seasonality test (<c>SeasonalityTest</c> in the organisers' benchmark code): seasonal when
    /// |acf_m| &gt; 1.645·√((1 + 2Σ_{k=1}^{m−1} acf_k²)/n). As in the organisers' R code, a series shorter than
    /// three seasons, m = 1 or a constant series is not seasonal.
    /// </summary>
    public static bool IsSeasonal(ReadOnlySpan<double> x, int m)
    {
        if (m <= 1 || x.Length / 3 < m) // x.Length < 3m without overflowing 3m for m > int.MaxValue / 3
        {
            return false;
        }

        var mean = 0.0;
        foreach (var v in x)
        {
            mean += v;
        }

        mean /= x.Length;
        var denominator = SumOfSquares(x, mean);
        if (!(denominator > 0))
        {
            return false;
        }

        var sum = 0.0;
        for (var k = 1; k < m; k++)
        {
            var r = Autocorrelation(x, k, mean, denominator);
            sum += r * r;
        }

        var limit = CriticalValue * Math.Sqrt((1 + (2 * sum)) / x.Length);
        return Math.Abs(Autocorrelation(x, m, mean, denominator)) > limit;
    }

    /// <summary>
    /// The seasonal indices Naive2 and Theta divide the history by: the decomposition's m indices when the series
    /// passes <see cref="IsSeasonal"/> and the indices are usable, otherwise the single index 1 (one cycle position),
    /// so a period longer than the history (even <see cref="int.MaxValue"/>) allocates nothing per position.
    /// </summary>
    /// <param name="x">The series.</param>
    /// <param name="m">The seasonal period.</param>
    /// <param name="seasonal">Whether the series was found seasonal with usable indices.</param>
    /// <returns>m indices when seasonal, <c>[1]</c> otherwise; index t mod length belongs to time t.</returns>
    public static double[] IndicesOrOne(ReadOnlySpan<double> x, int m, out bool seasonal)
    {
        seasonal = false;
        if (!IsSeasonal(x, m))
        {
            return [1.0];
        }

        var indices = new double[m]; // m ≤ n / 3 here: the test needs three seasons
        if (!SeasonalIndices(x, m, indices))
        {
            return [1.0];
        }

        seasonal = true;
        return indices;
    }

    /// <summary>
    /// Classical multiplicative decomposition (R's <c>decompose(type = "multiplicative")</c>): the trend is the
    /// centred moving average of order m (a 2×m moving average for even m), each ratio x_t / trend_t is averaged
    /// per position in the cycle, and the indices are normalised to mean 1.
    /// </summary>
    /// <param name="x">The series.</param>
    /// <param name="m">The seasonal period, at least 2; the series needs at least 2m values.</param>
    /// <param name="indices">Receives m indices; index k belongs to the times t with t mod m = k (t from 0).</param>
    /// <returns><see langword="false"/> when the indices are not all finite and at least <see cref="MinimumIndex"/> (for
    /// example a series of zeros), in which case <paramref name="indices"/> is filled with 1.</returns>
    public static bool SeasonalIndices(ReadOnlySpan<double> x, int m, Span<double> indices)
    {
        var n = x.Length;
        var half = m / 2;
        Span<double> sums = indices;
        sums.Clear();
        Span<int> counts = m <= 256 ? stackalloc int[m] : new int[m];
        counts.Clear();

        for (var t = half; t < n - half; t++)
        {
            double trend;
            if (m % 2 == 0)
            {
                var s = 0.5 * (x[t - half] + x[t + half]);
                for (var j = t - half + 1; j < t + half; j++)
                {
                    s += x[j];
                }

                trend = s / m;
            }
            else
            {
                var s = 0.0;
                for (var j = t - half; j <= t + half; j++)
                {
                    s += x[j];
                }

                trend = s / m;
            }

            if (trend > 0)
            {
                sums[t % m] += x[t] / trend;
                counts[t % m]++;
            }
        }

        var total = 0.0;
        for (var k = 0; k < m; k++)
        {
            if (counts[k] == 0)
            {
                indices.Fill(1);
                return false;
            }

            sums[k] /= counts[k];
            total += sums[k];
        }

        var norm = total / m;
        for (var k = 0; k < m; k++)
        {
            indices[k] = sums[k] / norm;
            if (!(indices[k] >= MinimumIndex) || !double.IsFinite(indices[k]))
            {
                indices.Fill(1);
                return false;
            }
        }

        return true;
    }

    private static double SumOfSquares(ReadOnlySpan<double> x, double mean)
    {
        var sum = 0.0;
        foreach (var v in x)
        {
            sum += (v - mean) * (v - mean);
        }

        return sum;
    }

    private static double Autocorrelation(ReadOnlySpan<double> x, int lag, double mean, double denominator)
    {
        var s = 0.0;
        for (var t = lag; t < x.Length; t++)
        {
            s += (x[t] - mean) * (x[t - lag] - mean);
        }

        return s / denominator;
    }
}
