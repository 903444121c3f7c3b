using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Shaping.Core.Resources;
using Shaping.Simulation.Demand;
using Shaping.Simulation.Policies;

namespace Shaping.Simulation.Tests.Policies;

public sealed class PredictiveShapingPolicyProperties
{
    /// <summary>
    /// Whatever the demand (a daily cycle of random depth, noise, bursts, dropouts to zero, a dimension that starts
    /// late) and replica cap (from 1, where the need is often out of reach, to 64), every requirement the policy
    /// states is finite and non-negative, and every interval it runs covers that requirement plus its headroom whenever
    /// some configuration can: it never knowingly provisions below its own need.
    /// </summary>
    [Property(MaxTest = 25)]
    public Property Decide_AnyDemand_RunsCapacityCoveringItsOwnRequirement(int seed, int salt)
    {
        var random = new Random(unchecked((seed * 100_003) + salt));
        var days = 3 + random.Next(3);
        var depth = random.NextDouble();
        var noise = random.NextDouble() * 0.4;
        var late = random.Next(days * 48);
        var values = Enumerable.Range(0, days * 48).Select(i =>
        {
            var hour = (i % 48) / 2.0;
            var level = 8 * (1 - (depth * 0.5 * (1 + Math.Cos(2 * Math.PI * hour / 24))));
            var cpu = random.NextDouble() < 0.02 ? 0 : level * (1 + ((random.NextDouble() - 0.5) * noise)) * (random.NextDouble() < 0.01 ? 3 : 1);
            var memory = i < late ? 0 : 4 + (20 * random.NextDouble());
            return new ResourceVector(cpu, memory, 0, 0);
        }).ToList();
        var catalog = TestCatalogs.TShirt();
        var options = new PredictiveShapingOptions { MaxReplicas = 1 + random.Next(64) };
        var policy = new PredictiveShapingPolicy(options);
        var requirements = new List<ResourceVector>();
        var probe = new ProbePolicy(c =>
        {
            var decision = policy.Decide(c);
            requirements.Add(c.History.IsEmpty ? ResourceVector.Zero : policy.LastRequirement);
            return decision;
        });

        var steps = new BacktestSimulator(catalog).Run(new DemandSeries("random", Series.Start, TimeSpan.FromMinutes(30), values), probe).Steps;

        var bad = Enumerable.Range(1, steps.Length - 1).Where(t =>
        {
            var need = requirements[t].Scale(1 + options.Headroom);
            var reachable = catalog.Shapes.Any(s => need.FitsWithin(s.Capacity.Scale(options.MaxReplicas)));
            var covered = need.FitsWithin(steps[t].Provisioned.Scale(1 + 1e-9));
            return !requirements[t].IsValidAmount || (reachable && !covered) || steps[t].Replicas > options.MaxReplicas;
        }).ToList();
        return (bad.Count == 0).Label(bad.Count == 0 ? "" : $"step {bad[0]}: requirement {requirements[bad[0]]}, ran {steps[bad[0]]}");
    }

    /// <summary>
    /// With a demand ceiling the demand never exceeds (a daily cycle with noise and bursts, the ceiling between its peak
    /// and 30 % above), no requirement the policy states, headroom included, goes above the ceiling, and every interval
    /// in which it asks for the whole ceiling in a dimension is covered there.
    /// </summary>
    [Property(MaxTest = 20)]
    public Property Decide_DemandWithinTheCeiling_NeverAsksAboveIt(int seed)
    {
        var random = new Random(seed);
        var values = Enumerable.Range(0, 4 * 48).Select(i =>
        {
            var level = 6 - (4 * Math.Cos(2 * Math.PI * (i % 48) / 48.0));
            var cpu = level * (1 + ((random.NextDouble() - 0.5) * 0.3)) * (random.NextDouble() < 0.02 ? 2 : 1);
            return new ResourceVector(cpu, cpu * 3, 0, 0);
        }).ToList();
        var demand = new DemandSeries("bounded", Series.Start, TimeSpan.FromMinutes(30), values);
        var ceiling = demand.Peak.Scale(1 + (0.3 * random.NextDouble()));
        var policy = new PredictiveShapingPolicy(new PredictiveShapingOptions { DemandCeiling = ceiling });
        var need = new List<ResourceVector>();
        var probe = new ProbePolicy(c =>
        {
            var decision = policy.Decide(c);
            need.Add(c.History.IsEmpty ? ResourceVector.Zero : policy.LastRequirement.Scale(1 + policy.Options.Headroom));
            return decision;
        });

        var steps = new BacktestSimulator(TestCatalogs.TShirt()).Run(demand, probe).Steps;

        var bad = Enumerable.Range(1, steps.Length - 1).Where(t =>
            !need[t].FitsWithin(ceiling.Scale(1 + 1e-12))
            || (Math.Abs(need[t].CpuCores - ceiling.CpuCores) <= 1e-9 * ceiling.CpuCores && steps[t].Demand.CpuCores > steps[t].Provisioned.CpuCores)).ToList();
        return (bad.Count == 0).Label(bad.Count == 0 ? "" : $"step {bad[0]}: asked {need[bad[0]]} under ceiling {ceiling}, ran {steps[bad[0]]}");
    }
}
