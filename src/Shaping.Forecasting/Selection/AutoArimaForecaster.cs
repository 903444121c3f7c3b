using Shaping.Forecasting.Models.Arima;

namespace Shaping.Forecasting.Selection;

/// <summary>
/// Automatic seasonal ARIMA in the manner of Hyndman and Khandakar (2008), R's <c>forecast::auto.arima</c> with its
/// defaults: D from the seasonal-strength test, d from repeated KPSS tests, then a stepwise search over (p, q, P, Q)
/// and the constant minimising AICc, starting from ARIMA(2,d,2)(1,D,1), (0,d,0)(0,D,0), (1,d,0)(1,D,0) and
/// (0,d,1)(0,D,1) with a constant and (0,d,0)(0,D,0) without, moving to the best ±1 neighbour until none improves.
/// </summary>
/// <remarks>
/// <para>
/// As auto.arima, the search fits by conditional sum of squares (with auto.arima's offset so the criteria sit on the
/// likelihood scale) when the series is longer than 150 points or m &gt; 12, then refits the winner by exact
/// maximum likelihood, falling back to the next best model when the refit is not admissible. A model whose AR or MA
/// roots lie within 1.01 of the unit circle is rejected. A constant (mean or drift) is considered only when
/// d + D ≤ 1.
/// </para>
/// <para>
/// <b>Deterministic by default.</b> The work is bounded by counts, not by time: at most <see cref="MaxModels"/>
/// specifications in the search (the start models are always fitted), at most <see cref="MaxEvaluations"/> optimiser
/// evaluations per fit and stage, and at most two exact refits. So the same history and settings give the same model
/// and forecasts on any machine, however loaded. On the 414 M4 hourly series (700 or 960 points, m = 24) the search fitted
/// 13 to 92 models (median 32) and a whole fit took 7.5 ms to 2.03 s of CPU time (median 113 ms). A wall-clock
/// <see cref="TimeBudget"/> can be set as well, at the price of that determinism.
/// </para>
/// <para>
/// Fallbacks, never a NaN forecast: a constant history gives a model forecasting that constant with zero-width
/// intervals; a history of two or three points, or one no model can be fitted to, gives the random walk ARIMA(0,1,0)
/// (the last value, σ² the mean squared change; for one point, the constant). The returned model's <see cref="IForecastModel.Name"/> says which.
/// </para>
/// <para><b>Non-negative output.</b> Demand is non-negative, so the model's means, quantiles and sample paths are
/// floored at 0, as the baselines floor theirs (an unconstrained model on a falling or intermittent series forecasts
/// negative load). Only negative values change; the fit and positive forecasts are as the unconstrained model gives them.</para>
/// <para>Stateless and thread-safe.</para>
/// </remarks>
public sealed class AutoArimaForecaster : IForecaster
{
    /// <summary>Gets or initialises the largest non-seasonal AR order p; 0 to 10 (R's max.p = 5).</summary>
    public int MaxAr { get; init => field = Check(value, 10); } = 5;

    /// <summary>Gets or initialises the largest non-seasonal MA order q; 0 to 10 (R's max.q = 5).</summary>
    public int MaxMa { get; init => field = Check(value, 10); } = 5;

    /// <summary>Gets or initialises the largest seasonal AR order P; 0 to 3 (R's max.P = 2).</summary>
    public int MaxSeasonalAr { get; init => field = Check(value, 3); } = 2;

    /// <summary>Gets or initialises the largest seasonal MA order Q; 0 to 3 (R's max.Q = 2).</summary>
    public int MaxSeasonalMa { get; init => field = Check(value, 3); } = 2;

    /// <summary>
    /// Gets or initialises the largest p + q + P + Q a neighbour may have; as in auto.arima's stepwise search, the
    /// start models are exempt. The default, 10, never binds with the default maxima.
    /// </summary>
    public int MaxOrder { get; init => field = Check(value, 40); } = 10;

