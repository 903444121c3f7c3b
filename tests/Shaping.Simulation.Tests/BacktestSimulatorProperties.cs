using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Shaping.Core.Resources;
using Shaping.Simulation.Demand;
using Shaping.Simulation.Policies;
using Shaping.Simulation.Tests.Policies;

namespace Shaping.Simulation.Tests;

public sealed class BacktestSimulatorProperties
{
    /// <summary>
    /// Whatever a policy decides, the simulator reports exactly that capacity (never less), charges exactly its price
    /// for the interval, and its totals are the sums of its steps.
    /// </summary>
    [Property(MaxTest = 200)]
    public Property Run_AnyPolicy_AccountingIsConserved(int seed, PositiveInt length, PositiveInt stepMinutes)
    {
        var catalog = TestCatalogs.TShirt();
        var random = new Random(seed);
        var count = 1 + (length.Get % 80);
        var step = TimeSpan.FromMinutes(1 + (stepMinutes.Get % 120));
        var demand = new DemandSeries("prop", Series.Start, step, Enumerable.Range(0, count).Select(_ =>
            new ResourceVector(random.NextDouble() * 20, random.NextDouble() * 60, random.NextDouble() * 300, random.NextDouble() * 15)));
        var probe = new ProbePolicy(_ => new ProvisioningDecision(catalog[random.Next(catalog.Count)], 1 + random.Next(6)));

        var result = new BacktestSimulator(catalog).Run(demand, probe);

        var hours = step.TotalHours;
        var expectedCost = probe.Decisions.Sum(d => d.Shape.PricePerHour * d.Replicas * hours);
        var stepsMatch = result.Steps.Select((s, i) =>
        {
            var decision = probe.Decisions[i];
            return s.Provisioned.Equals(decision.Capacity)
                && decision.Capacity.FitsWithin(s.Provisioned)
                && s.Replicas == decision.Replicas
                && s.ShapeName == decision.Shape.Name
                && s.Demand == demand.Values[i]
                && Math.Abs(s.Cost - (decision.PricePerHour * hours)) <= 1e-12 * Math.Max(1, s.Cost);
        }).All(ok => ok);
        var under = result.Steps.Count(s => !s.Demand.FitsWithin(s.Provisioned));
        var m = result.Metrics;

        return (stepsMatch
                && result.Steps.Length == count
                && Close(m.TotalCost, result.Steps.Sum(s => s.Cost))
                && Close(m.TotalCost, expectedCost)
                && Close(m.ReplicaHours, probe.Decisions.Sum(d => d.Replicas) * hours)
                && Close(m.UnderProvisionedShare, (double)under / count)
                && m.AverageSlack is >= 0 and <= 1
                && m.WorstShortfall is >= 0 and <= 1
                && (under > 0) == (m.WorstShortfall > 0)
                && probe.HistoryLengths.SequenceEqual(Enumerable.Range(0, count)))
            .Label($"count={count} step={step} cost={m.TotalCost} expected={expectedCost}");
    }

    /// <summary>
    /// Replica-hours and mean replicas come from the whole number of replica-intervals, multiplied once: a mean of
    /// constant replicas is exactly that count, and replica-hours are the count times the step, rounded once (summed
    /// interval by interval they drifted, so JSON showed meanReplicas 1.0000000000000067).
    /// </summary>
    [Property(MaxTest = 200)]
    public Property Run_AnyPolicy_ReplicaTotalsAreCountedNotSummed(int seed, PositiveInt length, PositiveInt stepSeconds)
    {
        var catalog = TestCatalogs.Cpu();
        var random = new Random(seed);
        var count = 1 + (length.Get % 500);
        var step = TimeSpan.FromSeconds(1 + (stepSeconds.Get % 7200));
        var demand = Series.Cpu(step, [.. Enumerable.Range(0, count).Select(_ => random.NextDouble() * 4)]);
        var replicas = 1 + random.Next(6);
        var constant = random.Next(2) == 0;
        var probe = new ProbePolicy(_ => new ProvisioningDecision(catalog[0], constant ? replicas : 1 + random.Next(6)));

        var m = new BacktestSimulator(catalog).Run(demand, probe).Metrics;

        long replicaSteps = probe.Decisions.Sum(d => d.Replicas);
        return (m.ReplicaHours == replicaSteps * step.TotalHours
                && m.MeanReplicas == (double)replicaSteps / count
                && (!constant || m.MeanReplicas == replicas))
            .Label($"count={count} step={step} constant={constant} replicaHours={m.ReplicaHours:R} meanReplicas={m.MeanReplicas:R}");
    }

    /// <summary>The oracle static policy is never under-provisioned, whatever the demand.</summary>
    [Property(MaxTest = 100)]
    public bool StaticOracle_AnyDemand_NeverUnderProvisioned(int seed, PositiveInt length)
    {
        var random = new Random(seed);
        var demand = new DemandSeries("prop", Series.Start, TimeSpan.FromMinutes(5), Enumerable.Range(0, 1 + (length.Get % 50)).Select(_ =>
            new ResourceVector(random.NextDouble() * 40, random.NextDouble() * 100, random.NextDouble() * 500, random.NextDouble() * 30)));

        var result = new BacktestSimulator(TestCatalogs.TShirt()).Run(demand, StaticPeakPolicy.Oracle(demand));

        return result.Metrics.UnderProvisionedShare == 0 && result.Steps.All(s => s.Demand.FitsWithin(s.Provisioned));
    }

    private static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-9 * Math.Max(1, Math.Abs(b));
}
