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
    public void Decide_MaxAllowed_CapsTheRecommendationPerReplica()
    {
        // 3.6 cores over 2 replicas = 1.8 each; × 1.15 = 2.07 would need the 4-core shape, but demand cannot exceed the
        // 4-core machine it is a share of, so each replica is allowed at most 2 cores (the VPA's maxAllowed).
        var demand = Series.Cpu(TimeSpan.FromMinutes(5), [.. Enumerable.Repeat(3.6, 50)]);
        var capped = new PercentileRecommenderPolicy(replicas: 2, maxAllowed: new ResourceVector(2, 0, 0, 0));

        var uncapped = new BacktestSimulator(TestCatalogs.Cpu()).Run(demand, new PercentileRecommenderPolicy(replicas: 2));
        var result = new BacktestSimulator(TestCatalogs.Cpu()).Run(demand, capped);

        Assert.All(uncapped.Steps.Skip(1), s => Assert.Equal("cpu-4", s.ShapeName));
        Assert.All(result.Steps.Skip(1), s => Assert.Equal("cpu-2", s.ShapeName));
        Assert.Equal(2, capped.Recommendation.CpuCores);
    }

    [Fact]
    public void Constructor_BadMaxAllowed_ThrowsNamingIt()
    {
        Assert.Equal("maxAllowed", Assert.Throws<ArgumentOutOfRangeException>(
            () => new PercentileRecommenderPolicy(maxAllowed: new ResourceVector(double.NaN, 0, 0, 0))).ParamName);
        Assert.Equal("maxAllowed", Assert.Throws<ArgumentOutOfRangeException>(
            () => new PercentileRecommenderPolicy(maxAllowed: new ResourceVector(0, -2, 0, 0))).ParamName);
        _ = new PercentileRecommenderPolicy(maxAllowed: new ResourceVector(double.PositiveInfinity, 1, 0, 0)); // +∞: no cap in that dimension
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

    private static DemandSeries Memory(TimeSpan step, IEnumerable<double> gib) =>
        new("test", Series.Start, step, gib.Select(m => new ResourceVector(0, m, 0, 0)));

    [Fact]
    public void Recommendation_MemoryDailyPeaks_TargetsThePeakNotTheInterval()
    {
        // Five days, hourly: 23 h at 1 GiB and one hour at 10 GiB. Per-interval samples put 1 GiB at the P90; one
        // peak per 24 h, as the VPA aggregates memory, puts 10 GiB there.
        var day = Enumerable.Repeat(1.0, 12).Append(10).Concat(Enumerable.Repeat(1.0, 11));
        var values = Enumerable.Repeat(day, 5).SelectMany(d => d).Append(0).ToArray();
        var perInterval = new PercentileRecommenderPolicy();
        var dailyPeaks = new PercentileRecommenderPolicy(memoryPeakInterval: TimeSpan.FromHours(24));

        new BacktestSimulator(TestCatalogs.TShirt()).Run(Memory(TimeSpan.FromHours(1), values), perInterval);
        new BacktestSimulator(TestCatalogs.TShirt()).Run(Memory(TimeSpan.FromHours(1), values), dailyPeaks);

        Assert.InRange(perInterval.Recommendation.MemoryGiB, 1.15, 1.15 * 1.07);
        Assert.InRange(dailyPeaks.Recommendation.MemoryGiB, 10 * 1.15, 10 * 1.15 * 1.07);
    }

    [Fact]
    public void Recommendation_MemoryPeakReplacedWithinItsInterval_KeepsOneSamplePerInterval()
    {
        // One interval's samples 2 then 5 GiB: the 2 is subtracted when the 5 replaces it, so even the P10 is 5.
        var policy = new PercentileRecommenderPolicy(percentile: 0.1, memoryPeakInterval: TimeSpan.FromHours(24));

        new BacktestSimulator(TestCatalogs.TShirt()).Run(Memory(TimeSpan.FromHours(1), [2, 5, 3, 0]), policy);

        Assert.InRange(policy.Recommendation.MemoryGiB, 5 * 1.15, 5 * 1.15 * 1.07);
    }

    [Fact]
    public void Recommendation_CpuWeightedByRequest_CountsSamplesUnderLargerShapesMore()
    {
        // 7 samples of 1 core under the 1-core shape (weight 1 each), then 3 of 3 cores under the 4-core shape
        // (weight 4 each): the median is 1 core unweighted (7 of 10) and 3 cores weighted (12 of 19).
        var catalog = TestCatalogs.Cpu();
        var step = TimeSpan.FromMinutes(5);
        double[] cores = [1, 1, 1, 1, 1, 1, 1, 3, 3, 3];
        var weighted = new PercentileRecommenderPolicy(percentile: 0.5, weightCpuByRequest: true);
        var plain = new PercentileRecommenderPolicy(percentile: 0.5);
        foreach (var policy in new[] { weighted, plain })
        {
            var history = cores.Select(c => new ResourceVector(c, 0, 0, 0)).ToArray();
            for (var t = 1; t <= history.Length; t++)
            {
                var shape = catalog.Shapes[t <= 7 ? 0 : 2];
                policy.Decide(new ProvisioningContext(
                    t, Series.Start + (step * t), step, catalog, history.AsMemory(0, t), new ProvisioningDecision(shape, 1)));
            }
        }

        Assert.InRange(plain.Recommendation.CpuCores, 1 * 1.15, 1 * 1.15 * 1.07);
        Assert.InRange(weighted.Recommendation.CpuCores, 3 * 1.15, 3 * 1.15 * 1.07);
    }

    [Fact]
    public void DecayingHistogram_Subtract_RemovesTheSampleAddedAtThatTime()
    {
        var histogram = new DecayingHistogram(0.01, 1.05, TimeSpan.FromHours(24));
        histogram.Add(1, Series.Start);
        histogram.Add(8, Series.Start.AddHours(30));

        histogram.Subtract(8, Series.Start.AddHours(30));

        Assert.Equal(1, histogram.TotalWeight, 9);
        Assert.InRange(histogram.Percentile(0.99), 1, 1.07);
    }
}
