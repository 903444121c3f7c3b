using Shaping.Core.Resources;
using Shaping.Core.Shapes;

namespace Shaping.Simulation.Policies;

/// <summary>Cheapest ways to cover a demand with a catalog.</summary>
internal static class CapacityPlanner
{
    /// <summary>Replicas of <paramref name="shape"/> needed to cover <paramref name="demand"/>; int.MaxValue when impossible.</summary>
    public static int ReplicasFor(ResourceShape shape, ResourceVector demand)
    {
        var needed = 1.0;
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            var want = demand[(Dimension)d];
            if (want <= 0)
            {
                continue;
            }

            var have = shape.Capacity[(Dimension)d];
            if (have <= 0)
            {
                return int.MaxValue;
            }

            needed = Math.Max(needed, Math.Ceiling((want / have) - 1e-12));
        }

        return needed >= int.MaxValue ? int.MaxValue : (int)needed;
    }

    /// <summary>The shape and replica count covering <paramref name="demand"/> at the lowest total price.</summary>
    public static ProvisioningDecision CheapestCover(ShapeCatalog catalog, ResourceVector demand, int maxReplicas)
    {
        ProvisioningDecision? best = null;
        var bestPrice = double.PositiveInfinity;
        foreach (var shape in catalog.Shapes)
        {
            var replicas = ReplicasFor(shape, demand);
            if (replicas > maxReplicas)
            {
                continue;
            }

            var price = shape.PricePerHour * replicas;
            if (price < bestPrice)
            {
                bestPrice = price;
                best = new ProvisioningDecision(shape, replicas);
            }
        }

        return best ?? new ProvisioningDecision(LargestFor(catalog, demand), maxReplicas);
    }

    /// <summary>The cheapest single shape covering <paramref name="demand"/>, or the one covering the largest share of it.</summary>
    public static ResourceShape CheapestSingle(ShapeCatalog catalog, ResourceVector demand)
    {
        foreach (var shape in catalog.Shapes)
        {
            if (demand.FitsWithin(shape.Capacity))
            {
                return shape; // shapes are in ascending price order
            }
        }

        return LargestFor(catalog, demand);
    }

    private static ResourceShape LargestFor(ShapeCatalog catalog, ResourceVector demand)
    {
        ResourceShape? best = null;
        var bestCover = double.NegativeInfinity;
        foreach (var shape in catalog.Shapes)
        {
            var cover = double.PositiveInfinity;
            for (var d = 0; d < ResourceVector.DimensionCount; d++)
            {
                var want = demand[(Dimension)d];
                if (want > 0)
                {
                    cover = Math.Min(cover, shape.Capacity[(Dimension)d] / want);
                }
            }

            if (cover > bestCover)
            {
                bestCover = cover;
                best = shape;
            }
        }

        return best ?? throw new ArgumentException("The catalog is empty.", nameof(catalog));
    }
}
