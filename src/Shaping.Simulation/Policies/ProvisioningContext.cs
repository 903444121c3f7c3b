using Shaping.Core.Resources;
using Shaping.Core.Shapes;

namespace Shaping.Simulation.Policies;

/// <summary>What a policy may see when it decides one interval: the past only.</summary>
/// <param name="Index">The interval being decided, from 0.</param>
/// <param name="Time">The start of that interval.</param>
/// <param name="Step">The interval length.</param>
/// <param name="Catalog">The shapes the policy may choose from.</param>
/// <param name="History">The demand of intervals 0 to <paramref name="Index"/> − 1, oldest first.</param>
/// <param name="Previous">The decision in force during the previous interval; <see langword="null"/> at interval 0.</param>
public sealed record ProvisioningContext(
    int Index,
    DateTimeOffset Time,
    TimeSpan Step,
    ShapeCatalog Catalog,
    ReadOnlyMemory<ResourceVector> History,
    ProvisioningDecision? Previous);
