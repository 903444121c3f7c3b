namespace Shaping.Forecasting.Models;

/// <summary>
/// Fits one ETS specification by maximum likelihood (Hyndman, Koehler, Ord and Snyder 2008): the smoothing
/// parameters within the usual bounds (alpha, beta ≤ alpha, gamma ≤ 1 − alpha in [1e-4, 0.9999], phi in
/// [0.8, 0.98]) and the initial states, by MathNet's Nelder-Mead simplex from R's decomposition-based start.
/// </summary>
/// <remarks>
/// <para>
/// Fallbacks, never a NaN forecast: a constant history gives a model that forecasts the constant with
/// zero-width intervals; a history the specification cannot be fitted to (multiplicative components with a
/// zero value, a season with fewer than three seasons of data or m &gt; 24, or no more than the parameter
/// count plus four observations) is fitted without its season if that works, otherwise gets the level-only
/// fallback (the naive forecast with the variance of the one-step changes). The model's
/// <see cref="IForecastModel.Name"/> says which model was used.
/// </para>
/// <para><b>Non-negative output.</b> Demand is non-negative, so the model's means, quantiles and sample paths are
/// floored at 0, as the baselines floor theirs (an unconstrained model on a falling or intermittent series forecasts
/// negative load). Only negative values change; the fit and positive forecasts are as the unconstrained model gives them.</para>
/// <para><b>Multiplicative models: point forecast and intervals.</b> The point forecast is the state-space projection
/// (as R's <c>forecast.ets</c> gives it); the intervals of a model with a multiplicative error or season are simulated.
/// A multiplicative error assumes 1 + ε &gt; 0; a simulated step at or below zero is held at zero and the states follow
/// it, so a path that hits zero stays near it when α is close to 1. On a model with a large relative error (σ about
/// 0.4 or more, √<see cref="FitSummary.Sigma2"/>) and α near 1, as fitted across a spike or a shift of orders of
/// magnitude, a growing share of the paths collapses over the horizon: the lower quantiles are 0 and the point
/// forecast can lie above even the 90 % quantile (a 100-fold level shift: mean 1,004, 80 % interval [0, 162] 48 steps
/// ahead). Compare with an additive model, or calibrate the intervals, for such series.</para>
/// <para><b>Units.</b> The fit runs on the history rescaled to mean 1,000, so it does not depend on the series' units:
/// fitting c·y for any c &gt; 0 gives the same model, c × the forecasts, quantiles and sample paths, and after
/// <see cref="IForecastModel.Update"/> with c × the observations still c × the outputs (up to rounding), as long as
/// the mean of c·y is at least about 2.2e-305 (1,000 × the smallest normal double). A history of smaller values is
/// fitted at that floor, so its model may differ from the one fitted on the series scaled up, but it forecasts and
/// updates finitely. The summary's
/// initial states and additive-error variance are in the series' units; its likelihood and criteria are those of the
/// data as given (they shift by −n log c and +2n log c).</para>
/// <para>Stateless and thread-safe.</para>
/// </remarks>
public sealed class EtsForecaster : IForecaster
{
    /// <summary>Creates a forecaster for one specification.</summary>
    /// <param name="specification">The ETS specification to fit.</param>
    public EtsForecaster(EtsSpecification specification)
    {
        Specification = specification;
    }

    /// <summary>Gets the specification this forecaster fits.</summary>
    public EtsSpecification Specification { get; }

    /// <summary>Gets or initialises the Nelder-Mead evaluation budget per fit (R's equivalent is maxit = 2000); at least 100.</summary>
    public int MaxEvaluations
    {
        get;
        init => field = value >= 100 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "At least 100 evaluations are needed.");
    }

    = 2000;

    /// <inheritdoc/>
    public string Name => Specification.ToString();

    /// <inheritdoc/>
    public IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default)
    {
        var y = EtsFitting.Validate(history, seasonalPeriod, out var positive, out var constant);
        if (constant)
        {
            return EtsFitting.Constant(y, seasonalPeriod);
        }

        var spec = Specification;
        if (!EtsEstimator.CanFit(spec, y.Length, seasonalPeriod, positive))
        {
            spec = spec with { Season = EtsSeasonType.None };
            if (!positive)
            {
                spec = spec with { Error = EtsErrorType.Additive };
            }
        }

        if (EtsEstimator.CanFit(spec, y.Length, seasonalPeriod, positive))
        {
            var z = EtsFitting.Normalise(y, out var scale);
            var model = EtsEstimator.Fit(z, scale, seasonalPeriod, spec, MaxEvaluations, cancellationToken);
            if (model is not null)
            {
                return model;
            }
        }

        return EtsFitting.LevelOnly(y, seasonalPeriod);
    }
}
