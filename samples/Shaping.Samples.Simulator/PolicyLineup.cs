using System.Globalization;
using Shaping.Core.Resources;
using Shaping.Core.Shapes;
using Shaping.Simulation.Demand;
using Shaping.Simulation.Policies;

namespace Shaping.Samples.Simulator;

/// <summary>
/// The policies the simulator compares, in one place. The table, the plot, the JSON and the report take however
/// many policies this returns, in this order.
/// </summary>
internal static class PolicyLineup
{
    /// <summary>The policy every cost is compared with (the "cost vs" column).</summary>
    public const string BaselinePolicy = "vpa-like";

    /// <summary>The shape the HPA-like policy scales out when the catalog has it and none is named.</summary>
    public const string DefaultHpaShape = "g-large";

    /// <summary>The headroom over the trace's peak the VPA-like policy's fixed replica count is sized for.</summary>
    public const double VpaReplicaHeadroom = 0.15;

    /// <summary>Builds the policies for one run. The parameters match the backtest console (TraceSetup and its policy line-up).</summary>
    /// <param name="demand">The demand to replay (the oracle policy and the VPA-like replica count look at its peak).</param>
    /// <param name="catalog">The catalog the policies choose from.</param>
    /// <param name="hpaShape">The shape the HPA-like policy scales; <see langword="null"/> for <see cref="DefaultHpaShape"/> or, if absent, the catalog's median-priced shape.</param>
    /// <param name="ceiling">
    /// The most the whole service's demand can reach (a utilisation metric's machine), or <see langword="null"/>: the
    /// HPA-like policy gets it as <c>maxReplicas</c> (the replicas of its shape that hold it), the VPA-like policy as
    /// <c>maxAllowed</c> per replica and the predictive policy as its demand ceiling, so all three know the same.
    /// </param>
    public static IReadOnlyList<IProvisioningPolicy> Create(DemandSeries demand, ShapeCatalog catalog, string? hpaShape, ResourceVector? ceiling = null)
    {
        ArgumentNullException.ThrowIfNull(demand);
        ArgumentNullException.ThrowIfNull(catalog);
        var vpaReplicas = VpaReplicas(demand, catalog);
        var hpa = HpaShape(catalog, hpaShape);
        var hpaMaxReplicas = ReplicaSizing.ThresholdMaxReplicas(catalog.Shapes.Single(s => s.Name == hpa), ceiling);
        return
        [
            // Hindsight: the cheapest fixed fleet that covers the whole trace's peak. A bound, not a real policy.
            StaticPeakPolicy.Oracle(demand),

            // Kubernetes HPA in spirit: one shape, replicas = ceil(current × observed / target), target 70 %,
            // tolerance 0.1, scale-down stabilisation 300 s, scale-up at once.
            new ThresholdScalingPolicy(hpa, targetUtilization: 0.7, maxReplicas: hpaMaxReplicas),

            // Kubernetes VPA in spirit: a fixed replica count, each replica resized to the P90 of a decaying
            // histogram (24 h half-life) of per-replica demand plus a 15 % margin, at most the ceiling ÷ replicas
            // (maxAllowed) when the demand has one.
            new PercentileRecommenderPolicy(replicas: vpaReplicas, maxAllowed: ceiling?.Scale(1.0 / vpaReplicas)),

            // Predictive shaping: an hourly forecast of the next day's peaks, a conformal upper bound on it, the
            // selector choosing shape × replicas, and the hysteresis scaler with the forecast as proactive input. It
            // starts from the same capacity as the VPA-like policy (the catalog's last, dearest shape × its replica
            // count), as the backtest console does.
            // Its replica cap follows the trace's peak (ReplicaSizing), so a large trace is not silently capped at 256.
            new PredictiveShapingPolicy(
                new PredictiveShapingOptions { MaxReplicas = ReplicaSizing.PredictiveMaxReplicas(catalog, demand.Peak), DemandCeiling = ceiling },
                initialCapacity: catalog.Shapes[^1].Capacity.Scale(vpaReplicas)),
        ];
    }

