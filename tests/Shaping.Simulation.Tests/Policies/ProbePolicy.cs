using Shaping.Simulation.Policies;

namespace Shaping.Simulation.Tests.Policies;

/// <summary>A policy driven by a function, recording what it saw and decided.</summary>
internal sealed class ProbePolicy(Func<ProvisioningContext, ProvisioningDecision> decide) : IProvisioningPolicy
{
    public string Name => "probe";

    public List<ProvisioningDecision> Decisions { get; } = [];

    public List<int> HistoryLengths { get; } = [];

    public int Resets { get; private set; }

    public void Reset()
    {
        Resets++;
        Decisions.Clear();
        HistoryLengths.Clear();
    }

    public ProvisioningDecision Decide(ProvisioningContext context)
    {
        HistoryLengths.Add(context.History.Length);
        var decision = decide(context);
        Decisions.Add(decision);
        return decision;
    }
}
