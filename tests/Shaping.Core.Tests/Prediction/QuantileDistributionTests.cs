using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Shaping.Core.Prediction;

namespace Shaping.Core.Tests.Prediction;

public static class DistributionArbitraries
{
    /// <summary>Distributions summarised from random samples of random spread, including point masses.</summary>
    public static Arbitrary<QuantileDistribution> Distributions() =>
        Gen.Choose(0, int.MaxValue - 1).Select(seed =>
        {
            var random = new Random(seed);
            var samples = new double[random.Next(1, 200)];
            var level = random.NextDouble() * 100;
            var spread = random.Next(3) == 0 ? 0 : random.NextDouble() * 50;
            for (var i = 0; i < samples.Length; i++)
            {
                samples[i] = Math.Max(0, level + (spread * (random.NextDouble() - 0.3)));
            }

            return QuantileDistribution.FromSamples(samples);
        }).ToArbitrary();

    public static Arbitrary<double> Probabilities() =>
        Gen.Choose(0, 999_999).Select(i => i / 1_000_000.0).ToArbitrary();
}

[Properties(Arbitrary = [typeof(DistributionArbitraries)], MaxTest = 300)]
public sealed class QuantileDistributionTests
{
    [Property]
    public bool Quantile_IsMonotoneInTheLevel(QuantileDistribution distribution, double p, double q)
    {
        var (low, high) = p <= q ? (p, q) : (q, p);
        return distribution.Quantile(low) <= distribution.Quantile(high);
    }

    [Property]
    public bool Cdf_InvertsQuantile(QuantileDistribution distribution, double p)
    {
        var x = distribution.Quantile(p);
        var back = distribution.Cdf(x);
        // A flat stretch of quantiles (a point mass) maps many levels to one value: the CDF jumps past p there.
        return back >= p - 1e-9 && double.IsFinite(x) && x >= 0;
    }

    [Theory]
    [InlineData(0.99)]
    [InlineData(0.9999)]
    [InlineData(0.9999999999999999)]
    public void Quantile_FarTailOfAHugeDistribution_IsFinite(double p)
    {
        // Finite, valid quantiles: the exponential tail beyond P99 must not run past double.MaxValue.
        var distribution = QuantileDistribution.FromQuantiles(1, [1, 1, 1, 1, 1, 1e307, 1e308]);

        var x = distribution.Quantile(p);

        Assert.True(double.IsFinite(x) && x >= 1e308, $"{x}");
    }

    [Fact]
    public void Scale_ByAFactorThatOverflows_ThrowsNamingTheFactor()
    {
        // Leaving infinite quantiles behind would give a P99 − P95 gap of ∞ − ∞ = NaN and a NaN peak quantile.
        var distribution = QuantileDistribution.FromQuantiles(1e300, [1e300, 1e300, 1e300, 1e300, 1e300, 1e300, 1e300]);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => distribution.Scale(1e10));

