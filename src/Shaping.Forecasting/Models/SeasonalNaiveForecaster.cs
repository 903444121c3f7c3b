namespace Shaping.Forecasting.Models;

/// <summary>
/// The seasonal naive baseline: every future value equals the observation one season (m steps) earlier.
/// </summary>
/// <remarks>
/// <para>
/// Intervals are analytic: σ is the root mean square of the lag-m differences of the history, and the h-step
/// forecast error has standard deviation σ√(⌊(h−1)/m⌋+1) (one more seasonal step of noise per full season ahead).
/// Quantiles and simulated paths (a seasonal random walk with Gaussian noise) are floored at 0 because load is
/// non-negative.
/// </para>
/// <para>
/// <b>Fallback:</b> a history shorter than m + 1 values (no full season plus one residual), or m = 1, is fitted
/// as the naive random walk (<see cref="NaiveForecaster"/>); the model's <see cref="IForecastModel.Name"/> then
/// reads <c>SeasonalNaive(fallback: Naive)</c>.
/// </para>
/// <para>
/// The model has no likelihood: <see cref="FitSummary.LogLikelihood"/> and the information criteria are NaN,
/// <see cref="FitSummary.Sigma2"/> is σ² and <see cref="FitSummary.Parameters"/> holds <c>sigma2</c>.
/// </para>
/// <para><b>Thread safety:</b> the forecaster is stateless and thread-safe; the models it returns are not.</para>
/// </remarks>
public sealed class SeasonalNaiveForecaster : IForecaster
{
    /// <summary>Gets the method's short name, <c>SeasonalNaive</c>.</summary>
    public string Name => "SeasonalNaive";

    /// <inheritdoc />
    public IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default)
    {
        BaselineMath.ValidateHistory(history, seasonalPeriod, nameof(history), nameof(seasonalPeriod));
        cancellationToken.ThrowIfCancellationRequested();
        if (seasonalPeriod == 1 || history.Length <= seasonalPeriod) // not n < m + 1, which overflows for m = int.MaxValue
        {
            return new NaiveModel(
                history[^1], BaselineMath.LagDifferenceVariance(history, 1), seasonalPeriod, history.Length,
                "SeasonalNaive(fallback: Naive)");
        }

        var sigma2 = BaselineMath.LagDifferenceVariance(history, seasonalPeriod);
        return new SeasonalNaiveModel(history[^seasonalPeriod..], sigma2, history.Length);
    }
}
