using Shaping.Core.Resources;
using Shaping.Simulation.Policies;
using Shaping.Simulation.Reporting;
using Shaping.Simulation.Tests.Policies;

namespace Shaping.Simulation.Tests;

public sealed class BacktestSimulatorTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    [Fact]
    public void Run_PolicySeesOnlyThePast()
    {
        var catalog = TestCatalogs.Cpu();
        var probe = new ProbePolicy(c =>
        {
            Assert.Equal(c.Index, c.History.Length);
            return new ProvisioningDecision(catalog[0], 1);
        });

        new BacktestSimulator(catalog).Run(Series.Cpu(Hour, 1, 2, 3, 4), probe);

        Assert.Equal([0, 1, 2, 3], probe.HistoryLengths);
        Assert.Equal(1, probe.Resets);
    }

    [Fact]
    public void Run_DemandInADimensionNoShapeProvides_ThrowsNamingIt()
    {
        // CPU-only shapes cannot cover memory: every policy would be short all the time (the oracle used to run
        // 100,000 replicas and report 100 % under-provisioned).
        var demand = new Shaping.Simulation.Demand.DemandSeries("mem", Series.Start, Hour, [new ResourceVector(1, 2, 0, 0), new ResourceVector(1, 2, 0, 0)]);

        var error = Assert.Throws<ArgumentException>(() => new BacktestSimulator(TestCatalogs.Cpu()).Run(demand, new PercentileRecommenderPolicy()));

        Assert.Equal("demand", error.ParamName);
        Assert.Contains("Memory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_FixedCapacity_ComputesMetricsByHand()
    {
        var catalog = TestCatalogs.Cpu();
        var policy = new StaticPeakPolicy(new ResourceVector(2, 0, 0, 0), shapeName: "cpu-2");

        var m = new BacktestSimulator(catalog).Run(Series.Cpu(Hour, 1, 2, 3), policy).Metrics;

        Assert.Equal(0.6, m.TotalCost, 12);
        Assert.Equal((0.5 + 0 + 0) / 3, m.AverageSlack, 12);
        Assert.Equal(1.0 / 3, m.UnderProvisionedShare, 12);
        Assert.Equal(1.0 / 3, m.WorstShortfall, 12);
        Assert.Equal(0, m.ShapeSwitchesPerReplicaDay);
        Assert.True(double.IsNaN(m.ForecastCoverage));
        Assert.Equal(3, m.ReplicaHours, 12);
        Assert.Equal(1, m.MeanReplicas, 12);
    }

    [Fact]
    public void Run_NoDemandAtAll_ReportsAllCapacityAsSlack()
    {
        // An idle service: every core provisioned is unused. Average slack used to be 0 (an average over no dimension).
        var catalog = TestCatalogs.Cpu();
        var policy = new StaticPeakPolicy(new ResourceVector(2, 0, 0, 0), shapeName: "cpu-2");

        var m = new BacktestSimulator(catalog).Run(Series.Cpu(Hour, 0, 0, 0), policy).Metrics;

        Assert.Equal(1, m.AverageSlack, 12);
        Assert.Equal(0, m.UnderProvisionedShare);
        Assert.Equal(0, m.WorstShortfall);
    }

    [Fact]
    public void Run_AlternatingShapes_CountsSwitchesPerReplicaDay()
    {
        var catalog = TestCatalogs.Cpu();
        var probe = new ProbePolicy(c => new ProvisioningDecision(catalog[c.Index % 2], 2));

        var m = new BacktestSimulator(catalog).Run(Series.Cpu(Hour, [.. Enumerable.Repeat(1.0, 24)]), probe).Metrics;

        // 23 switches of 2 replicas over 2 replica-days.
        Assert.Equal(23.0, m.ShapeSwitchesPerReplicaDay, 9);
    }

    [Fact]
    public void Run_ForecastIntervals_ScoresCoverage()
    {
        var catalog = TestCatalogs.Cpu();
        var band = new ForecastInterval(new ResourceVector(1, 0, 0, 0), new ResourceVector(2, 0, 0, 0));
        var probe = new ProbePolicy(c => new ProvisioningDecision(catalog[^1], 1, c.Index == 0 ? null : band));

        var m = new BacktestSimulator(catalog).Run(Series.Cpu(Hour, 5, 1.5, 3, 2, 0.5), probe).Metrics;

        Assert.Equal(0.5, m.ForecastCoverage, 12); // 1.5 and 2 inside; 3 and 0.5 outside; interval 0 has none
    }

    [Fact]
    public void Run_UnusedDimensions_DoNotCountAsSlack()
    {
        var catalog = TestCatalogs.TShirt();
        var policy = new StaticPeakPolicy(new ResourceVector(2, 0, 0, 0), shapeName: "g-medium");

        var m = new BacktestSimulator(catalog).Run(Series.Cpu(Hour, 2, 2), policy).Metrics;

        Assert.Equal(0, m.AverageSlack, 12); // memory, disk and network are never demanded
    }

    [Fact]
    public void Run_OneReplicaForADayOfFiveMinuteSteps_MeanIsExactlyOneAndReplicaHoursExactly24()
    {
        var catalog = TestCatalogs.Cpu();
        var probe = new ProbePolicy(_ => new ProvisioningDecision(catalog[0], 1));

        var m = new BacktestSimulator(catalog).Run(Series.Cpu(TimeSpan.FromMinutes(5), [.. Enumerable.Repeat(0.5, 288)]), probe).Metrics;

        // Summed step by step in doubles these were 24.000000000000xx and 1.00000000000000xx.
        Assert.Equal(1.0, m.MeanReplicas);
        Assert.Equal(24.0, m.ReplicaHours);
    }

    [Fact]
    public void Report_Format_HasOneRowPerPolicyAndRelativeCost()
    {
        var simulator = new BacktestSimulator(TestCatalogs.Cpu());
        var demand = Series.Cpu(TimeSpan.FromMinutes(5), [.. Enumerable.Range(0, 100).Select(i => 1 + (i % 10) / 3.0)]);
        var results = simulator.RunAll(demand,
        [
            StaticPeakPolicy.Oracle(demand),
            new ThresholdScalingPolicy("cpu-1"),
            new PercentileRecommenderPolicy(),
        ]);

        var markdown = MarkdownReportWriter.Format("test", results, "vpa-like");

        Assert.Contains("### test", markdown, StringComparison.Ordinal);
        Assert.Contains("| static-peak (oracle) |", markdown, StringComparison.Ordinal);
        Assert.Contains("| hpa-like |", markdown, StringComparison.Ordinal);
        Assert.Contains("| vpa-like |", markdown, StringComparison.Ordinal);
        Assert.Contains("1×", markdown, StringComparison.Ordinal);
        Assert.Contains("n/a", markdown, StringComparison.Ordinal);
        Assert.Equal(5, markdown.Split('\n').Count(l => l.StartsWith('|')));
    }
}
