using Shaping.Core.Resources;
using Shaping.Simulation.Demand;
using Shaping.Simulation.Policies;

namespace Shaping.Simulation.Tests.Policies;

public sealed class StaticPeakPolicyTests
{
    [Fact]
    public void StaticPeak_Oracle_NeverUnderProvisionsAndPicksCheapestPair()
    {
        var demand = Series.Cpu(TimeSpan.FromHours(1), 1, 5, 3);
        var result = new BacktestSimulator(TestCatalogs.Cpu()).Run(demand, StaticPeakPolicy.Oracle(demand));

        Assert.Equal(0, result.Metrics.UnderProvisionedShare);
        Assert.All(result.Steps, s => Assert.Equal(("cpu-1", 5), (s.ShapeName, s.Replicas)));
        Assert.Equal(1.5, result.Metrics.TotalCost, 9);
    }

    [Fact]
    public void StaticPeak_NamedShapeWithHeadroom_CoversPeakTimesHeadroom()
    {
        var demand = Series.Cpu(TimeSpan.FromHours(1), 1, 5, 3);
        var policy = new StaticPeakPolicy(demand.Peak, headroom: 0.5, shapeName: "cpu-4");

        var result = new BacktestSimulator(TestCatalogs.Cpu()).Run(demand, policy);

        Assert.All(result.Steps, s => Assert.Equal(2, s.Replicas)); // 7.5 cores → two 4-core replicas
        Assert.Equal(new ResourceVector(7.5, 0, 0, 0), policy.Target);
    }

    [Fact]
    public void StaticPeak_DemandSeriesPeak_IsPerDimensionMaximum()
    {
        var demand = new DemandSeries("d", Series.Start, TimeSpan.FromMinutes(5),
            [new ResourceVector(1, 8, 0, 0), new ResourceVector(4, 2, 0, 1)]);

        Assert.Equal(new ResourceVector(4, 8, 0, 1), demand.Peak);
    }

    [Fact]
    public void StaticPeak_FromLeadingWindow_SizesOnFirstDaysOnly()
    {
        var demand = Series.Cpu(TimeSpan.FromHours(12), 1, 2, 2, 5);
        var policy = StaticPeakPolicy.FromLeadingWindow(demand, TimeSpan.FromDays(1));

        var result = new BacktestSimulator(TestCatalogs.Cpu()).Run(demand, policy);

        Assert.Equal(new ResourceVector(2, 0, 0, 0), policy.Target);
        Assert.Equal("static-peak (first 1 d)", result.Policy);
        Assert.Equal(0.25, result.Metrics.UnderProvisionedShare, 12);
    }
}
