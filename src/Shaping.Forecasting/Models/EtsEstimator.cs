using System.Globalization;

namespace Shaping.Forecasting.Models;

/// <summary>
/// Maximum-likelihood estimation of one ETS specification, after R's <c>forecast::ets</c>: heuristic starting
/// states from a classical decomposition of the first three seasons, then the smoothing parameters and the
/// initial states optimised together by Nelder-Mead on the concentrated likelihood.
/// </summary>
/// <remarks>
/// The fit runs on the series rescaled to mean 1,000 (<see cref="EtsFitting.Normalise"/>), so it does not depend on the
/// series' units: R's simplex start (every edge 0.1 × the largest |parameter|), the relative convergence test and the
/// absolute floors would otherwise treat the same series differently at 0.001 and at 1,000. The model and its summary
/// are reported back in the series' units.
/// </remarks>
internal static class EtsEstimator
{
    /// <summary>The lower bound of alpha, beta and gamma (R's default).</summary>
    internal const double LowerBound = 1e-4;

    /// <summary>The upper bound of alpha (R's default).</summary>
    internal const double UpperBound = 0.9999;

    /// <summary>The lower bound of the damping parameter.</summary>
    internal const double PhiLower = 0.8;

    /// <summary>The upper bound of the damping parameter.</summary>
    internal const double PhiUpper = 0.98;

    /// <summary>The longest seasonal period with a seasonal model (R refuses seasonal ETS above 24).</summary>
    internal const int MaxSeasonalPeriod = 24;

    private const double Penalty = 1e15;
    private const double Tiny = 1e-10;

    /// <summary>Counts the estimated parameters, the variance included (what AICc charges for).</summary>
    internal static int ParameterCount(EtsSpecification spec, int m)
    {
        var count = 2 + 1; // alpha, initial level, sigma^2
        if (spec.Trend != EtsTrendType.None)
        {
            count += 2; // beta, initial slope
        }

        if (spec.Trend == EtsTrendType.AdditiveDamped)
        {
            count++;
        }

        if (spec.Season != EtsSeasonType.None)
        {
            count += m; // gamma and m - 1 free initial seasonal states
        }

        return count;
    }

    /// <summary>
    /// Gets whether the specification can be fitted to <paramref name="n"/> observations: positive data for
    /// multiplicative components, a season only for 2 ≤ m ≤ 24 with three full seasons of data, and (R's rule)
    /// more than the parameter count plus four observations.
    /// </summary>
    internal static bool CanFit(EtsSpecification spec, int n, int m, bool strictlyPositive)
    {
        if (spec.NeedsPositiveData && !strictlyPositive)
        {
            return false;
        }

        if (spec.Season != EtsSeasonType.None && (m < 2 || m > MaxSeasonalPeriod || n < 3 * m))
        {
            return false;
        }

        // R: npars = 2 + 2 (trend) + 1 (damped) + m (season); skip when n <= npars + 4.
        var npars = ParameterCount(spec, m) - 1;
        return n > npars + 4;
    }

    /// <summary>Fits one specification; <see langword="null"/> when the optimiser found no admissible point.</summary>
    /// <param name="y">The observations divided by <paramref name="scale"/> (<see cref="EtsFitting.Normalise"/>).</param>
    /// <param name="scale">The scale <paramref name="y"/> was divided by, in the series' units; the model maps its states
    /// and outputs back with it.</param>
    /// <param name="m">The seasonal period.</param>
    /// <param name="spec">The specification.</param>
    /// <param name="maxEvaluations">The Nelder-Mead evaluation budget.</param>
    /// <param name="cancellationToken">Cancels the fit.</param>
    /// <param name="hint">Smoothing parameters of a related fit (the same model without its season): an
    /// alternative starting point, used instead of R's default one when its likelihood is better.</param>
    internal static EtsModel? Fit(double[] y, double scale, int m, EtsSpecification spec, int maxEvaluations, CancellationToken cancellationToken, EtsParameterSet? hint = null)
    {
        var seasonal = spec.Season != EtsSeasonType.None;
        var period = seasonal ? m : 1;
        var objective = new EtsObjective(y, period, spec, cancellationToken);
        var start = objective.StartingPoint(out var step);
        var startValue = objective.Evaluate(start);
        if (hint is { } h)
        {
            var alternative = (double[])start.Clone();
            objective.ApplySmoothing(alternative, h);
            var alternativeValue = objective.Evaluate(alternative);
            if (alternativeValue < startValue)
            {
                start = alternative;
                startValue = alternativeValue;
            }
        }

        if (!(startValue < Penalty / 10))
        {
            // As in R, a specification whose starting point is inadmissible is not fitted.
            return null;
        }

        var best = Minimise(objective.Evaluate, start, step, maxEvaluations);
        var value = objective.Evaluate(best);
        if (!(value < Penalty / 10))
        {
            return null;
        }

        return objective.Build(best, m, scale);
    }

