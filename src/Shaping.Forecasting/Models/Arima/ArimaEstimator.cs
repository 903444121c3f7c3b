using System.Globalization;

namespace Shaping.Forecasting.Models.Arima;

/// <summary>
/// Fits one ARIMA specification as R's <c>arima</c> does: difference first, then the conditional sum of squares
/// (CSS) from zero starting values, then (for an exact fit) the exact Gaussian likelihood from the CSS optimum
/// (R's default "CSS-ML"), both by the project's Nelder-Mead on the transformed parameters.
/// </summary>
internal static class ArimaEstimator
{
    /// <summary>The Nelder-Mead relative tolerance of the CSS stage (on ½ log σ²).</summary>
    private const double CssTolerance = 1e-7;

    /// <summary>The Nelder-Mead relative tolerance of the exact stage (on R's concentrated objective).</summary>
    private const double ExactTolerance = 1e-8;

    /// <summary>The exact-stage evaluation cap in quick mode: the exact stage starts at the CSS optimum, close to its own.</summary>
    private const int QuickExactEvaluations = 300;

    /// <summary>How many evaluations one Nelder-Mead run may use before it is restarted from its best vertex.</summary>
    private const int RestartEvaluations = 400;

    /// <summary>
    /// Nelder-Mead in runs of <see cref="RestartEvaluations"/>, each restarted from the previous run's best vertex
    /// with a halved simplex, until a run no longer improves the objective, the budget is spent, or
    /// <paramref name="expired"/> says the caller's time is up. Restarts also guard against a collapsed simplex.
    /// <paramref name="cancellationToken"/> is checked before every objective evaluation (one Kalman or CSS pass, far
    /// dearer than the check), so a cancelled fit stops within one evaluation.
    /// <paramref name="maxEvaluations"/> is granted to the runs as the Nelder-Mead counts its moves: a run also
    /// evaluates its starting simplex (k + 1 points for k parameters), may end its last move up to k + 1 evaluations
    /// past its grant, and its result is evaluated once more; so one call evaluates the objective at most
    /// maxEvaluations + R·(2k + 3) + 1 times, R = ⌈maxEvaluations / 400⌉ runs (2,000 gives at most 2,000 + 5·(2k + 3) + 1).
    /// </summary>
    internal static double[] Minimise(
        Func<double[], double> objective, double[] start, double[] step, int maxEvaluations, double tolerance, Func<bool>? expired,
        CancellationToken cancellationToken = default)
    {
        if (cancellationToken.CanBeCanceled)
        {
            var inner = objective;
            objective = point =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                return inner(point);
            };
        }

        var x = (double[])start.Clone();
        var fx = objective(x);
        var steps = (double[])step.Clone();
        var used = 0;
        while (used < maxEvaluations)
        {
            var budget = Math.Min(RestartEvaluations, maxEvaluations - used);
            var candidate = (double[])NelderMead.Minimise(objective, x, steps, budget, tolerance).Clone();
            used += budget;
            var fc = objective(candidate);
            var improvement = fx - fc;
            if (fc < fx)
            {
                x = candidate;
                fx = fc;
            }

            if (!(improvement > tolerance * (Math.Abs(fx) + 1e-10)) || (expired?.Invoke() ?? false))
            {
                break;
            }

            for (var i = 0; i < steps.Length; i++)
            {
                steps[i] *= 0.5;
            }
        }

