using MathNet.Numerics.LinearAlgebra;
using Shaping.Forecasting.Models;

namespace Shaping.Forecasting.Tuning;

/// <summary>
/// Gaussian-process regression with a Matérn 5/2 kernel with one length scale per feature (automatic relevance
/// determination), a signal variance and a noise variance, all chosen by maximising the log marginal likelihood.
/// </summary>
/// <remarks>
/// k(x, x') = σ_f² (1 + √5 r + 5r²/3) exp(−√5 r), r² = Σ_j ((x_j − x'_j)/ℓ_j)². Targets are standardised before the
/// fit (without overflow for targets around 1e155 and above, see <see cref="StandardiseLarge"/>). The likelihood −½ yᵀK⁻¹y − ½ log|K| − (n/2) log 2π is maximised over the log hyperparameters by Nelder–Mead
/// from the previous optimum and from a default start; K is factorised by MathNet's Cholesky decomposition.
/// </remarks>
internal sealed class GaussianProcess
{
    private const double MinLogLength = -4.6; // ℓ ≥ 0.01 on unit-scaled features
    private const double MaxLogLength = 2.3;  // ℓ ≤ 10
    private const double MinLogSignal = -4.6;
    private const double MaxLogSignal = 4.6;
    private const double MinLogNoise = -16.1; // σ_n² ≥ 1e-7 of the standardised variance
    private const double MaxLogNoise = 0.0;

    private readonly int _features;
    private double[][] _x = [];
    private double[] _alpha = [];
    private double[,] _lower = new double[0, 0];
    private double _yMean;
    private double _yScale = 1;
    private double[] _inverseLengths = [];

    public GaussianProcess(int features)
    {
        _features = features;
        Hyperparameters = DefaultHyperparameters(features);
    }

    /// <summary>Gets the log hyperparameters: ℓ_1..ℓ_d, σ_f², σ_n².</summary>
    public double[] Hyperparameters { get; private set; }

    /// <summary>Gets the maximised log marginal likelihood of the standardised targets.</summary>
    public double LogMarginalLikelihood { get; private set; } = double.NaN;

    /// <summary>Fits the hyperparameters and the posterior to the data.</summary>
    public void Fit(double[][] x, double[] y)
    {
        _x = x;
        var n = y.Length;
        _yMean = y.Average();
        var variance = y.Sum(v => (v - _yMean) * (v - _yMean)) / Math.Max(1, n - 1);
        double[] z;
        if (double.IsFinite(variance))
        {
            _yScale = variance > 0 ? Math.Sqrt(variance) : 1;
            z = y.Select(v => (v - _yMean) / _yScale).ToArray();
        }
        else
        {
            z = StandardiseLarge(y);
        }

        var best = Hyperparameters;
        var bestValue = double.PositiveInfinity;
        foreach (var start in new[] { Hyperparameters, DefaultHyperparameters(_features) })
        {
            var step = Enumerable.Repeat(0.7, start.Length).ToArray();
            var candidate = NelderMead.Minimise(theta => NegativeLogLikelihood(theta, z), start, step, 400, 1e-6);
            var value = NegativeLogLikelihood(candidate, z);
            if (value < bestValue)
            {
                bestValue = value;
                best = Clamp(candidate);
            }
        }

        Hyperparameters = best;
        _inverseLengths = InverseLengths(best);
        LogMarginalLikelihood = -bestValue;
        Factorise(best, z);
    }

    /// <summary>
    /// Standardises targets whose sum or sum of squared deviations overflows (values around 1e155 and above): the mean
    /// is the sum of each value divided by n, and the deviations are divided by the largest of them before they are
    /// squared. Only then, so that ordinary targets are standardised exactly as before. Values are halved first, so that
    /// no deviation overflows however far apart they are; the scale can still be +∞ if their spread is beyond the
    /// range of <see cref="double"/>.
    /// </summary>
    private double[] StandardiseLarge(double[] y)
    {
        var n = y.Length;
        var halfMean = 0.0; // half the mean, at most half the largest |value|: no partial sum overflows
        foreach (var v in y)
        {
            halfMean += v / 2 / n;
        }

        var largest = 0.0;
        foreach (var v in y)
        {
            largest = Math.Max(largest, Math.Abs((v / 2) - halfMean));
        }

        _yMean = 2 * halfMean;
        if (!(largest > 0))
        {
            _yScale = 1; // equal targets near double.MaxValue (only their sum overflowed): as for a variance of 0
            return new double[n];
        }

        var sum = 0.0;
        foreach (var v in y)
        {
            var d = ((v / 2) - halfMean) / largest;
            sum += d * d;
        }

        var spread = Math.Sqrt(sum / Math.Max(1, n - 1)); // the standard deviation in units of 2 × largest; positive
        _yScale = 2 * largest * spread;
        return [.. y.Select(v => ((v / 2) - halfMean) / largest / spread)];
    }

