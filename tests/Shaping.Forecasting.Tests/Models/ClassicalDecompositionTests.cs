using Shaping.Forecasting.Models;

namespace Shaping.Forecasting.Tests.Models;

public sealed class ClassicalDecompositionTests
{
    internal static double[] DailyCycle(int length, double noise, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, length).Select(t =>
            100 + (30 * Math.Sin(2 * Math.PI * t / 24)) + (noise * ((2 * random.NextDouble()) - 1)))];
    }

    [Fact]
    public void Autocorrelation_HandComputed_MatchesDefinition()
    {
        // mean 2.5; deviations −1.5, −0.5, 0.5, 1.5; Σ dev² = 5; lag-1 products 0.75 − 0.25 + 0.75 = 1.25 → 0.25
        Assert.Equal(0.25, ClassicalDecomposition.Autocorrelation([1, 2, 3, 4], 1), 12);
    }

    [Fact]
    public void IsSeasonal_NoisyDailyCycle_True() =>
        Assert.True(ClassicalDecomposition.IsSeasonal(DailyCycle(240, noise: 10, seed: 1), 24));

    [Fact]
    public void IsSeasonal_WhiteNoise_False()
    {
        var random = new Random(3);
        double[] noise = [.. Enumerable.Range(0, 240).Select(_ => 100 + random.NextDouble())];
        Assert.False(ClassicalDecomposition.IsSeasonal(noise, 24));
    }

    [Fact]
    public void IsSeasonal_ShorterThanThreeSeasons_False() =>
        Assert.False(ClassicalDecomposition.IsSeasonal(DailyCycle(71, noise: 0, seed: 1), 24));

    [Fact]
    public void IsSeasonal_ConstantOrPeriodOne_False()
    {
        Assert.False(ClassicalDecomposition.IsSeasonal(Enumerable.Repeat(5.0, 100).ToArray(), 4));
        Assert.False(ClassicalDecomposition.IsSeasonal(DailyCycle(240, 0, 1), 1));
    }

    [Fact]
    public void IsSeasonal_TestStatistic_MatchesFormula()
    {
        // Recompute the M4 limit by hand for one series and check the decision agrees with it.
        var x = DailyCycle(96, noise: 60, seed: 11);
        var sum = 0.0;
        for (var k = 1; k < 24; k++)
        {
            var r = ClassicalDecomposition.Autocorrelation(x, k);
            sum += r * r;
        }

        var limit = 1.645 * Math.Sqrt((1 + (2 * sum)) / x.Length);
        var expected = Math.Abs(ClassicalDecomposition.Autocorrelation(x, 24)) > limit;
        Assert.Equal(expected, ClassicalDecomposition.IsSeasonal(x, 24));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void SeasonalIndices_PureMultiplicativeSeason_RecoversNormalisedIndices(int m)
    {
        // A 2×m (even m) or m (odd m) centred moving average of a purely periodic series is its mean,
        // so the ratios are exactly the normalised season.
        double[] season = m == 4 ? [0.5, 1.0, 1.5, 1.0] : [0.6, 0.8, 1.0, 1.2, 1.4];
        double[] x = [.. Enumerable.Range(0, (m * 6) + 3).Select(t => 200 * season[t % m])];
        var indices = new double[m];

        Assert.True(ClassicalDecomposition.SeasonalIndices(x, m, indices));
        for (var k = 0; k < m; k++)
        {
            Assert.Equal(season[k], indices[k], 10);
        }

        Assert.Equal(m, indices.Sum(), 10);
    }

    [Fact]
    public void SeasonalIndices_AllZeroSeries_FallsBackToOnes()
    {
        var indices = new double[4];
        Assert.False(ClassicalDecomposition.SeasonalIndices(new double[20], 4, indices));
        Assert.All(indices, i => Assert.Equal(1, i));
    }
}
