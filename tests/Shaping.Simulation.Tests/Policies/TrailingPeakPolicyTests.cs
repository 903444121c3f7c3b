using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Shaping.Core.Resources;
using Shaping.Simulation.Demand;
using Shaping.Simulation.Policies;

namespace Shaping.Simulation.Tests.Policies;

public sealed class TrailingPeakPolicyTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    /// <summary>
    /// At every interval the capacity covers the highest demand of the trailing window × (1 + margin), and it is the
    /// cheapest pair in the catalog that does (compared with a brute-force maximum over the window).
    /// </summary>
    [Property(MaxTest = 200)]
    public Property Decide_AnySeries_CoversTheTrailingPeakPlusMarginAtTheLowestPrice(int seed, PositiveInt length, PositiveInt windowHours)
    {
        var catalog = TestCatalogs.TShirt();
        var random = new Random(seed);
        var count = 2 + (length.Get % 120);
        var window = 1 + (windowHours.Get % 30);
        var demand = new DemandSeries("prop", Series.Start, Hour, Enumerable.Range(0, count).Select(_ =>
            new ResourceVector(random.NextDouble() * 20, random.NextDouble() * 60, 0, random.NextDouble() * 5)));

        var steps = new BacktestSimulator(catalog).Run(demand, new TrailingPeakPolicy(TimeSpan.FromHours(window), margin: 0.1)).Steps;

        var ok = Enumerable.Range(1, count - 1).All(t =>
        {
            var peak = demand.Values.Skip(Math.Max(0, t - window)).Take(Math.Min(t, window)).Aggregate(ResourceVector.Max).Scale(1.1);
            var cheapest = catalog.Shapes.Min(s => s.PricePerHour * CeilingRatio(peak, s.Capacity));
            var price = steps[t].Cost / Hour.TotalHours;
            return peak.FitsWithin(steps[t].Provisioned) && Math.Abs(price - cheapest) <= 1e-9 * cheapest;
        });
        return ok.Label($"{count} hourly steps, window {window} h");
    }

    [Fact]
    public void Decide_NothingObservedYet_RunsTheDearestShapeOnce()
    {
        var catalog = TestCatalogs.TShirt();

        var first = new BacktestSimulator(catalog).Run(Series.Cpu(Hour, 1, 1), new TrailingPeakPolicy()).Steps[0];

        Assert.Equal((catalog.Shapes[^1].Name, 1), (first.ShapeName, first.Replicas));
    }

    [Fact]
    public void Decide_PeakLeavesTheWindow_CapacityComesDown()
    {
        var demand = Series.Cpu(Hour, [8, .. Enumerable.Repeat(1.0, 6)]);

        var steps = new BacktestSimulator(TestCatalogs.Cpu()).Run(demand, new TrailingPeakPolicy(TimeSpan.FromHours(3), margin: 0)).Steps;

        Assert.Equal([8, 8, 8, 1, 1, 1], steps.Skip(1).Select(s => s.Provisioned.CpuCores));
    }

    [Fact]
    public void Decide_Ceiling_KeepsTheMarginBelowItUnlessDemandHasPassedIt()
    {
        // 7.5 cores + 10 % would need 9 cores (8.25); a ceiling of 8 cores (the machine) caps it at 8. Once demand
        // reaches 9 (the ceiling was wrong), the window's peak is held, without the margin.
        var demand = Series.Cpu(Hour, 7.5, 7.5, 9, 9);
        var policy = new TrailingPeakPolicy(TimeSpan.FromHours(1), margin: 0.1, ceiling: new ResourceVector(8, 0, 0, 0));

        var steps = new BacktestSimulator(TestCatalogs.Cpu()).Run(demand, policy).Steps;
        var uncapped = new BacktestSimulator(TestCatalogs.Cpu()).Run(demand, new TrailingPeakPolicy(TimeSpan.FromHours(1), margin: 0.1)).Steps;

        Assert.Equal([9, 9, 10], uncapped.Skip(1).Select(s => s.Provisioned.CpuCores));
        Assert.Equal([8, 8, 9], steps.Skip(1).Select(s => s.Provisioned.CpuCores));
    }

    [Fact]
    public void Constructor_BadArguments_ThrowNamingThem()
    {
        Assert.Equal("ceiling", Assert.Throws<ArgumentOutOfRangeException>(
            () => new TrailingPeakPolicy(ceiling: new ResourceVector(-1, 0, 0, 0))).ParamName);
        Assert.Equal("ceiling", Assert.Throws<ArgumentOutOfRangeException>(
            () => new TrailingPeakPolicy(ceiling: new ResourceVector(1, double.NaN, 0, 0))).ParamName);
        _ = new TrailingPeakPolicy(ceiling: new ResourceVector(double.PositiveInfinity, 0, 0, 0)); // +∞: no ceiling in that dimension
        Assert.Equal("window", Assert.Throws<ArgumentOutOfRangeException>(() => new TrailingPeakPolicy(TimeSpan.Zero)).ParamName);
        Assert.Equal("margin", Assert.Throws<ArgumentOutOfRangeException>(() => new TrailingPeakPolicy(margin: double.NaN)).ParamName);
    }

    private static double CeilingRatio(ResourceVector want, ResourceVector have)
    {
        var replicas = 1.0;
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            if (want[(Dimension)d] > 0)
            {
                replicas = Math.Max(replicas, Math.Ceiling((want[(Dimension)d] / have[(Dimension)d]) - 1e-12));
            }
        }

        return replicas;
    }
}
