using System.Globalization;

namespace Shaping.Core.Selection;

/// <summary>One entry of a selection ranking: a feasible shape and how it scored.</summary>
/// <param name="Index">The shape's index in the catalog that was scored (<see cref="Shapes.ShapeCatalog"/>'s indexer).</param>
/// <param name="Score">The combined score in [0, 1]: higher is better.</param>
/// <param name="PerformanceScore">The performance model's score in [0, 1].</param>
/// <param name="CostScore">Cheapest feasible price divided by this shape's price, in [0, 1]: exactly 1 for the cheapest feasible shape, and 0 only when the two prices are more than about 600 orders of magnitude apart (the ratio underflows).</param>
/// <param name="CostForDuration">Price per hour × the policy's duration in hours, in currency, for one replica.</param>
public readonly record struct ScoredShape(
    int Index,
    double Score,
    double PerformanceScore,
    double CostScore,
    double CostForDuration)
{
    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"#{Index}: score {Score:0.0000} (performance {PerformanceScore:0.0000}, cost {CostScore:0.0000})");
}
