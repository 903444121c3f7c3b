using System.Numerics;
using MathNet.Numerics;

namespace Shaping.Forecasting.Models.Arima;

/// <summary>Polynomial algebra, parameter transforms and stationary covariances for ARIMA models.</summary>
internal static class ArimaMath
{
    /// <summary>The largest partial autocorrelation the transform produces, so the AR/MA part stays strictly inside the unit circle.</summary>
    private const double MaxPartial = 1 - 1e-9;

    /// <summary>
    /// The coefficients δ_1..δ_k of (1 − B)^d (1 − B^m)^D = 1 + Σ δ_k B^k, the differencing polynomial.
    /// </summary>
    internal static double[] DifferencingPolynomial(int d, int seasonalD, int m)
    {
        double[] poly = [1.0];
        for (var i = 0; i < d; i++)
        {
            poly = Multiply(poly, [1.0, -1.0]);
        }

        for (var i = 0; i < seasonalD; i++)
        {
            var factor = new double[m + 1];
            factor[0] = 1;
            factor[m] = -1;
            poly = Multiply(poly, factor);
        }

        return poly[1..];
    }

    /// <summary>Applies the differencing polynomial: w_t = y_t + Σ δ_k y_{t−k} for t ≥ k_max.</summary>
    internal static double[] Difference(ReadOnlySpan<double> y, double[] delta)
    {
        var k = delta.Length;
        if (y.Length <= k)
        {
            return [];
        }

        var w = new double[y.Length - k];
        for (var t = k; t < y.Length; t++)
        {
            var value = y[t];
            for (var j = 0; j < k; j++)
            {
                if (delta[j] != 0)
                {
                    value += delta[j] * y[t - j - 1];
                }
            }

            w[t - k] = value;
        }

        return w;
    }

    /// <summary>Multiplies two polynomials given by their coefficients in ascending powers.</summary>
    internal static double[] Multiply(double[] a, double[] b)
    {
        var result = new double[a.Length + b.Length - 1];
        for (var i = 0; i < a.Length; i++)
        {
            for (var j = 0; j < b.Length; j++)
            {
                result[i + j] += a[i] * b[j];
            }
        }

        return result;
    }

    /// <summary>
    /// Jones (1980) / R's <c>partrans</c>: maps unconstrained values to the coefficients of a stationary AR
    /// polynomial 1 − Σ c_k B^k, through partial autocorrelations tanh(raw) and the Durbin-Levinson recursion.
    /// </summary>
    internal static void PartialTransform(ReadOnlySpan<double> raw, Span<double> coefficients, Span<double> work)
    {
        var p = raw.Length;
        for (var j = 0; j < p; j++)
        {
            coefficients[j] = work[j] = Math.Clamp(Math.Tanh(raw[j]), -MaxPartial, MaxPartial);
        }

        for (var j = 1; j < p; j++)
        {
            var a = coefficients[j];
            for (var k = 0; k < j; k++)
            {
                work[k] -= a * coefficients[j - k - 1];
            }

            for (var k = 0; k < j; k++)
            {
                coefficients[k] = work[k];
            }
        }
    }

    /// <summary>
    /// The inverse of <see cref="PartialTransform"/> (R's <c>invpartrans</c>). Returns false when the coefficients are not
    /// those of a stationary polynomial (a partial autocorrelation of modulus 1 or more).
    /// </summary>
    internal static bool InversePartialTransform(ReadOnlySpan<double> coefficients, Span<double> raw)
    {
        var p = coefficients.Length;
        Span<double> current = stackalloc double[p];
        Span<double> work = stackalloc double[p];
        coefficients.CopyTo(current);
        for (var j = p - 1; j > 0; j--)
        {
            var a = current[j];
            if (!(Math.Abs(a) < 1))
            {
                return false;
            }

            for (var k = 0; k < j; k++)
            {
                work[k] = (current[k] + (a * current[j - k - 1])) / (1 - (a * a));
            }

            for (var k = 0; k < j; k++)
            {
                current[k] = work[k];
            }
        }

        for (var j = 0; j < p; j++)
        {
            if (!(Math.Abs(current[j]) < 1))
            {
                return false;
            }

            raw[j] = Math.Atanh(Math.Clamp(current[j], -MaxPartial, MaxPartial));
        }

        return true;
    }

    /// <summary>
    /// The smallest modulus of the roots of 1 − Σ c_k B^k (sign = −1, an AR polynomial) or 1 + Σ c_k B^k (sign = +1,
    /// an MA polynomial), in terms of B^step: a seasonal factor's roots in B are the step-th roots of its roots in B^step.
    /// Returns +∞ for an empty polynomial.
    /// </summary>
    internal static double MinRootModulus(ReadOnlySpan<double> c, double sign, int step)
    {
        var last = c.Length - 1;
        while (last >= 0 && c[last] == 0)
        {
            last--;
        }

        if (last < 0)
        {
            return double.PositiveInfinity;
        }

        var poly = new double[last + 2];
        poly[0] = 1;
        for (var k = 0; k <= last; k++)
        {
            poly[k + 1] = sign * c[k];
        }

        Complex[] roots;
        try
        {
            roots = FindRoots.Polynomial(poly);
        }
        catch (ArithmeticException)
        {
            return 0;
        }

        var min = double.PositiveInfinity;
        foreach (var root in roots)
        {
            min = Math.Min(min, root.Magnitude);
        }

        return step == 1 ? min : Math.Pow(min, 1.0 / step);
    }

    /// <summary>
    /// The ψ weights of φ(B) y = θ(B) ε: ψ_0 = 1, ψ_j = θ_j + Σ_{i=1}^{min(j,p)} φ_i ψ_{j−i}, for j &lt; destination length.
    /// </summary>
    internal static void PsiWeights(ReadOnlySpan<double> phi, ReadOnlySpan<double> theta, Span<double> destination)
    {
        for (var j = 0; j < destination.Length; j++)
        {
            var value = j == 0 ? 1.0 : (j <= theta.Length ? theta[j - 1] : 0);
            var top = Math.Min(j, phi.Length);
            for (var i = 1; i <= top; i++)
            {
                value += phi[i - 1] * destination[j - i];
            }

            destination[j] = value;
        }
    }
}