    /// <summary>
    /// A warning when even <see cref="PredictiveShapingOptions.MaxReplicasLimit"/> replicas of the best catalog shape
    /// cannot cover the trace's peak, so the predictive policy is bound to be short at the peak; otherwise (also when
    /// no shape provides a dimension the demand needs, which the replay refuses) <see langword="null"/>.
    /// </summary>
    public static string? ReplicaCapWarning(DemandSeries demand, ShapeCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(demand);
        ArgumentNullException.ThrowIfNull(catalog);
        // A dimension no shape provides is no matter of replicas: the replay refuses it, saying so.
        var cap = ReplicaSizing.PredictiveMaxReplicas(catalog, demand.Peak);
        return ReplicaSizing.CoversPeak(catalog, demand.Peak, cap) || LacksADimension(catalog, demand.Peak)
            ? null
            : $"the trace's peak ({Format(demand.Peak)}) needs more than {cap} replicas of any catalog shape, the predictive policy's limit "
                + "(PredictiveShapingOptions.MaxReplicasLimit); it will be short at the peak. Scale the trace down (--scale, --machine, --per-request) or use a catalog with larger shapes.";
    }

    /// <summary>
    /// A warning when the demand goes above the ceiling the policies are given (the trace exceeds the full scale it was
    /// read with), so the VPA-like policy's <c>maxAllowed</c> leaves it short there; otherwise <see langword="null"/>.
    /// </summary>
    public static string? CeilingWarning(DemandSeries demand, ResourceVector? ceiling)
    {
        ArgumentNullException.ThrowIfNull(demand);
        return ceiling is { } limit && !demand.Peak.FitsWithin(limit)
            ? $"the demand ({Format(demand.Peak)}) goes above the machine the metric is a share of ({Format(limit)}): the trace exceeds its full scale, so the policies' ceiling is too low and the VPA-like policy will be short there. Check --full-scale and --machine."
            : null;
    }

    /// <summary>
    /// The VPA-like policy's replica count: the fewest replicas such that the trace's peak plus
    /// <see cref="VpaReplicaHeadroom"/>, split evenly, fits the catalog's largest capacity in every dimension.
    /// </summary>
    public static int VpaReplicas(DemandSeries demand, ShapeCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(demand);
        ArgumentNullException.ThrowIfNull(catalog);
        var largest = catalog.Shapes.Aggregate(ResourceVector.Zero, (acc, s) => ResourceVector.Max(acc, s.Capacity));
        var replicas = 1;
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            var capacity = largest[(Dimension)d];
            if (capacity > 0)
            {
                replicas = Math.Max(replicas, (int)Math.Ceiling(demand.Peak[(Dimension)d] * (1 + VpaReplicaHeadroom) / capacity));
            }
        }

        return replicas;
    }

    // As the console's header writes the peak: 0.0002 cores read as 0, and 1e300 cores as 301 digits, in ResourceVector's 3 decimals.
    private static string Format(ResourceVector vector) => vector.ToString(SimulateCommand.PeakFormat, CultureInfo.InvariantCulture);

    private static bool LacksADimension(ShapeCatalog catalog, ResourceVector peak)
    {
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            var dimension = (Dimension)d;
            if (peak[dimension] > 0 && !catalog.Shapes.Any(shape => shape.Capacity[dimension] > 0))
            {
                return true;
            }
        }

        return false;
    }

    private static string HpaShape(ShapeCatalog catalog, string? named)
    {
        if (named is not null)
        {
            // No parameter name: the message names the option, and .NET would append "(Parameter 'named')".
            return catalog.TryGetShape(named, out _)
                ? named
                : throw new ArgumentException(
                    $"--hpa-shape: the catalog has no shape '{named}'; it has: {string.Join(", ", catalog.Shapes.Select(s => s.Name))}.");
        }

        if (catalog.TryGetShape(DefaultHpaShape, out _))
        {
            return DefaultHpaShape;
        }

        var byPrice = catalog.Shapes.OrderBy(s => s.PricePerHour).ToList();
        return byPrice[byPrice.Count / 2].Name;
    }
}
