using Shaping.Core.Resources;
using Shaping.Simulation.Demand;
using Shaping.Simulation.Policies;

namespace Shaping.Simulation.Tests.Policies;

public sealed class PercentileRecommenderPolicyTests
{
    private static PercentileRecommenderPolicy Feed(TimeSpan step, IEnumerable<double> cores)
    {
        var policy = new PercentileRecommenderPolicy();
        new BacktestSimulator(TestCatalogs.Cpu()).Run(Series.Cpu(step, [.. cores, 0]), policy);
        return policy;
    }

    [Fact]
    public void Recommendation_ConstantDemand_ConvergesToDemandPlusFifteenPercent()
    {
        var policy = Feed(TimeSpan.FromMinutes(5), Enumerable.Repeat(2.0, 200));

        var cores = policy.Recommendation.CpuCores;

        Assert.InRange(cores, 2 * 1.15, 2 * 1.15 * 1.07); // within one 5 % bucket above the exact value
    }

    [Fact]
    public void Recommendation_UniformOneToTen_IsNinetiethPercentilePlusFifteenPercent()
    {
        // 10 first in each cycle: with the slow decay, later samples weigh slightly more, so 1..9 hold over 90 %.
        var values = Enumerable.Range(0, 50).SelectMany(_ => new double[] { 10, 1, 2, 3, 4, 5, 6, 7, 8, 9 });

        var cores = Feed(TimeSpan.FromMinutes(1), values).Recommendation.CpuCores;

        Assert.InRange(cores, 9 * 1.15, 9 * 1.15 * 1.07);
    }

    [Fact]
    public void Recommendation_OldPeakDecays_FollowsRecentDemand()
    {
        // One day at 10 cores, then three days at 1 core, hourly: the old day weighs 1/8 to 1/16 of a recent one.
        var values = Enumerable.Repeat(10.0, 24).Concat(Enumerable.Repeat(1.0, 72));

        var cores = Feed(TimeSpan.FromHours(1), values).Recommendation.CpuCores;

        Assert.InRange(cores, 1.15, 1.15 * 1.07);
    }

    [Fact]
    public void Decide_ChoosesCheapestShapeCoveringRecommendation()
    {
        var simulator = new BacktestSimulator(TestCatalogs.Cpu());
        var policy = new PercentileRecommenderPolicy(replicas: 2);

        var result = simulator.Run(Series.Cpu(TimeSpan.FromMinutes(5), [.. Enumerable.Repeat(3.0, 50)]), policy);

        // 3 cores over 2 replicas = 1.5 each; × 1.15 = 1.725 → the 2-core shape.
        Assert.Equal("cpu-4", result.Steps[0].ShapeName); // dearest shape before any observation
        Assert.All(result.Steps.Skip(1), s => Assert.Equal("cpu-2", s.ShapeName));
        Assert.All(result.Steps, s => Assert.Equal(2, s.Replicas));
    }

    [Fact]
    public void Decide_NothingCovers_PicksLargestShape()
    {
        var simulator = new BacktestSimulator(TestCatalogs.Cpu());

        var result = simulator.Run(Series.Cpu(TimeSpan.FromMinutes(5), 100, 100), new PercentileRecommenderPolicy());

        Assert.Equal("cpu-4", result.Steps[1].ShapeName);
    }

    [Fact]
    public void Reset_ClearsHistogram()
    {
        var policy = Feed(TimeSpan.FromMinutes(5), Enumerable.Repeat(2.0, 20));

        policy.Reset();

        Assert.Equal(ResourceVector.Zero, policy.Recommendation);
    }

    [Fact]
    public void Constructor_BadPercentile_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PercentileRecommenderPolicy(percentile: 0));
    }

    [Fact]
    public void DecayingHistogram_BucketsGrowByRatio()
    {
        var histogram = new DecayingHistogram(0.01, 1.05, TimeSpan.FromHours(24));

        for (var i = 1; i < 200; i++)
        {
            var width = histogram.BucketStart(i + 1) - histogram.BucketStart(i);
            var previous = histogram.BucketStart(i) - histogram.BucketStart(i - 1);
            Assert.Equal(1.05, width / previous, 9);
            Assert.Equal(i, histogram.BucketOf(histogram.BucketStart(i) * 1.000001 + 1e-12));
        }
    }

    [Fact]
    public void DecayingHistogram_LongRun_RenormalisesWithoutOverflow()
    {
        var histogram = new DecayingHistogram(0.01, 1.05, TimeSpan.FromHours(1));
        var start = Series.Start;
        for (var h = 0; h < 2000; h++)
        {
            histogram.Add(h < 1990 ? 5 : 1, start.AddHours(h));
        }

        Assert.True(double.IsFinite(histogram.TotalWeight));
        Assert.InRange(histogram.Percentile(0.5), 1, 1.07);
    }

    [Theory]
    [InlineData(1.05)]
    [InlineData(1.001)]
    public void Recommendation_DemandFarAboveTheFirstBuckets_IsNotCappedByTheBucketRange(double ratio)
    {
        // With a fixed 1000 buckets, a ratio of 1.001 used to end the range near 17 cores and recommend 19.7.
        var policy = new PercentileRecommenderPolicy(bucketRatio: ratio);
        new BacktestSimulator(TestCatalogs.Cpu()).Run(Series.Cpu(TimeSpan.FromMinutes(5), [.. Enumerable.Repeat(40.0, 50), 0]), policy);

        Assert.InRange(policy.Recommendation.CpuCores, 40 * 1.15, 40 * 1.15 * ratio * 1.001);
    }

    [Fact]
    public void DecayingHistogram_SampleBeyondTheRange_ReportsTheSampleNotTheBucketEnd()
    {
        var histogram = new DecayingHistogram(0.01, 1.05, TimeSpan.FromHours(24));
        histogram.Add(1e9, Series.Start);

        Assert.Equal(1e9, histogram.Percentile(0.9));
    }

    [Fact]
    public void Constructor_RatioTooCloseToOne_ThrowsNamingIt()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new PercentileRecommenderPolicy(bucketRatio: 1.0000001));

        Assert.Equal("bucketRatio", error.ParamName);
    }
}
