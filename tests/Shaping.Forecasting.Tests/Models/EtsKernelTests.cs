using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Shaping.Forecasting.Models;

namespace Shaping.Forecasting.Tests.Models;

public sealed class EtsKernelTests
{
    private static readonly EtsSpecification Ann = new(EtsErrorType.Additive, EtsTrendType.None, EtsSeasonType.None);
    private static readonly EtsSpecification Aan = new(EtsErrorType.Additive, EtsTrendType.Additive, EtsSeasonType.None);

    [Fact]
    public void Likelihood_SimpleExponentialSmoothing_MatchesHandComputedValues()
    {
        // alpha 0.5, l0 4, y = 3, 5, 4: forecasts 4, 3.5, 4.25; errors -1, 1.5, -0.25; final level 4.125.
        double[] y = [3, 5, 4];
        var level = 4.0;
        var slope = 0.0;
        var season = new double[1];
        var lik = EtsKernel.Likelihood(y, Ann, new EtsParameterSet(0.5, 0, 0, 1), ref level, ref slope, season, 0, out var sse, out var sumLog);

        Assert.Equal(4.125, level, 12);
        Assert.Equal(3.3125, sse, 12);
        Assert.Equal(0, sumLog);
        Assert.Equal(3 * Math.Log(3.3125), lik, 12);
    }

    [Fact]
    public void Likelihood_HoltLinear_MatchesHandComputedValues()
    {
        // alpha 0.5, beta 0.25, l0 0, b0 1, y = 1, 2, 4: errors 0, 0, 1; final level 3.5, slope 1.25.
        double[] y = [1, 2, 4];
        var level = 0.0;
        var slope = 1.0;
        var season = new double[1];
        EtsKernel.Likelihood(y, Aan, new EtsParameterSet(0.5, 0.25, 0, 1), ref level, ref slope, season, 0, out var sse, out _);

        Assert.Equal(3.5, level, 12);
        Assert.Equal(1.25, slope, 12);
        Assert.Equal(1, sse, 12);
    }

    [Fact]
    public void Likelihood_MultiplicativeError_AddsTwiceTheSumOfLogForecasts()
    {
        double[] y = [3, 5, 4];
        var level = 4.0;
        var slope = 0.0;
        var season = new double[1];
        var spec = Ann with { Error = EtsErrorType.Multiplicative };
        var lik = EtsKernel.Likelihood(y, spec, new EtsParameterSet(0.5, 0, 0, 1), ref level, ref slope, season, 0, out var sse, out var sumLog);

        var expectedSse = Math.Pow(-1 / 4.0, 2) + Math.Pow(1.5 / 3.5, 2) + Math.Pow(-0.25 / 4.25, 2);
        var expectedLog = Math.Log(4) + Math.Log(3.5) + Math.Log(4.25);
        Assert.Equal(expectedSse, sse, 12);
        Assert.Equal(expectedLog, sumLog, 12);
        Assert.Equal((3 * Math.Log(expectedSse)) + (2 * expectedLog), lik, 10);
    }

    /// <summary>
    /// A multiplicative-error criterion is n·log Σε² + 2Σ log ŷ, so scaling the data and the states by c changes it by
    /// exactly 2n·log c. Before, the running product of 16 forecasts overflowed for forecasts above about 1e19 (and
    /// underflowed below about 1e-19), the log sum became infinite and the kernel returned its penalty: no
    /// multiplicative-error model could be fitted to such data, and AutoEts silently kept additive ones.
    /// </summary>
    [Property(MaxTest = 100)]
    public Property Likelihood_MultiplicativeErrorOnScaledData_ShiftsByTwiceNLogScale() =>
        Prop.ForAll(
            (from length in Gen.Choose(20, 80)
             from exponent in Gen.Choose(-9, 95)
             from seed in Gen.Choose(0, int.MaxValue)
             select (length, exponent, seed)).ToArbitrary(),
            c =>
            {
                var random = new Random(c.seed);
                double[] y = [.. Enumerable.Range(0, c.length).Select(t => (1 + (0.3 * Math.Sin(2 * Math.PI * t / 4))) * (1 + (0.2 * random.NextDouble())))];
                var scale = Math.Pow(10, c.exponent);
                var spec = new EtsSpecification(EtsErrorType.Multiplicative, EtsTrendType.Additive, EtsSeasonType.Multiplicative);
                var parameters = new EtsParameterSet(0.3, 0.05, 0.1, 1);
                double Criterion(double factor)
                {
                    var level = factor;
                    var slope = 0.001 * factor;
                    double[] season = [1.3, 1, 0.7, 1];
                    double[] data = [.. y.Select(v => v * factor)];
                    return EtsKernel.Likelihood(data, spec, parameters, ref level, ref slope, season, 0, out _, out _);
                }

                var expected = Criterion(1) + (2 * c.length * Math.Log(scale));
                return Math.Abs(Criterion(scale) - expected) <= 1e-9 * Math.Max(1, Math.Abs(expected));
            });

    [Fact]
    public void RootsInUnitCircle_KnownPolynomials_Classified()
    {
        // z^2 - 0.25: roots ±0.5. z^2 - 2.1 z + 0.2: roots 2 and 0.1.
        Assert.True(EtsAdmissibility.RootsInUnitCircle([-0.25, 0, 1]));
        Assert.False(EtsAdmissibility.RootsInUnitCircle([0.2, -2.1, 1]));
    }

    [Fact]
    public void IsAdmissible_UsualHoltWinters_IsAdmissibleAndExtremeIsNot()
    {
        Assert.True(EtsAdmissibility.IsAdmissible(0.2, 0.02, 0.1, 1, hasTrend: true, hasSeason: true, m: 24));
        Assert.False(EtsAdmissibility.IsAdmissible(0.2, 0.02, 2.5, 1, hasTrend: true, hasSeason: true, m: 24));
    }
}
