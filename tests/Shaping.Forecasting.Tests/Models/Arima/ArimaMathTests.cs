using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Shaping.Forecasting.Models.Arima;

namespace Shaping.Forecasting.Tests.Models.Arima;

public sealed class ArimaMathTests
{
    [Property(MaxTest = 200)]
    public Property PartialTransform_AnyVector_GivesAStationaryPolynomialAndInverts()
    {
        var vectors = Gen.Choose(1, 6).SelectMany(p => Gen.ArrayOf(Gen.Choose(-3000, 3000).Select(v => v / 1000.0), p));
        return Prop.ForAll(vectors.ToArbitrary(), raw =>
        {
            var coefficients = new double[raw.Length];
            ArimaMath.PartialTransform(raw, coefficients, new double[raw.Length]);
            var back = new double[raw.Length];
            var inverted = ArimaMath.InversePartialTransform(coefficients, back);
            var again = new double[raw.Length];
            ArimaMath.PartialTransform(back, again, new double[raw.Length]);

            // Roots are found numerically; partial autocorrelations near ±1 (tanh 3 = 0.995) put them within
            // ~1e-13 of the unit circle, so allow the root finder that much.
            var stationary = ArimaMath.MinRootModulus(coefficients, -1, 1) > 1 - 1e-10;

            // Compared on the polynomial, not on the raw values: atanh near ±1 amplifies the rounding of the
            // Durbin-Levinson recursion (raw values differ by up to 2.4e-4 at |raw| = 3 while the coefficients
            // they map to agree to 1e-13), and the polynomial is what the model uses.
            var roundTrip = coefficients.Zip(again).All(pair => Math.Abs(pair.First - pair.Second) <= 1e-9 * (1 + Math.Abs(pair.First)));
            return inverted && stationary && roundTrip;
        });
    }

    [Fact]
    public void MinRootModulus_SeasonalFactor_TakesTheMthRoot()
    {
        // 1 - 0.5 B^12 has roots of modulus 2^(1/12) in B.
        Assert.Equal(Math.Pow(2, 1.0 / 12), ArimaMath.MinRootModulus([0.5], -1, 12), 1e-9);
        Assert.Equal(2.0, ArimaMath.MinRootModulus([-0.5], 1, 1), 1e-9);
    }

    [Fact]
    public void DifferencingPolynomial_FirstAndSeasonal_IsTheProduct()
    {
        // (1 - B)(1 - B^4) = 1 - B - B^4 + B^5.
        Assert.Equal([-1.0, 0, 0, -1, 1], ArimaMath.DifferencingPolynomial(1, 1, 4));
    }

    [Fact]
    public void Difference_SeasonalAndFirst_MatchesRepeatedDifferences()
    {
        double[] y = [1, 4, 9, 16, 25, 36, 49, 64, 81, 100];
        var w = ArimaMath.Difference(y, ArimaMath.DifferencingPolynomial(1, 1, 3));

        // diff(y, lag = 3) = 6t + 9, and its first difference is 6.
        Assert.Equal(6, w.Length);
        Assert.All(w, v => Assert.Equal(6, v, 1e-12));
    }
}
