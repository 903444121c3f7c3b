namespace Shaping.Forecasting.Models;

/// <summary>
/// The admissibility (forecastability) region of the ETS smoothing parameters, after R's
/// <c>forecast:::admissible</c> (Hyndman, Akram and Archibald 2008): the simple inequalities first, then for a
/// seasonal model the roots of the characteristic polynomial, which must lie in the unit circle. The roots are
/// checked without computing them, by the Schur-Cohn step-down recursion (all reflection coefficients below 1
/// in modulus), O(m²) arithmetic and no allocation for m ≤ 64.
/// </summary>
internal static class EtsAdmissibility
{
    /// <summary>Checks a parameter set; <paramref name="phi"/> is 1 for an undamped or absent trend.</summary>
    internal static bool IsAdmissible(double alpha, double beta, double gamma, double phi, bool hasTrend, bool hasSeason, int m)
    {
        if (phi < 0 || phi > 1 + 1e-8)
        {
            return false;
        }

        if (!hasSeason || m <= 1)
        {
            if (alpha < 1 - (1 / phi) || alpha > 1 + (1 / phi))
            {
                return false;
            }

            return !hasTrend || (beta >= alpha * (phi - 1) && beta <= (1 + phi) * (2 - alpha));
        }

        if (!hasTrend)
        {
            beta = 0;
        }

        if (gamma < Math.Max(1 - (1 / phi) - alpha, 0) || gamma > 1 + (1 / phi) - alpha)
        {
            return false;
        }

        if (alpha < 1 - (1 / phi) - (gamma * (1 - m + phi + (phi * m)) / (2 * phi * m)))
        {
            return false;
        }

        if (beta < -(1 - phi) * ((gamma / m) + alpha))
        {
            return false;
        }

        // Characteristic polynomial, ascending powers: phi(1-a-g), a+b-a*phi+g-1, (a+b-a*phi) × (m-2), a+b-phi, 1.
        var degree = m + 1;
        Span<double> p = degree < 64 ? stackalloc double[degree + 1] : new double[degree + 1];
        p[0] = phi * (1 - alpha - gamma);
        p[1] = alpha + beta - (alpha * phi) + gamma - 1;
        for (var i = 2; i < m; i++)
        {
            p[i] = alpha + beta - (alpha * phi);
        }

        p[m] = alpha + beta - phi;
        p[m + 1] = 1;
        return RootsInUnitCircle(p);
    }

    /// <summary>
    /// Whether every root of Σ p[j] z^j (p[^1] the leading coefficient, non-zero) lies inside the unit circle (a last root on it passes).
    /// </summary>
    internal static bool RootsInUnitCircle(Span<double> p)
    {
        var d = p.Length - 1;

        // c_i = p[d - i] / p[d] is the monic polynomial in z^-1 for the Levinson step-down. A reflection
        // coefficient of modulus 1 + 1e-10 or less passes (R's tolerance for a root on the circle).
        Span<double> c = d < 64 ? stackalloc double[d + 1] : new double[d + 1];
        Span<double> next = d < 64 ? stackalloc double[d + 1] : new double[d + 1];
        var lead = p[d];
        for (var i = 0; i <= d; i++)
        {
            c[i] = p[d - i] / lead;
        }

        for (var order = d; order >= 1; order--)
        {
            var k = c[order];
            if (!(Math.Abs(k) < 1))
            {
                if (Math.Abs(k) <= 1 + 1e-10 && order == 1)
                {
                    continue;
                }

                return false;
            }

            var scale = 1 / (1 - (k * k));
            for (var i = 1; i < order; i++)
            {
                next[i] = (c[i] - (k * c[order - i])) * scale;
            }

            for (var i = 1; i < order; i++)
            {
                c[i] = next[i];
            }
        }

        return true;
    }
}