        return x;
    }

    /// <summary>Fits the differenced series <paramref name="w"/>; null when it is too short for the specification.</summary>
    /// <param name="w">The differenced series.</param>
    /// <param name="specification">The orders.</param>
    /// <param name="m">The seasonal period.</param>
    /// <param name="exact">Whether to finish with exact maximum likelihood; otherwise CSS only.</param>
    /// <param name="maxEvaluations">The Nelder-Mead budget per stage.</param>
    /// <param name="cssOffset">auto.arima's offset that puts CSS information criteria on the likelihood scale.</param>
    /// <param name="problem">Receives the problem, left at the optimum (and filtered, for an exact fit).</param>
    /// <param name="expired">Polled between optimiser restarts; when it returns true the best point so far is kept.</param>
    /// <param name="start">A starting point for the exact stage (a search's CSS optimum); when given, the CSS stage is skipped.</param>
    /// <param name="quick">Looser tolerances (CSS 1e-6, exact 1e-7; criteria accurate to about 0.01) for a model search.</param>
    /// <param name="log">When given, receives each optimiser stage's evaluation count.</param>
    /// <param name="cancellationToken">Checked before every objective evaluation.</param>
    /// <returns>The fit, or null.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    internal static ArimaFitResult? Fit(
        double[] w, ArimaSpecification specification, int m, bool exact, int maxEvaluations, double cssOffset, out ArimaProblem problem,
        Func<bool>? expired = null, bool quick = false, double[]? start = null, ArimaWorkLog? log = null, CancellationToken cancellationToken = default)
    {
        problem = new ArimaProblem(specification, m, w);
        var k = problem.ParameterCount;
        var nstar = w.Length;
        if (nstar - problem.PhiLength <= k + 1 || nstar <= k + 2)
        {
            return null;
        }

        var origin = new double[k];
        var step = new double[k];
        Array.Fill(step, 0.1);
        if (problem.HasConstant)
        {
            step[k - 1] = 1.0;
        }

        double[] raw;
        if (start is not null && exact)
        {
            raw = (double[])start.Clone();
        }
        else if (k == 0)
        {
            raw = origin;
        }
        else
        {
            Func<double[], double> css = problem.Css;
            raw = Minimise(log?.Counting(css) ?? css, origin, step, maxEvaluations, quick ? 1e-6 : CssTolerance, expired, cancellationToken);
            log?.EndStage(exact: false, refit: false, k, maxEvaluations);
        }

        var cssValue = problem.Css(raw);
        if (cssValue >= 1e9)
        {
            Array.Clear(raw);
            cssValue = problem.Css(raw);
        }

        double logLik;
        double sigma2;
        double aic;
        var npar = k + 1;
        if (exact)
        {
            if (k > 0)
            {
                Array.Fill(step, 0.05);
                if (problem.HasConstant)
                {
                    step[k - 1] = 0.5;
                }

                var budget = quick ? Math.Min(maxEvaluations, QuickExactEvaluations) : maxEvaluations;
                Func<double[], double> likelihood = problem.Exact;
                raw = Minimise(log?.Counting(likelihood) ?? likelihood, raw, step, budget, quick ? 1e-7 : ExactTolerance, expired, cancellationToken);
                log?.EndStage(exact: true, refit: start is not null, k, budget);
            }

            if (problem.Exact(raw) >= 1e9)
            {
                return null;
            }

            logLik = problem.LogLikelihood();
            sigma2 = problem.SumOfSquares / problem.Used;
            aic = (-2 * logLik) + (2 * npar);
        }
        else
        {
            if (cssValue >= 1e9)
            {
                return null;
            }

            sigma2 = problem.SumOfSquares / problem.Used;
            logLik = -0.5 * nstar * (Math.Log(2 * Math.PI * sigma2) + 1);
            aic = cssOffset + (nstar * Math.Log(sigma2)) + (2 * npar);
        }

        if (!double.IsFinite(aic))
        {
            return null;
        }

        var bic = aic + (npar * (Math.Log(nstar) - 2));
        var aicc = nstar - npar - 1 > 0 ? aic + (2.0 * npar * (npar + 1) / (nstar - npar - 1)) : double.PositiveInfinity;
        var minRoot = MinRoot(problem, m);
        return new ArimaFitResult(specification, raw, logLik, sigma2, aic, aicc, bic, minRoot, exact);
    }

    /// <summary>The smallest root modulus over the AR, seasonal AR, MA and seasonal MA factors (seasonal ones in B).</summary>
    internal static double MinRoot(ArimaProblem problem, int m)
    {
        var min = ArimaMath.MinRootModulus(problem.ArCoefficients, -1, 1);
        min = Math.Min(min, ArimaMath.MinRootModulus(problem.SeasonalArCoefficients, -1, m));
        min = Math.Min(min, ArimaMath.MinRootModulus(problem.MaCoefficients, 1, 1));
        return Math.Min(min, ArimaMath.MinRootModulus(problem.SeasonalMaCoefficients, 1, m));
    }

    /// <summary>Builds the forecasting model from an exact fit whose problem was left filtered at the optimum.</summary>
    internal static ArimaModel CreateModel(ArimaProblem problem, ArimaFitResult fit, double[] y, double[] delta, int m)
    {
        var spec = fit.Specification;
        var parameters = new Dictionary<string, double>(StringComparer.Ordinal);
        Add(parameters, "ar", problem.ArCoefficients);
        Add(parameters, "ma", problem.MaCoefficients);
        Add(parameters, "sar", problem.SeasonalArCoefficients);
        Add(parameters, "sma", problem.SeasonalMaCoefficients);
        if (spec.IncludeConstant)
        {
            var d = spec.Differences + spec.SeasonalDifferences;
            if (d == 0)
            {
                parameters["intercept"] = problem.Mu;
            }
            else
            {
                // The drift per step: the constant of the differenced series over the differencing lag.
                parameters["drift"] = problem.Mu / (spec.SeasonalDifferences == 1 && m > 1 ? m : 1);
            }
        }

        parameters["sigma2"] = fit.Sigma2;
        var summary = new FitSummary(parameters, fit.LogLikelihood, fit.Aic, fit.Aicc, fit.Bic, fit.Sigma2, problem.Length);
        return new ArimaModel(
            spec.ToString(m), m, spec, problem.Phi, problem.Theta, problem.Mu, fit.Sigma2, delta, y,
            problem.State, problem.Covariance, summary);
    }

    /// <summary>A model that forecasts a constant with zero-width intervals, for a constant history.</summary>
    internal static ArimaModel Constant(double value, int m, int count)
    {
        var spec = new ArimaSpecification(0, 0, 0, 0, 0, 0, IncludeConstant: true);
        var parameters = new Dictionary<string, double>(StringComparer.Ordinal) { ["intercept"] = value, ["sigma2"] = 0 };
        var summary = new FitSummary(parameters, double.NaN, double.NaN, double.NaN, double.NaN, 0, count);
        return new ArimaModel(spec.ToString(m) + " constant", m, spec, [], [], value, 0, [], [], [0.0], [1.0], summary);
    }

    private static void Add(Dictionary<string, double> parameters, string prefix, ReadOnlySpan<double> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            parameters[prefix + (i + 1).ToString(CultureInfo.InvariantCulture)] = values[i];
        }
    }
}