    /// <summary>Minimises with the allocation-free Nelder-Mead simplex, keeping the best point seen.</summary>
    internal static double[] Minimise(Func<double[], double> function, double[] start, double[] step, int maxEvaluations)
    {
        var best = (double[])start.Clone();
        var bestValue = function(best);
        var result = NelderMead.Minimise(
            theta =>
            {
                var value = function(theta);
                if (value < bestValue)
                {
                    bestValue = value;
                    Array.Copy(theta, best, best.Length);
                }

                return value;
            },
            start,
            step,
            maxEvaluations);
        return function(result) <= bestValue ? result : best;
    }

    /// <summary>The likelihood of one specification as a function of the unconstrained parameter vector.</summary>
    private sealed class EtsObjective
    {
        private readonly double[] _y;
        private readonly int _m;
        private readonly EtsSpecification _spec;
        private readonly CancellationToken _cancellationToken;
        private readonly double[] _season;
        private readonly double _scale;
        private readonly double _sseFloor;
        private readonly double _level0;
        private readonly double _slope0;
        private readonly double[] _season0;

        public EtsObjective(double[] y, int m, EtsSpecification spec, CancellationToken cancellationToken)
        {
            _y = y;
            _m = m;
            _spec = spec;
            _cancellationToken = cancellationToken;
            _season = new double[m];
            _season0 = new double[m];
            EtsInitialization.InitialStates(y, m, spec, out _level0, out _slope0, _season0);
            var sum = 0.0;
            foreach (var value in y)
            {
                sum += Math.Abs(value);
            }

            _scale = sum > 0 ? sum / y.Length : 1;
            _sseFloor = y.Length * 1e-24 * (spec.Error == EtsErrorType.Additive ? _scale * _scale : 1);
            SmoothingCount = 1 + (spec.Trend != EtsTrendType.None ? 1 : 0) + (spec.Season != EtsSeasonType.None ? 1 : 0)
                + (spec.Trend == EtsTrendType.AdditiveDamped ? 1 : 0);
        }

        public int SmoothingCount { get; }

        public double[] StartingPoint(out double[] step)
        {
            var trend = _spec.Trend != EtsTrendType.None;
            var seasonal = _spec.Season != EtsSeasonType.None;
            var length = SmoothingCount + 1 + (trend ? 1 : 0) + (seasonal ? _m - 1 : 0);
            var theta = new double[length];
            var k = 0;

            // R's initparam: alpha small for seasonal models, beta and gamma fractions of what alpha leaves.
            var alpha = LowerBound + (0.2 * (UpperBound - LowerBound) / _m);
            theta[k++] = alpha;
            if (trend)
            {
                theta[k++] = LowerBound + (0.1 * (Math.Min(UpperBound, alpha) - LowerBound));
            }

            if (seasonal)
            {
                theta[k++] = LowerBound + (0.05 * (Math.Min(UpperBound, 1 - alpha) - LowerBound));
            }

            if (_spec.Trend == EtsTrendType.AdditiveDamped)
            {
                theta[k++] = PhiLower + (0.99 * (PhiUpper - PhiLower));
            }

            theta[k++] = _level0;
            if (trend)
            {
                theta[k++] = _slope0;
            }

            if (seasonal)
            {
                for (var j = 1; j < _m; j++)
                {
                    theta[k++] = _season0[j];
                }
            }

            // R's Nelder-Mead (nmmin) starts from a simplex whose edges are all 0.1 × the largest |parameter|.
            var size = 0.0;
            foreach (var value in theta)
            {
                size = Math.Max(size, 0.1 * Math.Abs(value));
            }

            step = new double[length];
            Array.Fill(step, size > 0 ? size : 0.1);
            return theta;
        }

        public void ApplySmoothing(double[] theta, EtsParameterSet hint)
        {
            var k = 0;
            var alpha = Math.Clamp(hint.Alpha, LowerBound, UpperBound);
            theta[k++] = alpha;
            if (_spec.Trend != EtsTrendType.None)
            {
                theta[k++] = Math.Clamp(hint.Beta, LowerBound, alpha);
            }

            if (_spec.Season != EtsSeasonType.None)
            {
                theta[k++] = LowerBound + (0.05 * Math.Max(0, 1 - alpha - LowerBound));
            }

            if (_spec.Trend == EtsTrendType.AdditiveDamped)
            {
                theta[k] = Math.Clamp(hint.Phi, PhiLower, PhiUpper);
            }
        }

        public double Evaluate(double[] theta)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            var parameters = Decode(theta, out var level, out var slope, out var admissible);
            if (!admissible || !FillSeason(theta))
            {
                return Penalty;
            }

            return EtsKernel.Likelihood(_y, _spec, parameters, ref level, ref slope, _season, _sseFloor, out _, out _);
        }

