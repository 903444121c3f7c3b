using System.Numerics;

namespace Shaping.Forecasting.Models.Arima;

/// <summary>
/// One ARIMA specification on one differenced series: the parameter transforms and the two objectives, the
/// conditional sum of squares and the exact Gaussian likelihood by a Kalman filter, on buffers allocated once.
/// </summary>
/// <remarks>
/// <para>
/// The parameter vector the optimiser sees is unconstrained: [p AR, q MA, P seasonal AR, Q seasonal MA, constant].
/// Each AR and MA block goes through Jones's (1980) partial-autocorrelation transform, so every vector maps to a
/// stationary and invertible model; the constant is centred on the mean of the differenced series and scaled by its
/// standard error.
/// </para>
/// <para>
/// The exact likelihood uses the state-space form of Gardner, Harvey and Phillips (1980) for the ARMA part of the
/// differenced series w_t − μ: state dimension r = max(p + mP, q + mQ + 1), transition with the AR coefficients in
/// its first column and ones on its superdiagonal, disturbance loading (1, θ_1, …, θ_{r−1}), observation of the
/// first state. The filter starts from the stationary state covariance, which is built in O(r²) from the process's
/// autocovariances (one (p + mP + 1)-square linear solve) rather than by solving an r²-sized Lyapunov system. Because
/// the observation picks the first state exactly, the covariance update is a shift plus a rank-one correction,
/// r(r + 1)/2 multiplications per step, and once the covariance has converged to its steady state the filter
/// switches to the O(r) innovations recursion (as R's Kalman code does with its fast mode). σ² is concentrated out.
/// </para>
/// </remarks>
internal sealed class ArimaProblem
{
    private const double Penalty = 1e10;
    private const double ConvergenceTolerance = 1e-11;

    private readonly int _p;
    private readonly int _q;
    private readonly int _sp;
    private readonly int _sq;
    private readonly int _m;
    private readonly double[] _w;
    private readonly double[] _ar;
    private readonly double[] _ma;
    private readonly double[] _sar;
    private readonly double[] _sma;
    private readonly double[] _work;
    private readonly int[] _phiLags;
    private readonly int[] _thetaLags;
    private readonly double[] _residuals;
    private readonly double[] _rv;
    private readonly double[] _phiState;
    private readonly double[] _psi;
    private readonly double[] _gamma;
    private readonly double[] _system;
    private readonly double[] _row;

    internal ArimaProblem(ArimaSpecification specification, int seasonalPeriod, double[] differenced)
    {
        Specification = specification;
        _m = seasonalPeriod;
        _p = specification.Ar;
        _q = specification.Ma;
        var seasonal = seasonalPeriod > 1;
        _sp = seasonal ? specification.SeasonalAr : 0;
        _sq = seasonal ? specification.SeasonalMa : 0;
        _w = differenced;
        HasConstant = specification.IncludeConstant;
        _ar = new double[_p];
        _ma = new double[_q];
        _sar = new double[_sp];
        _sma = new double[_sq];
        _work = new double[Math.Max(Math.Max(_p, _q), Math.Max(_sp, _sq)) + 1];
        PhiLength = _p + (_m * _sp);
        ThetaLength = _q + (_m * _sq);
        StateDimension = Math.Max(PhiLength, ThetaLength + 1);
        Phi = new double[PhiLength];
        Theta = new double[ThetaLength];
        _phiLags = StructuralLags(_p, _sp, _m);
        _thetaLags = StructuralLags(_q, _sq, _m);
        _residuals = new double[_w.Length];
        var r = StateDimension;
        _rv = new double[r];
        _phiState = new double[r];
        _psi = new double[r];
        _gamma = new double[PhiLength + 1];
        _system = new double[(PhiLength + 1) * (PhiLength + 2)];
        _row = new double[r];
        State = new double[r];
        Covariance = new double[r * r];
        if (_w.Length > 0)
        {
            var mean = 0.0;
            foreach (var v in _w)
            {
                mean += v;
            }

            mean /= _w.Length;
            var ss = 0.0;
            foreach (var v in _w)
            {
                ss += (v - mean) * (v - mean);
            }

            MeanCentre = mean;
            MeanScale = Math.Max(Math.Sqrt(ss / Math.Max(1, _w.Length - 1) / _w.Length), 1e-8 * (1 + Math.Abs(mean)));
        }
        else
        {
            MeanScale = 1;
        }
    }

    internal ArimaSpecification Specification { get; }

    internal int Length => _w.Length;

    internal bool HasConstant { get; }

    internal int ParameterCount => _p + _q + _sp + _sq + (HasConstant ? 1 : 0);

    internal int PhiLength { get; }

    internal int ThetaLength { get; }

    internal int StateDimension { get; }