    /// <summary>The posterior mean and standard deviation at <paramref name="point"/>, on the original target scale.</summary>
    public (double Mean, double StandardDeviation) Predict(ReadOnlySpan<double> point, Span<double> scratch)
    {
        var n = _x.Length;
        var k = scratch[..n];
        var signal = Math.Exp(Hyperparameters[_features]);
        for (var i = 0; i < n; i++)
        {
            k[i] = Kernel(point, _x[i], _inverseLengths, signal);
        }

        var mean = 0.0;
        for (var i = 0; i < n; i++)
        {
            mean += k[i] * _alpha[i];
        }

        // v = L⁻¹k by forward substitution, in place.
        var reduction = 0.0;
        for (var i = 0; i < n; i++)
        {
            var s = k[i];
            for (var j = 0; j < i; j++)
            {
                s -= _lower[i, j] * k[j];
            }

            k[i] = s / _lower[i, i];
            reduction += k[i] * k[i];
        }

        var posterior = Math.Max(signal - reduction, 1e-12);
        return (_yMean + (_yScale * mean), _yScale * Math.Sqrt(posterior));
    }

    private static double[] DefaultHyperparameters(int features)
    {
        var theta = new double[features + 2];
        Array.Fill(theta, Math.Log(0.3), 0, features);
        theta[features] = 0;
        theta[features + 1] = Math.Log(1e-4);
        return theta;
    }

    private double[] Clamp(double[] theta)
    {
        var clamped = (double[])theta.Clone();
        for (var j = 0; j < _features; j++)
        {
            clamped[j] = Math.Clamp(clamped[j], MinLogLength, MaxLogLength);
        }

        clamped[_features] = Math.Clamp(clamped[_features], MinLogSignal, MaxLogSignal);
        clamped[_features + 1] = Math.Clamp(clamped[_features + 1], MinLogNoise, MaxLogNoise);
        return clamped;
    }

    private double NegativeLogLikelihood(double[] theta, double[] z)
    {
        var clamped = Clamp(theta);
        var penalty = 0.0;
        for (var j = 0; j < theta.Length; j++)
        {
            var d = theta[j] - clamped[j];
            penalty += 10 * d * d;
        }

        var matrix = Covariance(clamped);
        try
        {
            var cholesky = matrix.Cholesky();
            var vector = Vector<double>.Build.DenseOfArray(z);
            var alpha = cholesky.Solve(vector);
            var value = (0.5 * vector.DotProduct(alpha)) + (0.5 * cholesky.DeterminantLn) + (0.5 * z.Length * Math.Log(2 * Math.PI));
            return double.IsFinite(value) ? value + penalty : double.PositiveInfinity;
        }
        catch (ArgumentException)
        {
            return double.PositiveInfinity;
        }
    }

    private Matrix<double> Covariance(double[] theta)
    {
        var n = _x.Length;
        var signal = Math.Exp(theta[_features]);
        var noise = Math.Exp(theta[_features + 1]);
        var inverseLengths = InverseLengths(theta);
        var matrix = Matrix<double>.Build.Dense(n, n);
        for (var i = 0; i < n; i++)
        {
            matrix[i, i] = signal + noise + 1e-10;
            for (var j = 0; j < i; j++)
            {
                var k = Kernel(_x[i], _x[j], inverseLengths, signal);
                matrix[i, j] = k;
                matrix[j, i] = k;
            }
        }

        return matrix;
    }

    private void Factorise(double[] theta, double[] z)
    {
        var jitter = 0.0;
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var matrix = Covariance(theta);
            if (jitter > 0)
            {
                for (var i = 0; i < z.Length; i++)
                {
                    matrix[i, i] += jitter;
                }
            }

            try
            {
                var cholesky = matrix.Cholesky();
                _alpha = cholesky.Solve(Vector<double>.Build.DenseOfArray(z)).ToArray();
                _lower = cholesky.Factor.ToArray();
                return;
            }
            catch (ArgumentException)
            {
                jitter = jitter == 0 ? 1e-8 : jitter * 100;
            }
        }

        throw new ArithmeticException("The Gaussian-process covariance matrix could not be factorised.");
    }

    private double[] InverseLengths(double[] theta)
    {
        var inverse = new double[_features];
        for (var j = 0; j < _features; j++)
        {
            inverse[j] = Math.Exp(-theta[j]);
        }

        return inverse;
    }

    private double Kernel(ReadOnlySpan<double> a, ReadOnlySpan<double> b, double[] inverseLengths, double signal)
    {
        var r2 = 0.0;
        for (var j = 0; j < _features; j++)
        {
            var d = (a[j] - b[j]) * inverseLengths[j];
            r2 += d * d;
        }

        var r = Math.Sqrt(5 * r2);
        return signal * (1 + r + (r * r / 3)) * Math.Exp(-r);
    }
}