        /// <summary>Builds the model at <paramref name="theta"/>: its states in the fit's unit, its summary in the series'
        /// units (<paramref name="scale"/> times the fit's).</summary>
        public EtsModel Build(double[] theta, int reportedPeriod, double scale)
        {
            var parameters = Decode(theta, out var level0, out var slope0, out _);
            FillSeason(theta);
            var initialSeason = (double[])_season.Clone();
            var level = level0;
            var slope = slope0;
            var n = _y.Length;
            EtsKernel.Likelihood(_y, _spec, parameters, ref level, ref slope, _season, _sseFloor, out var sse, out var sumLog);
            var np = ParameterCount(_spec, _m);
            // The optimiser minimised the floored sum of squares; the criteria use the same floor, so an exact fit gets a
            // large finite likelihood (and wins the selection) instead of log(0) = −∞, which AutoEts would discard.
            // In the series' units: the density of y = scale × z is that of z divided by scale per observation (for either
            // error type: an additive error's sum of squares grows by scale², a multiplicative one's Σ log ŷ by n log scale).
            var logLikelihood = (-0.5 * n * (Math.Log(2 * Math.PI * Math.Max(sse, _sseFloor) / n) + 1)) - sumLog - (n * Math.Log(scale));
            var aic = (-2 * logLikelihood) + (2 * np);
            var aicc = n - np - 1 > 0 ? aic + (2.0 * np * (np + 1) / (n - np - 1)) : double.PositiveInfinity;
            var bic = (-2 * logLikelihood) + (Math.Log(n) * np);
            var sigma2 = sse / Math.Max(1, n - np);
            var additiveError = _spec.Error == EtsErrorType.Additive;
            var named = new Dictionary<string, double>(StringComparer.Ordinal)
            {
                ["alpha"] = parameters.Alpha,
                ["l0"] = level0 * scale,
                ["sigma2"] = additiveError ? sigma2 * scale * scale : sigma2,
            };
            if (_spec.Trend != EtsTrendType.None)
            {
                named["beta"] = parameters.Beta;
                named["b0"] = slope0 * scale;
            }

            if (_spec.Trend == EtsTrendType.AdditiveDamped)
            {
                named["phi"] = parameters.Phi;
            }

            if (_spec.Season != EtsSeasonType.None)
            {
                named["gamma"] = parameters.Gamma;
                for (var j = 0; j < _m; j++)
                {
                    named[string.Create(CultureInfo.InvariantCulture, $"s{j}")] =
                        _spec.Season == EtsSeasonType.Additive ? initialSeason[j] * scale : initialSeason[j];
                }
            }

            var summary = new FitSummary(named, logLikelihood, aic, aicc, bic, named["sigma2"], n);
            return new EtsModel(_spec, reportedPeriod, parameters, level, slope, _season, n % _m, sigma2, scale, summary);
        }

        private EtsParameterSet Decode(double[] theta, out double level, out double slope, out bool admissible)
        {
            // R's "usual" region: alpha in [lower, upper], beta in [lower, alpha], gamma in [lower, 1 - alpha], phi in [0.8, 0.98].
            var k = 0;
            var alpha = theta[k++];
            var beta = 0.0;
            var gamma = 0.0;
            var phi = 1.0;
            admissible = alpha >= LowerBound && alpha <= UpperBound;
            if (_spec.Trend != EtsTrendType.None)
            {
                beta = theta[k++];
                admissible &= beta >= LowerBound && beta <= alpha && beta <= UpperBound;
            }

            if (_spec.Season != EtsSeasonType.None)
            {
                gamma = theta[k++];
                admissible &= gamma >= LowerBound && gamma <= 1 - alpha && gamma <= UpperBound;
            }

            if (_spec.Trend == EtsTrendType.AdditiveDamped)
            {
                phi = theta[k++];
                admissible &= phi >= PhiLower && phi <= PhiUpper;
            }

            level = theta[k++];
            slope = _spec.Trend != EtsTrendType.None ? theta[k] : 0;

            // R's default bounds = "both": the usual region and the admissible (forecastable) one.
            admissible = admissible && EtsAdmissibility.IsAdmissible(
                alpha, beta, gamma, phi, _spec.Trend != EtsTrendType.None, _spec.Season != EtsSeasonType.None, _m);
            return new EtsParameterSet(alpha, beta, gamma, phi);
        }

        private bool FillSeason(double[] theta)
        {
            if (_spec.Season == EtsSeasonType.None)
            {
                _season[0] = 0;
                return true;
            }

            var offset = SmoothingCount + 1 + (_spec.Trend != EtsTrendType.None ? 1 : 0);
            var sum = 0.0;
            var additive = _spec.Season == EtsSeasonType.Additive;
            for (var j = 1; j < _m; j++)
            {
                var value = theta[offset + j - 1];
                if (!additive && !(value > Tiny))
                {
                    return false;
                }

                _season[j] = value;
                sum += value;
            }

            _season[0] = additive ? -sum : _m - sum;
            return additive || _season[0] > Tiny;
        }
    }
}
