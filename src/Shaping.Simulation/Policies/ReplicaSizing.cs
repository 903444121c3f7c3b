using Shaping.Core.Resources;
using Shaping.Core.Shapes;

namespace Shaping.Simulation.Policies;

/// <summary>
/// Sizes <see cref="PredictiveShapingOptions.MaxReplicas"/> for a trace. The default cap of 256 replicas is plenty
/// for most services, but on a trace whose peak needs more than 256 of the catalog's largest shape the policy
/// cannot provision enough and is short most of the time while looking cheap, and on one whose peak + margins need
/// more than 256 of the cheapest small shape it must pay for larger ones. The simulator and the accuracy console's
/// backtest both size the cap here, so they agree.
/// </summary>
public static class ReplicaSizing
{
    /// <summary>The margin over the peak that <see cref="PredictiveMaxReplicas"/> leaves room for: 50 %, well above the policy's own headroom and floor margins.</summary>
    public const double PeakHeadroom = 0.5;

    /// <summary>
    /// Gets the fewest replicas of a single catalog shape that cover <paramref name="demand"/> in every dimension
    /// (the best shape for the purpose, not necessarily the dearest).
    /// </summary>
    /// <param name="catalog">The shapes to choose from.</param>
    /// <param name="demand">The demand to cover.</param>
    /// <returns>The replica count, at least 1; <see cref="int.MaxValue"/> when no shape has capacity in a dimension that <paramref name="demand"/> needs.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="catalog"/> is <see langword="null"/>.</exception>
    public static int ReplicasToCover(ShapeCatalog catalog, ResourceVector demand)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var best = int.MaxValue;
        foreach (var shape in catalog.Shapes)
        {
            best = Math.Min(best, CapacityPlanner.ReplicasFor(shape, demand));
        }

        return best;
    }

    /// <summary>
    /// Gets the HPA-like policy's <c>maxReplicas</c> (<see cref="ThresholdScalingPolicy"/>) for a demand with a ceiling:
    /// the fewest replicas of its shape that hold the ceiling in every dimension, since more can never be used.
    /// </summary>
    /// <param name="shape">The shape the policy scales.</param>
    /// <param name="ceiling">The most the demand can reach (a dimension may be <see cref="double.PositiveInfinity"/>); <see langword="null"/> for none.</param>
    /// <returns>That count, at most <see cref="ThresholdScalingPolicy.DefaultMaxReplicas"/>, which is also the result without a ceiling or when the shape lacks a dimension the ceiling bounds.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is <see langword="null"/>.</exception>
    public static int ThresholdMaxReplicas(ResourceShape shape, ResourceVector? ceiling)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return ceiling is { } limit
            ? Math.Min(ThresholdScalingPolicy.DefaultMaxReplicas, CapacityPlanner.ReplicasFor(shape, limit))
            : ThresholdScalingPolicy.DefaultMaxReplicas;
    }

    /// <summary>
    /// Gets a <see cref="PredictiveShapingOptions.MaxReplicas"/> that lets the policy cover <paramref name="peak"/>
    /// plus <see cref="PeakHeadroom"/> with any catalog shape (the most replicas any shape with capacity in every
    /// needed dimension takes for it), but at least the default 256 and at most
    /// <see cref="PredictiveShapingOptions.MaxReplicasLimit"/>. Sizing for every shape, not only the largest, keeps
    /// the cap from barring the cheapest configuration (often many small replicas) when the policy holds a margin.
    /// </summary>
    /// <param name="catalog">The catalog the policy chooses from.</param>
    /// <param name="peak">The trace's peak demand.</param>
    /// <returns>The cap, in [256, <see cref="PredictiveShapingOptions.MaxReplicasLimit"/>]. Check <see cref="CoversPeak"/> to know whether even the limit is enough.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="catalog"/> is <see langword="null"/>.</exception>
    public static int PredictiveMaxReplicas(ShapeCatalog catalog, ResourceVector peak)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var target = peak.Scale(1 + PeakHeadroom);
        var needed = 0;
        foreach (var shape in catalog.Shapes)
        {
            var replicas = CapacityPlanner.ReplicasFor(shape, target);
            if (replicas != int.MaxValue)
            {
                needed = Math.Max(needed, replicas);
            }
        }

        needed = needed == 0 ? int.MaxValue : needed;
        return Math.Clamp(needed, new PredictiveShapingOptions().MaxReplicas, PredictiveShapingOptions.MaxReplicasLimit);
    }

    /// <summary>Gets whether <paramref name="maxReplicas"/> replicas of some catalog shape cover <paramref name="peak"/> (without headroom).</summary>
    /// <param name="catalog">The catalog the policy chooses from.</param>
    /// <param name="peak">The trace's peak demand.</param>
    /// <param name="maxReplicas">The replica cap, such as the result of <see cref="PredictiveMaxReplicas"/>.</param>
    /// <returns><see langword="true"/> when the cap can cover the peak; <see langword="false"/> when a run is bound to be short at the peak.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="catalog"/> is <see langword="null"/>.</exception>
    public static bool CoversPeak(ShapeCatalog catalog, ResourceVector peak, int maxReplicas) =>
        ReplicasToCover(catalog, peak) <= maxReplicas;
}
