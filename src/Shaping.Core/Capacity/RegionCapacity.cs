using Shaping.Core.Resources;

namespace Shaping.Core.Capacity;

/// <summary>A snapshot of one region's capacity accounting in an <see cref="InMemoryCapacityLedger"/>.</summary>
/// <param name="Total">The region's configured capacity, in each dimension's unit.</param>
/// <param name="Held">Capacity held by reservations that are neither committed nor expired.</param>
/// <param name="Committed">Capacity in use by committed reservations.</param>
/// <param name="Free">What a new reservation may still take: total minus held and committed, floored at zero.</param>
public readonly record struct RegionCapacity(ResourceVector Total, ResourceVector Held, ResourceVector Committed, ResourceVector Free)
{
    /// <summary>Gets held plus committed capacity: everything reservations account for.</summary>
    public ResourceVector Used => Held + Committed;
}