    /// <summary>Gets the expanded AR coefficients φ_1..φ_{p+mP} of φ(B)Φ(B^m) = 1 − Σ φ_k B^k for the last parameters set.</summary>
    internal double[] Phi { get; }

    /// <summary>Gets the expanded MA coefficients θ_1..θ_{q+mQ} of θ(B)Θ(B^m) = 1 + Σ θ_k B^k.</summary>
    internal double[] Theta { get; }

    internal double Mu { get; private set; }

    internal double MeanCentre { get; }

    internal double MeanScale { get; }

    internal ReadOnlySpan<double> ArCoefficients => _ar;

    internal ReadOnlySpan<double> MaCoefficients => _ma;

    internal ReadOnlySpan<double> SeasonalArCoefficients => _sar;

    internal ReadOnlySpan<double> SeasonalMaCoefficients => _sma;

    /// <summary>Gets the predicted state a_{n+1|n} after the last <see cref="Exact"/> run.</summary>
    internal double[] State { get; }

    /// <summary>Gets the predicted state covariance P_{n+1|n} (row-major, in units of σ², upper triangle valid) after the last <see cref="Exact"/> run.</summary>
    internal double[] Covariance { get; }

    /// <summary>Gets Σ v_t²/F_t of the last objective evaluation.</summary>
    internal double SumOfSquares { get; private set; }

    /// <summary>Gets Σ log F_t of the last exact evaluation (0 for CSS).</summary>
    internal double SumLogF { get; private set; }

    /// <summary>Gets the number of terms in <see cref="SumOfSquares"/>.</summary>
    internal int Used { get; private set; }

    /// <summary>Maps an unconstrained vector to the coefficients, the expanded polynomials and the constant.</summary>
    internal void SetParameters(ReadOnlySpan<double> raw)
    {
        var offset = 0;
        ArimaMath.PartialTransform(raw.Slice(offset, _p), _ar, _work);
        offset += _p;
        ArimaMath.PartialTransform(raw.Slice(offset, _q), _ma, _work);
        Negate(_ma);
        offset += _q;
        ArimaMath.PartialTransform(raw.Slice(offset, _sp), _sar, _work);
        offset += _sp;
        ArimaMath.PartialTransform(raw.Slice(offset, _sq), _sma, _work);
        Negate(_sma);
        offset += _sq;
        Mu = HasConstant ? MeanCentre + (MeanScale * raw[offset]) : 0;
        Expand();
    }

    /// <summary>
    /// The conditional-sum-of-squares objective (R's <c>arima</c> method "CSS"): ½ log(Σe²/ν), with the residuals
    /// e_t of the first p + mP points and the pre-sample errors set to zero.
    /// </summary>
    internal double Css(double[] raw)
    {
        SetParameters(raw);
        var n = _w.Length;
        var ncond = PhiLength;
        var mu = Mu;
        var phi = Phi;
        var theta = Theta;
        var resid = _residuals;
        var ssq = 0.0;
        var nu = 0;
        Array.Clear(resid, 0, Math.Min(ncond, n));
        for (var l = ncond; l < n; l++)
        {
            var tmp = _w[l] - mu;
            foreach (var k in _phiLags)
            {
                tmp -= phi[k] * (_w[l - k - 1] - mu);
            }

            foreach (var k in _thetaLags)
            {
                var index = l - k - 1;
                if (index < ncond)
                {
                    break;
                }

                tmp -= theta[k] * resid[index];
            }

            resid[l] = tmp;
            ssq += tmp * tmp;
            nu++;
        }

        SumOfSquares = ssq;
        SumLogF = 0;
        Used = nu;
        if (nu == 0 || !(ssq > 0) || !double.IsFinite(ssq))
        {
            return Penalty;
        }

        return 0.5 * Math.Log(ssq / nu);
    }

    /// <summary>The exact concentrated objective ½(log(Σv²/F / n) + Σ log F / n), R's value for method "ML".</summary>
    internal double Exact(double[] raw)
    {
        SetParameters(raw);
        if (!Filter())
        {
            return Penalty;
        }

        var n = Used;
        if (n == 0 || !(SumOfSquares > 0))
        {
            return Penalty;
        }

        return 0.5 * (Math.Log(SumOfSquares / n) + (SumLogF / n));
    }

    /// <summary>The exact Gaussian log-likelihood at the concentrated σ² after <see cref="Exact"/>.</summary>
    internal double LogLikelihood()
    {
        var n = Used;
        var sigma2 = SumOfSquares / n;
        return -0.5 * ((n * Math.Log(2 * Math.PI * sigma2)) + SumLogF + n);
    }

