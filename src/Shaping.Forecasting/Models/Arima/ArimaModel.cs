using MathNet.Numerics.Distributions;

namespace Shaping.Forecasting.Models.Arima;

/// <summary>
/// A fitted seasonal ARIMA model: the ARMA state of the differenced series (Kalman predicted state and covariance),
/// the constant, the innovation variance, and the last d + mD observations needed to undo the differencing.
/// </summary>
/// <remarks>
/// Point forecasts propagate the predicted state through the transition matrix and integrate the differenced
/// forecasts back. The h-step variance is σ² Σ_{j&lt;h} ψ*_j², with ψ* the MA(∞) weights of the integrated model
/// φ(B)Φ(B^m)(1 − B)^d(1 − B^m)^D; this is the state-space h-step variance once the filter has converged (the
/// remaining state uncertainty of an invertible model vanishes geometrically, after a few hundred points for the
/// series this library sees). Intervals are Gaussian. <see cref="Update"/> runs one Kalman step: O(r²) in the state
/// dimension r = max(p + mP, q + mQ + 1), O(1) in the length of the history, and allocates nothing.
/// Demand is non-negative, so the means, quantiles and sample paths a caller sees are floored at 0, as the baselines
/// floor theirs: a drift or a differenced model on a falling series would otherwise forecast negative load. The
/// floor is applied to the outputs only (the recursion integrates the unfloored values), so the fit and every
/// positive forecast are unchanged.
/// </remarks>
internal sealed class ArimaModel : IForecastModel
{
    private readonly double[] _phi;
    private readonly double[] _rv;
    private readonly double[] _delta;
    private readonly double[] _history;
    private readonly double[] _state;
    private readonly double[] _covariance;
    private readonly double[] _row;
    private readonly double[] _psiStar;
    private readonly double _mu;
    private readonly double _sigma;
    private int _newest;

