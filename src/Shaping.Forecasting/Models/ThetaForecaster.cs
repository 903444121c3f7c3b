namespace Shaping.Forecasting.Models;

/// <summary>
/// The Theta method as the M4 organisers' benchmark runs it (<c>forecast::thetaf</c>, Assimakopoulos and
/// Nikolopoulos 2000, as shown equivalent to simple exponential smoothing with drift by Hyndman and Billah 2003):
/// SES on the seasonally adjusted series plus half the slope of its linear trend.
/// </summary>
/// <remarks>
/// <para>
/// <b>Season.</b> When the M4 90 % seasonality test passes (as for Naive2), the history is divided by the
/// classical multiplicative decomposition's seasonal indices and the forecasts are multiplied back (unless an index
/// is not finite or below 10⁻¹⁰⁰, as for Naive2: then the series is treated as not seasonal).
/// </para>
/// <para>
/// <b>Fit.</b> SES's α ∈ [1e-4, 0.9999] and initial level minimise the in-sample squared one-step error (Nelder–Mead);
/// b is half the least-squares slope of the adjusted series on time. The h-step forecast is
/// ℓ_n + b·(h − 1 + (1 − (1 − α)^n)/α), times the seasonal index. Intervals are SES's Gaussian intervals,
/// σ²(1 + α²(h − 1)) on the adjusted scale, floored at 0; paths simulate the SES errors around the drifted mean.
/// </para>
/// <para>
/// <b>Update</b> absorbs an observation in O(1): the SES level moves and n grows; b is kept until the next fit.
/// A constant history forecasts the constant with zero-width intervals.
/// </para>
/// <para><b>Thread safety:</b> the forecaster is stateless and thread-safe; the models it returns are not.</para>
/// </remarks>
public sealed class ThetaForecaster : IForecaster
{
    /// <summary>Gets the method's short name, <c>Theta</c>.</summary>
    public string Name => "Theta";

    /// <inheritdoc />
    public IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default)
    {
        BaselineMath.ValidateHistory(history, seasonalPeriod, nameof(history), nameof(seasonalPeriod));
        cancellationToken.ThrowIfCancellationRequested();
        var n = history.Length;
        var indices = ClassicalDecomposition.IndicesOrOne(history, seasonalPeriod, out var seasonal);
        var m = indices.Length; // seasonalPeriod when seasonal, 1 otherwise

        var adjusted = new double[n];
        for (var t = 0; t < n; t++)
        {
            adjusted[t] = history[t] / indices[t % m];
        }

        var slope = LeastSquaresSlope(adjusted);
        var (alpha, initialLevel) = FitSes(adjusted);
        var level = initialLevel;
        var sum = 0.0;
        for (var t = 0; t < n; t++)
        {
            var error = adjusted[t] - level;
            sum += error * error;
            level += alpha * error;
        }

        var sigma2 = sum / n;
        return new ThetaModel(indices, seasonalPeriod, level, alpha, slope / 2, n, n % m, sigma2, seasonal);
    }

    /// <summary>The least-squares slope of x on 0, 1, …, n − 1 (<c>lsfit</c>); 0 for a single value.</summary>
    internal static double LeastSquaresSlope(ReadOnlySpan<double> x)
    {
        var n = x.Length;
        if (n < 2)
        {
            return 0;
        }

        var meanT = (n - 1) / 2.0;
        var meanX = 0.0;
        foreach (var v in x)
        {
            meanX += v;
        }

        meanX /= n;
        var sxy = 0.0;
        var stt = 0.0;
        for (var t = 0; t < n; t++)
        {
            sxy += (t - meanT) * (x[t] - meanX);
            stt += (t - meanT) * (t - meanT);
        }

        return sxy / stt;
    }

    private static (double Alpha, double Level) FitSes(double[] x)
    {
        var first = x[0];
        var scale = Math.Max(1e-8, x.Select(Math.Abs).Average());
        double Sse(double[] p)
        {
            var alpha = Math.Clamp(p[0], 1e-4, 0.9999);
            var penalty = Math.Abs(p[0] - alpha) * 1e6;
            var level = p[1] * scale;
            var sum = 0.0;
            foreach (var v in x)
            {
                var e = v - level;
                sum += e * e;
                level += alpha * e;
            }

            return (sum / (scale * scale)) + penalty;
        }

        var best = NelderMead.Minimise(Sse, [0.5, first / scale], [0.2, 0.1], 1000, 1e-10);
        return (Math.Clamp(best[0], 1e-4, 0.9999), best[1] * scale);
    }
}