    /// <summary>
    /// Gets or initialises the most models the stepwise search fits (R's nmodels = 94); the start models (up to five)
    /// are fitted even when this is smaller. A work bound, so it gives the same result on every machine.
    /// </summary>
    /// <value>The default value is 94; no M4 hourly series needed more than 92.</value>
    public int MaxModels { get; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "At least 1."); } = 94;

    /// <summary>
    /// Gets or initialises whether the search fits by conditional sum of squares; null (the default) does so, as
    /// auto.arima, when the series has more than 150 points or m &gt; 12.
    /// </summary>
    public bool? Approximation { get; init; }

    /// <summary>
    /// Gets or initialises an optional wall-clock budget on top of the work bounds: once it is spent no new candidate
    /// is fitted and a running optimisation stops at its next restart (every 400 evaluations), keeping the best so far;
    /// the exact refits stop at twice the budget.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: no time limit, only the work bounds.</value>
    /// <remarks>
    /// <b>A budget makes the result depend on the machine's speed and load</b>: the same series can get another model,
    /// or less converged coefficients, on a busy machine than on a quiet one. Set it only where a bound on latency
    /// matters more than reproducible forecasts. Without it, the work bounds alone keep an M4 hourly fit to about 2 s of CPU
    /// time (2.03 s at most).
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan? TimeBudget
    {
        get;
        init => field = value is null || value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The budget must be positive.");
    }

    /// <summary>
    /// Gets or initialises the clock that measures <see cref="TimeBudget"/>; the system clock by default. It is not
    /// read when there is no budget.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public TimeProvider TimeProvider { get; init => field = value ?? throw new ArgumentNullException(nameof(value)); } = TimeProvider.System;

    /// <summary>
    /// Gets or initialises the Nelder-Mead evaluation budget per candidate and stage (one conditional-sum-of-squares or
    /// Kalman filter pass per evaluation); at least 100. A work bound, so it gives the same result on every machine.
    /// </summary>
    /// <value>The default value is 2,000.</value>
    /// <remarks>
    /// The budget is granted to the optimiser's runs of up to 400 as the Nelder-Mead counts its moves; each run also
    /// evaluates its starting simplex and may end its last move a little past its grant, so a stage with k coefficients
    /// evaluates at most MaxEvaluations + ⌈MaxEvaluations / 400⌉·(2k + 3) + 1 times (2,069 at most on M4 hourly).
    /// The search's exact stages (for series of at most 150 points with m ≤ 12) use at most 300.
    /// </remarks>
    public int MaxEvaluations
    {
        get;
        init => field = value >= 100 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "At least 100 evaluations are needed.");
    }

    = 2000;

    /// <inheritdoc/>
    public string Name => "AutoArima";

    /// <summary>
    /// Gets or initialises how many search winners are refitted exactly before the best search model is kept with its
    /// CSS coefficients (auto.arima refits down the whole list until one is admissible; 0 skips the exact refit).
    /// </summary>
    internal int MaxRefits { get; init; } = 2;

    /// <inheritdoc/>
    public IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default) =>
        Fit(history, seasonalPeriod, log: null, cancellationToken);

    /// <summary>Fits as <see cref="Fit(ReadOnlySpan{double}, int, CancellationToken)"/>, counting the work in <paramref name="log"/>.</summary>
    internal IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, ArimaWorkLog? log, CancellationToken cancellationToken)
    {
        var y = ArimaFitting.Validate(history, seasonalPeriod, out var constant);
        if (constant)
        {
            return ArimaEstimator.Constant(y[0], seasonalPeriod, y.Length);
        }

        var started = TimeBudget is null ? 0 : TimeProvider.GetTimestamp();
        var n = y.Length;
        if (n <= 3)
        {
            // Too short for any model with a mean (the estimator needs k + 3 points for k coefficients): the search
            // would keep the zero-mean white noise, which forecasts 0 whatever the level. The random walk instead.
            return ArimaFitting.Fallback(y, seasonalPeriod);
        }

        var m = seasonalPeriod;
        var maxP = Math.Min(MaxAr, n / 3);
        var maxQ = Math.Min(MaxMa, n / 3);
        var maxSP = m > 1 ? Math.Min(MaxSeasonalAr, n / 3 / m) : 0;
        var maxSQ = m > 1 ? Math.Min(MaxSeasonalMa, n / 3 / m) : 0;
        var seasonalD = m > 1 && m < n && n > 2 * m ? UnitRootTests.Nsdiffs(y, m) : 0;
        var dx = seasonalD > 0 ? ArimaMath.Difference(y, ArimaMath.DifferencingPolynomial(0, 1, m)) : y;
        var d = UnitRootTests.Ndiffs(dx, 2);
        var delta = ArimaMath.DifferencingPolynomial(d, seasonalD, m);
        var w = ArimaMath.Difference(y, delta);
        if (w.Length < 3)
        {
            return ArimaFitting.Fallback(y, m);
        }

        if (UnitRootTests.IsConstant(w))
        {
            return ConstantDifferences(y, w, d, seasonalD, m);
        }

        if (m > 1)
        {
            if (maxSP > 0)
            {
                maxP = Math.Min(maxP, m - 1);
            }

            if (maxSQ > 0)
            {
                maxQ = Math.Min(maxQ, m - 1);
            }
        }

        var approximate = Approximation ?? (n > 150 || m > 12);
        var offset = 0.0;
        if (approximate)
        {
            var sigma0 = 0.0;
            foreach (var v in w)
            {
                sigma0 += v * v;
            }

            sigma0 /= w.Length;
            var logLik0 = -0.5 * w.Length * (Math.Log(2 * Math.PI * sigma0) + 1);
            offset = (-2 * logLik0) - (n * Math.Log(sigma0));
        }

        var allowConstant = d + seasonalD <= 1;
        var search = new Search(this, w, m, approximate, offset, started, log, cancellationToken);
        var startP = Math.Min(n < 10 ? 1 : 2, maxP);
        var startQ = Math.Min(n < 10 ? 1 : 2, maxQ);
        var startSP = Math.Min(m > 1 ? 1 : 0, maxSP);
        var startSQ = Math.Min(m > 1 ? 1 : 0, maxSQ);
        var best = search.Try(startP, d, startQ, startSP, seasonalD, startSQ, allowConstant, force: true);
        search.Try(0, d, 0, 0, seasonalD, 0, allowConstant, force: true);
        if (maxP > 0 || maxSP > 0)
        {
            search.Try(maxP > 0 ? 1 : 0, d, 0, maxSP > 0 ? 1 : 0, seasonalD, 0, allowConstant, force: true);
        }

        if (maxQ > 0 || maxSQ > 0)
        {
            search.Try(0, d, maxQ > 0 ? 1 : 0, 0, seasonalD, maxSQ > 0 ? 1 : 0, allowConstant, force: true);
        }

        if (allowConstant)
        {
            search.Try(0, d, 0, 0, seasonalD, 0, false, force: true);
        }

        best = search.Best;
        while (best is not null && !search.Exhausted)
        {
            var s = best.Specification;
            int p = s.Ar, q = s.Ma, sp = s.SeasonalAr, sq = s.SeasonalMa;
            var c = s.IncludeConstant;
            (int P, int Q, int SP, int SQ, bool C)[] moves =
            [
                (p, q, sp - 1, sq, c), (p, q, sp, sq - 1, c), (p, q, sp + 1, sq, c), (p, q, sp, sq + 1, c),
                (p, q, sp - 1, sq - 1, c), (p, q, sp - 1, sq + 1, c), (p, q, sp + 1, sq - 1, c), (p, q, sp + 1, sq + 1, c),
                (p - 1, q, sp, sq, c), (p, q - 1, sp, sq, c), (p + 1, q, sp, sq, c), (p, q + 1, sp, sq, c),
                (p - 1, q - 1, sp, sq, c), (p - 1, q + 1, sp, sq, c), (p + 1, q - 1, sp, sq, c), (p + 1, q + 1, sp, sq, c),
                (p, q, sp, sq, !c),
            ];
            var improved = false;
            foreach (var move in moves)
            {
                if (move.P < 0 || move.Q < 0 || move.SP < 0 || move.SQ < 0 || move.P > maxP || move.Q > maxQ
                    || move.SP > maxSP || move.SQ > maxSQ || (move.C && !allowConstant)
                    || move.P + move.Q + move.SP + move.SQ > MaxOrder)
                {
                    continue;
                }

                search.Try(move.P, d, move.Q, move.SP, seasonalD, move.SQ, move.C, force: false);
                if (search.Best is not null && !ReferenceEquals(search.Best, best))
                {
                    best = search.Best;
                    improved = true;
                    break;
                }

                if (search.Exhausted)
                {
                    break;
                }
            }

            if (!improved)
            {
                break;
            }
        }

        return search.Finish(y, delta) ?? ArimaFitting.Fallback(y, m);
    }

    private static int Check(int value, int max) =>
        value >= 0 && value <= max ? value : throw new ArgumentOutOfRangeException(nameof(value), value, $"Must be in [0, {max}].");

    // auto.arima's handling of a series that is constant after differencing: ARIMA(0,d,0)(0,D,0), with the
    // constant as drift when d + D = 1 and it is not zero.
    private static ArimaModel ConstantDifferences(double[] y, double[] w, int d, int seasonalD, int m)
    {
        var withConstant = d + seasonalD <= 1 && w[0] != 0;
        var spec = new ArimaSpecification(0, d, 0, 0, seasonalD, 0, withConstant);
        var parameters = new Dictionary<string, double>(StringComparer.Ordinal) { ["sigma2"] = 0 };
        if (withConstant)
        {
            parameters[d + seasonalD == 0 ? "intercept" : "drift"] = w[0] / (seasonalD == 1 ? m : 1);
        }

        var summary = new FitSummary(parameters, double.NaN, double.NaN, double.NaN, double.NaN, 0, w.Length);
        var delta = ArimaMath.DifferencingPolynomial(d, seasonalD, m);
        return new ArimaModel(spec.ToString(m), m, spec, [], [], withConstant ? w[0] : 0, 0, delta, y, [0.0], [1.0], summary);
    }

    /// <summary>The models fitted so far, the best one, and the bounds.</summary>
    private sealed class Search(
        AutoArimaForecaster owner, double[] w, int m, bool approximate, double offset, long started, ArimaWorkLog? log, CancellationToken cancellationToken)
    {
        private const double MinimumRoot = 1.01;

        private readonly Dictionary<ArimaSpecification, ArimaFitResult?> _fitted = [];

        public ArimaFitResult? Best { get; private set; }

        /// <summary>Gets whether the search may fit no more models: <see cref="MaxModels"/> reached, or the opt-in time budget spent.</summary>
        public bool Exhausted => _fitted.Count >= owner.MaxModels || Elapsed(1);

        /// <summary>
        /// The optimiser's stop signal: only the opt-in time budget (null without one, so no clock is read). The model
        /// count does not cut a fit short: a forced start model is fitted in full even when <see cref="MaxModels"/> is
        /// smaller than the number of start models.
        /// </summary>
        private Func<bool>? SearchExpired => owner.TimeBudget is null ? null : () => Elapsed(1);

        private Func<bool>? RefitExpired => owner.TimeBudget is null ? null : () => Elapsed(2);

        // Whether the opt-in budget, times the factor, is spent; false without a budget.
        private bool Elapsed(int factor) =>
            owner.TimeBudget is { } budget && owner.TimeProvider.GetElapsedTime(started) / factor > budget; // no overflow at TimeSpan.MaxValue

        public ArimaFitResult? Try(int p, int d, int q, int sp, int seasonalD, int sq, bool constant, bool force)
        {
            var spec = new ArimaSpecification(p, d, q, sp, seasonalD, sq, constant);
            if (_fitted.TryGetValue(spec, out var known))
            {
                return known;
            }

            if (!force && Exhausted)
            {
                return null;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var fit = ArimaEstimator.Fit(w, spec, m, exact: !approximate, owner.MaxEvaluations, offset, out _, SearchExpired, quick: true, log: log, cancellationToken: cancellationToken);
            if (fit is not null && (fit.MinRoot < MinimumRoot || !double.IsFinite(fit.Aicc)))
            {
                fit = null;
            }

            _fitted[spec] = fit;
            if (fit is not null && (Best is null || fit.Aicc < Best.Aicc))
            {
                Best = fit;
            }

            return fit;
        }

        /// <summary>
        /// Refits the models exactly, best first, until one is admissible (as auto.arima), and builds its model. After
        /// two inadmissible refits (or, with a time budget, at twice the budget), the best search model is kept with its
        /// search parameters (filtered exactly).
        /// </summary>
        public ArimaModel? Finish(double[] y, double[] delta)
        {
            if (log is not null)
            {
                log.ModelsFitted = _fitted.Count;
            }

            var ranked = _fitted.Values.Where(f => f is not null).Select(f => f!).OrderBy(f => f.Aicc).ToList();
            var attempts = 0;
            foreach (var candidate in ranked)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!approximate || owner.MaxRefits == 0)
                {
                    return Build(candidate, y, delta);
                }

                if (log is not null)
                {
                    log.Refits++;
                }

                var fit = ArimaEstimator.Fit(w, candidate.Specification, m, exact: true, owner.MaxEvaluations, 0, out var problem, RefitExpired, quick: false, start: candidate.Raw, log: log, cancellationToken: cancellationToken);
                if (fit is not null && fit.MinRoot >= MinimumRoot && double.IsFinite(fit.Aicc))
                {
                    return ArimaEstimator.CreateModel(problem, fit, y, delta, m);
                }

                if (Elapsed(2) || ++attempts >= owner.MaxRefits)
                {
                    break;
                }
            }

            return ranked.Count > 0 ? Build(ranked[0], y, delta) : null;
        }

        // The model at a search fit's own parameters, filtered exactly to get the forecast state.
        private ArimaModel? Build(ArimaFitResult fit, double[] y, double[] delta)
        {
            var problem = new ArimaProblem(fit.Specification, m, w);
            if (problem.Exact(fit.Raw) >= 1e9)
            {
                return null;
            }

            var logLik = problem.LogLikelihood();
            var sigma2 = problem.SumOfSquares / problem.Used;
            var exactFit = fit.Exact ? fit : fit with { LogLikelihood = logLik, Sigma2 = sigma2 };
            return ArimaEstimator.CreateModel(problem, exactFit, y, delta, m);
        }
    }
}