    /// <summary>
    /// Runs the Kalman filter over the whole differenced series with the current parameters, leaving the predicted
    /// state and covariance for the next step in <see cref="State"/> and <see cref="Covariance"/>.
    /// </summary>
    internal bool Filter()
    {
        var r = StateDimension;
        var rv = _rv;
        Array.Clear(rv);
        rv[0] = 1;
        for (var i = 0; i < ThetaLength; i++)
        {
            rv[i + 1] = Theta[i];
        }

        Array.Clear(_phiState);
        Phi.CopyTo(_phiState, 0);
        var sumR2 = 0.0;
        foreach (var v in rv)
        {
            sumR2 += v * v;
        }

        var pm = Covariance;
        if (!InitialCovariance(pm))
        {
            return false;
        }

        var a = State;
        Array.Clear(a);
        var phi = _phiState;
        var row = _row;
        var ssq = 0.0;
        var sumLog = 0.0;
        var converged = false;
        var mu = Mu;
        var n = _w.Length;
        for (var t = 0; t < n; t++)
        {
            var x = _w[t] - mu;
            if (!converged)
            {
                var f = pm[0];
                if (!(f > 0) || !double.IsFinite(f))
                {
                    return false;
                }

                var v = x - a[0];
                sumLog += Math.Log(f);
                ssq += v * v / f;
                var gain = v / f;
                for (var i = 0; i < r - 1; i++)
                {
                    a[i] = (phi[i] * x) + a[i + 1] + (pm[i + 1] * gain);
                }

                a[r - 1] = phi[r - 1] * x;
                Array.Copy(pm, 0, row, 0, r);
                var inverseF = 1.0 / f;
                var excess = 0.0;
                // Only the upper triangle is kept up to date: P_{t+1|t}[i][j] = R_iR_j + P[i+1][j+1] − P[0][i+1]P[0][j+1]/F.
                var span = pm.AsSpan();
                for (var i = 0; i < r - 1; i++)
                {
                    var target = span.Slice((i * r) + i, r - i);
                    var source = span.Slice(((i + 1) * r) + i + 1, r - i - 1);
                    var ri = rv[i];
                    var ci = row[i + 1] * inverseF;
                    var rowTail = row.AsSpan(i + 1, r - i - 1);
                    var rvTail = rv.AsSpan(i, r - i);
                    var j = 0;
                    if (Vector.IsHardwareAccelerated)
                    {
                        var width = Vector<double>.Count;
                        var vri = new Vector<double>(ri);
                        var vci = new Vector<double>(ci);
                        for (; j <= source.Length - width; j += width)
                        {
                            var value = (vri * new Vector<double>(rvTail[j..])) + new Vector<double>(source[j..]) - (vci * new Vector<double>(rowTail[j..]));
                            value.CopyTo(target[j..]);
                        }
                    }

                    for (; j < source.Length; j++)
                    {
                        target[j] = (ri * rvTail[j]) + source[j] - (ci * rowTail[j]);
                    }

                    target[^1] = ri * rv[r - 1];
                    excess += target[0] - (ri * ri);
                }

                pm[(r * r) - 1] = rv[r - 1] * rv[r - 1];

                if (excess < ConvergenceTolerance * sumR2)
                {
                    converged = true;
                }
            }
            else
            {
                var v = x - a[0];
                ssq += v * v;
                for (var i = 0; i < r - 1; i++)
                {
                    a[i] = (phi[i] * x) + a[i + 1] + (rv[i + 1] * v);
                }

                a[r - 1] = phi[r - 1] * x;
            }
        }

        SumOfSquares = ssq;
        SumLogF = sumLog;
        Used = n;
        return double.IsFinite(ssq) && double.IsFinite(sumLog);
    }

    private static void Negate(double[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = -values[i];
        }
    }

    private static int[] StructuralLags(int order, int seasonalOrder, int m)
    {
        var set = new SortedSet<int>();
        for (var i = 0; i < order; i++)
        {
            set.Add(i);
        }

        for (var j = 0; j < seasonalOrder; j++)
        {
            set.Add(((j + 1) * m) - 1);
            for (var i = 0; i < order; i++)
            {
                set.Add(((j + 1) * m) + i);
            }
        }

        return [.. set];
    }

    private void Expand()
    {
        var m = _m;
        Array.Clear(Phi);
        for (var i = 0; i < _p; i++)
        {
            Phi[i] = _ar[i];
        }

        for (var j = 0; j < _sp; j++)
        {
            Phi[((j + 1) * m) - 1] += _sar[j];
            for (var i = 0; i < _p; i++)
            {
                Phi[((j + 1) * m) + i] -= _ar[i] * _sar[j];
            }
        }

        Array.Clear(Theta);
        for (var i = 0; i < _q; i++)
        {
            Theta[i] = _ma[i];
        }

        for (var j = 0; j < _sq; j++)
        {
            Theta[((j + 1) * m) - 1] += _sma[j];
            for (var i = 0; i < _q; i++)
            {
                Theta[((j + 1) * m) + i] += _ma[i] * _sma[j];
            }
        }
    }