    internal ArimaModel(
        string name,
        int seasonalPeriod,
        ArimaSpecification specification,
        ReadOnlySpan<double> phi,
        ReadOnlySpan<double> theta,
        double mu,
        double sigma2,
        double[] delta,
        ReadOnlySpan<double> history,
        ReadOnlySpan<double> state,
        ReadOnlySpan<double> covariance,
        FitSummary summary)
    {
        Name = name;
        SeasonalPeriod = seasonalPeriod;
        Specification = specification;
        Summary = summary;
        var r = Math.Max(phi.Length, theta.Length + 1);
        _phi = new double[r];
        phi.CopyTo(_phi);
        _rv = new double[r];
        _rv[0] = 1;
        theta.CopyTo(_rv.AsSpan(1));
        _mu = mu;
        Sigma2 = Math.Max(0, sigma2);
        _sigma = Math.Sqrt(Sigma2);
        _delta = delta;
        _history = new double[Math.Max(1, delta.Length)];
        var l = delta.Length;
        for (var k = 0; k < l; k++)
        {
            _history[k] = history[history.Length - l + k];
        }

        _newest = l == 0 ? 0 : l - 1;
        _state = new double[r];
        state.CopyTo(_state);
        _covariance = new double[r * r];
        covariance.CopyTo(_covariance);
        _row = new double[r];

        // ψ* weights of the integrated model, for the h-step variance: φ*(B) = φ(B)·(1 + Σ δ_k B^k).
        var ar = new double[phi.Length + 1];
        ar[0] = 1;
        for (var i = 0; i < phi.Length; i++)
        {
            ar[i + 1] = -phi[i];
        }

        var diff = new double[l + 1];
        diff[0] = 1;
        delta.CopyTo(diff, 1);
        var product = ArimaMath.Multiply(ar, diff);
        _psiStar = new double[product.Length - 1];
        for (var i = 0; i < _psiStar.Length; i++)
        {
            _psiStar[i] = -product[i + 1];
        }

        ThetaExpanded = theta.ToArray();
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public int SeasonalPeriod { get; }

    /// <inheritdoc/>
    public FitSummary Summary { get; }

    /// <summary>Gets the orders of the fitted model.</summary>
    public ArimaSpecification Specification { get; }

    /// <summary>Gets the innovation variance σ².</summary>
    public double Sigma2 { get; }

    private double[] ThetaExpanded { get; }

    /// <inheritdoc/>
    public void ForecastMean(Span<double> destination)
    {
        ProjectMean(destination);
        EtsModel.FloorAtZero(destination);
    }

    // The unfloored forecast means, the centre of the Gaussian intervals.
    private void ProjectMean(Span<double> destination)
    {
        var r = _state.Length;
        var l = _delta.Length;
        double[]? rentedState = null;
        double[]? rentedY = null;
        var a = r <= 256 ? stackalloc double[r] : (rentedState = new double[r]);
        var y = l + destination.Length <= 1024 ? stackalloc double[l + destination.Length] : (rentedY = new double[l + destination.Length]);
        _state.CopyTo(a);
        CopyHistory(y);
        for (var h = 0; h < destination.Length; h++)
        {
            var x = a[0];
            var value = _mu + x;
            for (var k = 0; k < l; k++)
            {
                value -= _delta[k] * y[l + h - k - 1];
            }

            y[l + h] = value;
            destination[h] = value;
            for (var i = 0; i < r - 1; i++)
            {
                a[i] = (_phi[i] * x) + a[i + 1];
            }

            a[r - 1] = _phi[r - 1] * x;
        }

        GC.KeepAlive(rentedState);
        GC.KeepAlive(rentedY);
    }

    /// <inheritdoc/>
    public Forecast Forecast(int horizon, ReadOnlySpan<double> levels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        var mean = new double[horizon];
        ProjectMean(mean);
        var levelArray = levels.ToArray();
        var z = new double[levelArray.Length];
        var quantiles = new double[levelArray.Length][];
        for (var k = 0; k < levelArray.Length; k++)
        {
            if (!(levelArray[k] > 0 && levelArray[k] < 1))
            {
                throw new ArgumentException("Levels must be inside (0, 1).", nameof(levels));
            }

            z[k] = Normal.InvCDF(0, 1, levelArray[k]);
            quantiles[k] = new double[horizon];
        }

        var psi = new double[horizon];
        ArimaMath.PsiWeights(_psiStar, ThetaExpanded, psi);
        var cumulative = 0.0;
        for (var h = 0; h < horizon; h++)
        {
            cumulative += psi[h] * psi[h];
            var sd = _sigma * Math.Sqrt(cumulative);
            for (var k = 0; k < z.Length; k++)
            {
                quantiles[k][h] = Math.Max(0, mean[h] + (z[k] * sd));
            }
        }

        EtsModel.FloorAtZero(mean);
        return new Forecast(mean, levelArray, quantiles);
    }

    /// <inheritdoc/>
    public void SimulatePaths(Span<double> paths, int horizon, Random random)
    {
        BaselineMath.ValidatePaths(paths, horizon, random);

        var r = _state.Length;
        var l = _delta.Length;
        var a = new double[r];
        var y = new double[l + horizon];
        var pathCount = paths.Length / horizon;
        for (var p = 0; p < pathCount; p++)
        {
            _state.CopyTo(a, 0);
            CopyHistory(y);
            var row = paths.Slice(p * horizon, horizon);
            for (var h = 0; h < horizon; h++)
            {
                var e = _sigma * NextGaussian(random);
                var x = a[0] + e;
                var value = _mu + x;
                for (var k = 0; k < l; k++)
                {
                    value -= _delta[k] * y[l + h - k - 1];
                }

                y[l + h] = value;
                row[h] = Math.Max(0, value); // the output is floored; the recursion integrates the unfloored value
                for (var i = 0; i < r - 1; i++)
                {
                    a[i] = (_phi[i] * x) + a[i + 1] + (_rv[i + 1] * e);
                }

                a[r - 1] = _phi[r - 1] * x;
            }
        }
    }

    /// <inheritdoc/>
    public void Update(double observation)
    {
        BaselineMath.ValidateObservation(observation, nameof(observation));

        var l = _delta.Length;
        var w = observation;
        for (var k = 0; k < l; k++)
        {
            w += _delta[k] * _history[(_newest - k + l) % l];
        }

        if (l > 0)
        {
            _newest = (_newest + 1) % l;
            _history[_newest] = observation;
        }

        var x = w - _mu;
        var r = _state.Length;
        var a = _state;
        var pm = _covariance;
        if (!IsCovariance(pm, r))
        {
            SteadyStateCovariance(pm, r);
        }

        var f = pm[0];

        var gain = (x - a[0]) / f;
        for (var i = 0; i < r - 1; i++)
        {
            a[i] = (_phi[i] * x) + a[i + 1] + (pm[i + 1] * gain);
        }

        a[r - 1] = _phi[r - 1] * x;
        Array.Copy(pm, 0, _row, 0, r);
        var inverseF = 1.0 / f;
        // Upper triangle only, as the fitting filter: P[i][j] = R_iR_j + P[i+1][j+1] − P[0][i+1]P[0][j+1]/F.
        for (var i = 0; i < r; i++)
        {
            var last = i == r - 1;
            var ci = last ? 0 : _row[i + 1] * inverseF;
            for (var j = i; j < r; j++)
            {
                var value = _rv[i] * _rv[j];
                if (!last && j < r - 1)
                {
                    value += pm[((i + 1) * r) + j + 1] - (ci * _row[j + 1]);
                }

                pm[(i * r) + j] = value;
            }
        }
    }

    /// <summary>
    /// Whether the stored upper triangle can be a state covariance, as far as the update reads it: finite, the variance
    /// of the observed state P₀₀ positive, every variance Pᵢᵢ non-negative and every covariance with the observed state
    /// within Cauchy–Schwarz, P₀ᵢ² ≤ P₀₀Pᵢᵢ (up to rounding). A fit at the stationarity boundary hands over a covariance
    /// that rounding has ruined: ARIMA(1,0,1)(1,0,1)[24] on a noisy daily cycle of 150 points ends at ar1 = 0.99999988 and
    /// sar1 = 0.9999966 with P₀₀ = −116,560, an exactly linear history under ARIMA(2,1,0)(1,0,0)[25] with P₀₀ = −1.2e8.
    /// Used as the Kalman gain, it multiplied each surprise by up to 1e5 to 1e8, and the forecasts reached NaN within a
    /// few updates.
    /// </summary>
    private static bool IsCovariance(double[] pm, int r)
    {
        var p00 = pm[0];
        if (!(p00 > 0) || !double.IsFinite(p00))
        {
            return false;
        }

        // The slack admits rounding: a converged covariance holds entries of ±1e-16 where 0 is exact.
        var slack = 1e-9 * p00;
        for (var i = 1; i < r; i++)
        {
            var p0i = pm[i];
            var pii = pm[(i * r) + i];
            if (!double.IsFinite(p0i) || !double.IsFinite(pii) || !(pii >= -slack)
                || (p0i * p0i) > (p00 * Math.Max(pii, 0) * (1 + 1e-6)) + (slack * p00))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Replaces the covariance by its steady state once the state is known, P = RRᵀ with R = (1, θ₁, …): the covariance
    /// the fitting filter converges to and then assumes (its fast mode), and a fixed point of the update below.
    /// </summary>
    private void SteadyStateCovariance(double[] pm, int r)
    {
        Array.Clear(pm);
        for (var i = 0; i < r; i++)
        {
            for (var j = i; j < r; j++)
            {
                pm[(i * r) + j] = _rv[i] * _rv[j];
            }
        }
    }

    private static double NextGaussian(Random random)
    {
        // Box-Muller; 1 - NextDouble() is in (0, 1] so the logarithm is finite.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    // Writes the last d + mD observations, oldest first, into the start of the buffer.
    private void CopyHistory(Span<double> y)
    {
        var l = _delta.Length;
        for (var k = 0; k < l; k++)
        {
            y[l - 1 - k] = _history[(_newest - k + l) % l];
        }
    }
}
