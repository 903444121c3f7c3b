namespace Shaping.Forecasting.Models;

/// <summary>
/// Naive2, the M4 competition's reference benchmark: the naive forecast of the seasonally adjusted series,
/// re-seasonalised.
/// </summary>
/// <remarks>
/// <para>
/// As the M4 organisers define it: the series is tested for seasonality at lag m with the 90 % autocorrelation test
/// (|acf_m| &gt; 1.645·√((1 + 2Σ_{k=1}^{m−1} acf_k²)/n); a series shorter than 3m, m = 1 or a constant series is
/// treated as not seasonal). When seasonal, a classical multiplicative decomposition (centred moving average of
/// order m, 2×m for even m; per-position mean ratios normalised to mean 1) gives seasonal indices; the series is
/// divided by them, its last value is carried forward and multiplied back by the index of each future position.
/// When not seasonal, Naive2 is the naive random walk.
/// </para>
/// <para>
/// Intervals: σ is the root mean square one-step difference of the seasonally adjusted series; the h-step
/// quantile is index_h · max(0, level + z·σ√h). Sample paths are the adjusted random walk times the indices.
/// If the decomposition gives an index that is not finite or below 10⁻¹⁰⁰ (series with zeros, or a season 10¹⁰⁰
/// times smaller than the trend, whose index would turn an update at that position into an overflow), the indices
/// are set to 1 (not seasonal). <see cref="FitSummary.Parameters"/> holds <c>sigma2</c> (adjusted scale) and
/// <c>seasonal</c> (1 when the test passed); likelihood and information criteria are NaN.
/// </para>
/// <para><b>Thread safety:</b> the forecaster is stateless and thread-safe; the models it returns are not.</para>
/// </remarks>
public sealed class Naive2Forecaster : IForecaster
{
    /// <summary>Gets the method's short name, <c>Naive2</c>.</summary>
    public string Name => "Naive2";

    /// <inheritdoc />
    public IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default)
    {
        BaselineMath.ValidateHistory(history, seasonalPeriod, nameof(history), nameof(seasonalPeriod));
        cancellationToken.ThrowIfCancellationRequested();
        var indices = ClassicalDecomposition.IndicesOrOne(history, seasonalPeriod, out var seasonal);
        var m = indices.Length; // seasonalPeriod when seasonal, 1 otherwise
        var n = history.Length;
        var sum = 0.0;
        for (var t = 1; t < n; t++)
        {
            var d = (history[t] / indices[t % m]) - (history[t - 1] / indices[(t - 1) % m]);
            sum += d * d;
        }

        var sigma2 = n > 1 ? sum / (n - 1) : 0;
        var level = history[n - 1] / indices[(n - 1) % m];
        return new Naive2Model(indices, seasonalPeriod, level, n % m, sigma2, seasonal, n);
    }
}
