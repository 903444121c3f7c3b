using Shaping.Forecasting.Models;

namespace Shaping.Forecasting.Selection;

/// <summary>
/// Automatic ETS, as R's <c>forecast::ets</c> with its defaults: fits every admissible specification of error
/// A/M, trend N/A/Ad and season N/A/M by maximum likelihood and keeps the one with the smallest AICc.
/// </summary>
/// <remarks>
/// <para>
/// The candidate set is R's default one: no multiplicative trend, no additive error with a multiplicative season;
/// multiplicative components only for strictly positive data; seasonal models only for 2 ≤ m ≤ 24 with at least
/// three seasons of data; a specification only when the history has more than its parameter count plus four
/// observations.
/// </para>
/// <para>
/// Fallbacks, never a NaN forecast: a constant history gives a model forecasting that constant with
/// zero-width intervals; a history too short for every candidate (fewer than 7 points) gives the level-only
/// fallback: the naive forecast (last value) with the variance of the one-step changes, zero for a single point.
/// The returned model's <see cref="IForecastModel.Name"/> says which was used.
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
public sealed class AutoEtsForecaster : IForecaster
{
    /// <summary>Gets or initialises the Nelder-Mead evaluation budget per candidate model; at least 100.</summary>
    public int MaxEvaluationsPerModel
    {
        get;
        init => field = value >= 100 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "At least 100 evaluations are needed.");
    }

    = 2000;

    /// <summary>
    /// Gets or initialises how many candidate models are fitted at once; 1 (the default) fits them one after the
    /// other on the calling thread, which suits callers that already fit many series in parallel.
    /// </summary>
    public int MaxDegreeOfParallelism
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "At least 1.");
    }

    = 1;

    /// <inheritdoc/>
    public string Name => "AutoEts";

    /// <summary>Lists the specifications AutoEts would try for a history, in the order it tries them.</summary>
    /// <param name="length">The number of observations.</param>
    /// <param name="seasonalPeriod">The seasonal period; at least 1.</param>
    /// <param name="strictlyPositive">Whether every observation is above zero.</param>
    /// <returns>The candidate specifications; empty when the history is too short for any.</returns>
    public static IReadOnlyList<EtsSpecification> Candidates(int length, int seasonalPeriod, bool strictlyPositive)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seasonalPeriod, 1);
        var list = new List<EtsSpecification>();
        foreach (var error in (ReadOnlySpan<EtsErrorType>)[EtsErrorType.Additive, EtsErrorType.Multiplicative])
        {
            foreach (var trend in (ReadOnlySpan<EtsTrendType>)[EtsTrendType.None, EtsTrendType.Additive, EtsTrendType.AdditiveDamped])
            {
                foreach (var season in (ReadOnlySpan<EtsSeasonType>)[EtsSeasonType.None, EtsSeasonType.Additive, EtsSeasonType.Multiplicative])
                {
                    var spec = new EtsSpecification(error, trend, season);
                    if (spec.IsStable && EtsEstimator.CanFit(spec, length, seasonalPeriod, strictlyPositive))
                    {
                        list.Add(spec);
                    }
                }
            }
        }

        return list;
    }

    /// <inheritdoc/>
    public IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default)
    {
        var y = EtsFitting.Validate(history, seasonalPeriod, out var positive, out var constant);
        if (constant)
        {
            return EtsFitting.Constant(y, seasonalPeriod);
        }

        // Non-seasonal candidates first: a seasonal model may start from its non-seasonal sibling's smoothing
        // parameters when they fit better than R's default start.
        var candidates = Candidates(y.Length, seasonalPeriod, positive);
        var z = EtsFitting.Normalise(y, out var scale);
        var models = new EtsModel?[candidates.Count];
        var hints = new EtsParameterSet?[candidates.Count];
        FitAll(candidates, models, hints, z, scale, seasonalPeriod, seasonal: false, cancellationToken);
        for (var i = 0; i < candidates.Count; i++)
        {
            var spec = candidates[i];
            if (spec.Season == EtsSeasonType.None)
            {
                continue;
            }

            for (var k = 0; k < candidates.Count; k++)
            {
                if (models[k] is { } sibling && candidates[k] == spec with { Season = EtsSeasonType.None })
                {
                    hints[i] = sibling.Parameters;
                }
            }
        }

        FitAll(candidates, models, hints, z, scale, seasonalPeriod, seasonal: true, cancellationToken);
        EtsModel? best = null;
        foreach (var model in models)
        {
            if (model is not null && double.IsFinite(model.Summary.Aicc) && (best is null || model.Summary.Aicc < best.Summary.Aicc))
            {
                best = model;
            }
        }

        return best ?? EtsFitting.LevelOnly(y, seasonalPeriod);
    }

    private void FitAll(
        IReadOnlyList<EtsSpecification> candidates,
        EtsModel?[] models,
        EtsParameterSet?[] hints,
        double[] z,
        double scale,
        int seasonalPeriod,
        bool seasonal,
        CancellationToken cancellationToken)
    {
        void FitOne(int i)
        {
            if ((candidates[i].Season != EtsSeasonType.None) == seasonal)
            {
                models[i] = EtsEstimator.Fit(z, scale, seasonalPeriod, candidates[i], MaxEvaluationsPerModel, cancellationToken, hints[i]);
            }
        }

        if (MaxDegreeOfParallelism == 1)
        {
            for (var i = 0; i < candidates.Count; i++)
            {
                FitOne(i);
            }

            return;
        }

        var options = new ParallelOptions { MaxDegreeOfParallelism = MaxDegreeOfParallelism, CancellationToken = cancellationToken };
        Parallel.For(0, candidates.Count, options, FitOne);
    }
}
