namespace Shaping.Forecasting.Models.Arima;

/// <summary>
/// Fits one seasonal ARIMA(p,d,q)(P,D,Q)m specification by exact maximum likelihood, as R's <c>arima</c> with its
/// default method "CSS-ML": the series is differenced, the ARMA coefficients (and the constant, if any) are started
/// at the conditional-sum-of-squares optimum, then the exact Gaussian likelihood of the differenced series is
/// maximised through a Kalman filter. Stationarity and invertibility are enforced by the partial-autocorrelation
/// transform of every AR and MA factor.
/// </summary>
/// <remarks>
/// <para>
/// Fallbacks, never a NaN forecast: a constant history gives a model forecasting that constant with zero-width
/// intervals; a history too short for the specification (no more than p + mP + k + 1 points after differencing, k
/// the coefficient count) or one where the likelihood cannot be evaluated gives ARIMA(0,1,0), the random walk (the
/// last value, σ² the mean squared change), or for a single point the constant model. The returned model's <see cref="IForecastModel.Name"/> says which.
/// </para>
/// <para><b>Non-negative output.</b> Demand is non-negative, so the model's means, quantiles and sample paths are
/// floored at 0, as the baselines floor theirs (an unconstrained model on a falling or intermittent series forecasts
/// negative load). Only negative values change; the fit and positive forecasts are as the unconstrained model gives them.</para>
/// <para>Stateless and thread-safe.</para>
/// </remarks>
public sealed class ArimaForecaster : IForecaster
{
    /// <summary>Creates a forecaster for one specification.</summary>
    /// <param name="specification">The orders to fit.</param>
    /// <exception cref="ArgumentNullException"><paramref name="specification"/> is null.</exception>
    public ArimaForecaster(ArimaSpecification specification)
    {
        ArgumentNullException.ThrowIfNull(specification);
        Specification = specification;
    }

    /// <summary>Gets the specification this forecaster fits.</summary>
    public ArimaSpecification Specification { get; }

    /// <summary>Gets or initialises the Nelder-Mead evaluation budget of each stage (CSS, then exact); at least 100.</summary>
    public int MaxEvaluations
    {
        get;
        init => field = value >= 100 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "At least 100 evaluations are needed.");
    }

    = 3000;

    /// <inheritdoc/>
    public string Name => Specification.ToString();

    /// <inheritdoc/>
    public IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default)
    {
        var y = ArimaFitting.Validate(history, seasonalPeriod, out var constant);
        if (constant)
        {
            return ArimaEstimator.Constant(y[0], seasonalPeriod, y.Length);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var model = ArimaFitting.FitExact(y, seasonalPeriod, Specification, MaxEvaluations, out _, cancellationToken);
        return model ?? ArimaFitting.Fallback(y, seasonalPeriod);
    }
}