    /// <summary>
    /// The stationary covariance P of the state (σ² = 1), solving P = T P T' + R R' in O(r²) from the
    /// autocovariances γ(0..p') and the ψ weights: the first row is Cov(y_t, α_t), and every other entry follows from
    /// P_ij = φ_iφ_j P_11 + φ_i P_{1,j+1} + φ_j P_{i+1,1} + P_{i+1,j+1} + R_iR_j, filled from the bottom-right corner.
    /// </summary>
    private bool InitialCovariance(double[] pm)
    {
        var r = StateDimension;
        var pp = PhiLength;
        var qq = ThetaLength;
        var phi = Phi;
        var rv = _rv;
        var psi = _psi;
        ArimaMath.PsiWeights(phi, Theta, psi);

        // Autocovariances γ(0..pp): (pp+1) equations γ(k) − Σ φ_i γ(|k−i|) = Σ_{j=k}^{qq} θ_j ψ_{j−k}.
        var gamma = _gamma;
        if (pp > 0)
        {
            var size = pp + 1;
            var stride = size + 1;
            var sys = _system;
            Array.Clear(sys);
            for (var k = 0; k < size; k++)
            {
                var rowK = k * stride;
                sys[rowK + k] += 1;
                for (var i = 1; i <= pp; i++)
                {
                    sys[rowK + Math.Abs(k - i)] -= phi[i - 1];
                }

                var c = 0.0;
                for (var j = k; j <= qq; j++)
                {
                    c += rv[j] * psi[j - k];
                }

                sys[rowK + size] = c;
            }

            if (!Solve(sys, size, gamma))
            {
                return false;
            }

            if (!(gamma[0] > 0) || !double.IsFinite(gamma[0]))
            {
                return false;
            }
        }

        // First row: Cov(y_t, α_{t,j}).
        for (var j = 0; j < r; j++)
        {
            var value = 0.0;
            for (var k = j + 1; k <= pp; k++)
            {
                value += phi[k - 1] * gamma[k - j];
            }

            var top = Math.Min(r - 1, qq);
            for (var k = j; k <= top; k++)
            {
                value += rv[k] * psi[k - j];
            }

            pm[j] = value;
            pm[j * r] = value;
        }

        for (var i = r - 1; i >= 1; i--)
        {
            var phiI = i < pp ? phi[i] : 0;
            for (var j = r - 1; j >= i; j--)
            {
                var phiJ = j < pp ? phi[j] : 0;
                var value = (phiI * phiJ * pm[0]) + (rv[i] * rv[j]);
                if (j + 1 < r)
                {
                    value += phiI * pm[j + 1];
                }

                if (i + 1 < r)
                {
                    value += phiJ * pm[i + 1];
                }

                if (i + 1 < r && j + 1 < r)
                {
                    value += pm[((i + 1) * r) + j + 1];
                }

                pm[(i * r) + j] = value;
                pm[(j * r) + i] = value;
            }
        }

        return double.IsFinite(pm[0]) && pm[0] > 0;
    }

    // Gaussian elimination with partial pivoting on an augmented size × (size + 1) matrix.
    private static bool Solve(double[] sys, int size, double[] solution)
    {
        var stride = size + 1;
        for (var col = 0; col < size; col++)
        {
            var pivot = col;
            var best = Math.Abs(sys[(col * stride) + col]);
            for (var rowIndex = col + 1; rowIndex < size; rowIndex++)
            {
                var value = Math.Abs(sys[(rowIndex * stride) + col]);
                if (value > best)
                {
                    best = value;
                    pivot = rowIndex;
                }
            }

            if (!(best > 1e-300))
            {
                return false;
            }

            if (pivot != col)
            {
                for (var k = col; k < stride; k++)
                {
                    (sys[(col * stride) + k], sys[(pivot * stride) + k]) = (sys[(pivot * stride) + k], sys[(col * stride) + k]);
                }
            }

            var diag = sys[(col * stride) + col];
            for (var rowIndex = col + 1; rowIndex < size; rowIndex++)
            {
                var factor = sys[(rowIndex * stride) + col] / diag;
                if (factor == 0)
                {
                    continue;
                }

                for (var k = col; k < stride; k++)
                {
                    sys[(rowIndex * stride) + k] -= factor * sys[(col * stride) + k];
                }
            }
        }

        for (var rowIndex = size - 1; rowIndex >= 0; rowIndex--)
        {
            var value = sys[(rowIndex * stride) + size];
            for (var k = rowIndex + 1; k < size; k++)
            {
                value -= sys[(rowIndex * stride) + k] * solution[k];
            }

            solution[rowIndex] = value / sys[(rowIndex * stride) + rowIndex];
        }

        return true;
    }
}