        Assert.Equal("factor", error.ParamName);
    }

    [Property]
    public bool Cdf_IsMonotoneAndInTheUnitInterval(QuantileDistribution distribution, double a, double b)
    {
        // a and b come from this class's Probabilities arbitrary, in [0, 1): scaled to [0, 300) so that the points
        // fall below, inside and beyond the distributions' quantiles (their samples are at most about 135) and in the
        // upper tail. (Math.Abs(a) % 1000 left them in [0, 1), where most distributions' CDF is 0 on both sides.)
        var x = a * 300;
        var y = b * 300;
        var (low, high) = x <= y ? (x, y) : (y, x);
        var fLow = distribution.Cdf(low);
        var fHigh = distribution.Cdf(high);

        // And a point just above the first, often in the same interpolation segment, where a far pair seldom falls.
        var fNear = distribution.Cdf(x + (b * 2));
        return fLow <= fHigh && fLow >= 0 && fHigh <= 1 && distribution.Cdf(x) <= fNear && fNear <= 1;
    }

    [Fact]
    public void FromSamples_MatchesRType7Quantiles()
    {
        // R: quantile(1:10, c(.05,.25,.5,.75,.9,.95,.99)) = 1.45 3.25 5.50 7.75 9.10 9.55 9.91
        double[] samples = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
        var distribution = QuantileDistribution.FromSamples(samples);
        double[] expected = [1.45, 3.25, 5.50, 7.75, 9.10, 9.55, 9.91];
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], distribution.QuantileAt(i), 10);
        }

        Assert.Equal(5.5, distribution.Mean, 12);
    }

    [Theory]
    [InlineData(1e308, 3)]
    [InlineData(double.MaxValue, 2)]
    [InlineData(1.2e308, 1000)]
    public void FromSamples_ValuesNearTheLargestDouble_HaveAFiniteMean(double value, int count)
    {
        // Before: the sum overflowed and the mean was +∞.
        var samples = Enumerable.Repeat(value, count).ToArray();
        samples[0] = value / 2;

        var distribution = QuantileDistribution.FromSamples(samples);

        var expected = value - ((value / 2) / count);
        Assert.True(double.IsFinite(distribution.Mean), $"mean {distribution.Mean}");
        Assert.InRange(distribution.Mean, expected * (1 - 1e-12), value);
    }

    [Property(MaxTest = 200)]
    public bool FromSamples_OrdinaryValues_MeanIsTheSumOverTheCount(NonEmptyArray<NormalFloat> values)
    {
        // The overflow-safe mean must not move ordinary results by a bit.
        var samples = values.Get.Select(v => Math.Abs(v.Get) % 1e12).ToArray();
        var sum = 0.0;
        foreach (var v in samples)
        {
            sum += v;
        }

        return QuantileDistribution.FromSamples(samples).Mean == sum / samples.Length;
    }

    [Fact]
    public void Degenerate_HasAllMassAtTheValue()
    {
        var point = QuantileDistribution.Degenerate(3);
        Assert.True(point.IsDegenerate);
        Assert.Equal(3, point.Quantile(0.999));
        Assert.Equal(1, point.Cdf(3));
        Assert.True(point.Cdf(2.999) < 0.05);
    }

    [Fact]
    public void UpperTail_BeyondP99_IsExponentialAndContinuous()
    {
        var distribution = QuantileDistribution.FromUpperQuantiles(10, 10, 12, 13, 15);
        Assert.Equal(0.99, distribution.Cdf(15), 12);
        Assert.Equal(15, distribution.Quantile(0.99), 12);
        // From P95 to P99 the survival falls by 5×; the tail keeps that rate: 2 more units → survival 0.01/5.
        Assert.Equal(1 - 0.002, distribution.Cdf(17), 9);
    }

    [Fact]
    public void FromQuantiles_Decreasing_ThrowsNamingQuantiles()
    {
        var exception = Assert.Throws<ArgumentException>(() => QuantileDistribution.FromQuantiles(1, [1, 2, 3, 2.5, 4, 5, 6]));
        Assert.Equal("quantiles", exception.ParamName);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-1)]
    [InlineData(double.PositiveInfinity)]
    public void Constructors_RejectNaNNegativeAndInfinity(double bad)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => QuantileDistribution.Degenerate(bad));
        Assert.Throws<ArgumentOutOfRangeException>(() => QuantileDistribution.FromQuantiles(1, [1, 2, 3, 4, 5, 6, bad]));
        Assert.Throws<ArgumentOutOfRangeException>(() => QuantileDistribution.FromSamples(new[] { 1.0, bad }));
    }

    [Fact]
    public void Quantile_OutsideRange_Throws()
    {
        var distribution = QuantileDistribution.Degenerate(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => distribution.Quantile(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => distribution.Quantile(double.NaN));
    }

    [Theory]
    [InlineData(double.NaN, 3, "p95")]
    [InlineData(2, double.PositiveInfinity, "p99")]
    [InlineData(1.5, 3, "p95")]
    [InlineData(3, 2.5, "p99")]
    public void FromUpperQuantiles_BadUpperQuantile_NamesIt(double p95, double p99, string name)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => QuantileDistribution.FromUpperQuantiles(1, 1, 2, p95, p99));
        Assert.Equal(name, error.ParamName);
    }

    [Fact]
    public void FromUpperQuantiles_P90BelowMedian_NamesP90()
    {
        var error = Assert.Throws<ArgumentException>(() => QuantileDistribution.FromUpperQuantiles(1, 2, 1.5, 3, 4));
        Assert.Equal("p90", error.ParamName);
    }
}
