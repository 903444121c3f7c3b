namespace Shaping.Forecasting.Models;

/// <summary>
/// The naive (random walk) baseline: every future value equals the last observation.
/// </summary>
/// <remarks>
/// <para>
/// Intervals are analytic: the residual standard deviation σ is the root mean square of the one-step differences
/// of the history, and the h-step forecast error has standard deviation σ√h. Quantiles are floored at 0 because
/// load is non-negative. A one-point history has no residuals, so σ = 0 and the intervals have zero width.
/// </para>
/// <para>
/// The model has no likelihood: <see cref="FitSummary.LogLikelihood"/> and the information criteria are NaN,
/// <see cref="FitSummary.Sigma2"/> is σ² and <see cref="FitSummary.Parameters"/> holds <c>sigma2</c>.
/// The seasonal period is accepted and reported, but not used.
/// </para>
/// <para><b>Thread safety:</b> the forecaster is stateless and thread-safe; the models it returns are not.</para>
/// </remarks>
public sealed class NaiveForecaster : IForecaster
{
    /// <summary>Gets the method's short name, <c>Naive</c>.</summary>
    public string Name => "Naive";

    /// <inheritdoc />
    public IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default)
    {
        BaselineMath.ValidateHistory(history, seasonalPeriod, nameof(history), nameof(seasonalPeriod));
        cancellationToken.ThrowIfCancellationRequested();
        var sigma2 = BaselineMath.LagDifferenceVariance(history, 1);
        return new NaiveModel(history[^1], sigma2, seasonalPeriod, history.Length, "Naive");
    }
}
