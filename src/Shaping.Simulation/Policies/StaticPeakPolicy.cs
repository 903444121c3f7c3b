using Shaping.Core.Resources;
using Shaping.Core.Shapes;
using Shaping.Simulation.Demand;

namespace Shaping.Simulation.Policies;

/// <summary>
/// Static peak provisioning: one fixed capacity for the whole run, sized for a known peak plus headroom.
/// </summary>
/// <remarks>
/// <para>
/// The capacity is the cheapest (shape, replica count) pair in the catalog that covers <c>peak × (1 + headroom)</c>
/// in every dimension, or replicas of one named shape. It never changes, so it never switches shapes.
/// </para>
/// <para>
/// <see cref="Oracle(DemandSeries, double, string?)"/> sizes it for the peak of the <i>whole</i> series, including the
/// future: no real operator knows that, so it is an oracle and a fair upper-bound baseline (never under-provisioned
/// at zero headroom, and as costly as a never-changing capacity has to be).
/// <see cref="FromLeadingWindow(DemandSeries, TimeSpan, double, string?)"/> models an operator who sized it on the
/// first days only; it can be under-provisioned later.
/// </para>
/// </remarks>
public sealed class StaticPeakPolicy : IProvisioningPolicy
{
    private readonly ResourceVector _target;
    private readonly string? _shapeName;
    private readonly int _maxReplicas;
    private ProvisioningDecision? _decision;
    private ShapeCatalog? _decidedFor;

    /// <summary>Creates a policy sized for a given peak.</summary>
    /// <param name="peak">The whole-service demand to cover.</param>
    /// <param name="headroom">Extra capacity as a fraction of the peak, for example 0.1 for 10 %; non-negative.</param>
    /// <param name="shapeName">Run only this shape; <see langword="null"/> to choose the cheapest covering pair.</param>
    /// <param name="maxReplicas">The most replicas the service may run; positive.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public StaticPeakPolicy(ResourceVector peak, double headroom = 0, string? shapeName = null, int maxReplicas = 100_000)
    {
        ResourceVector.ThrowIfInvalidAmount(peak);
        if (!double.IsFinite(headroom) || headroom < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(headroom), headroom, "headroom must be finite and non-negative.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxReplicas, 1);
        _target = peak.Scale(1 + headroom);
        _shapeName = shapeName;
        _maxReplicas = maxReplicas;
        Name = headroom == 0 ? "static-peak" : FormattableString.Invariant($"static-peak+{headroom:0.##}");
    }

    /// <inheritdoc/>
    public string Name { get; init; }

    /// <summary>Gets the demand the capacity is sized for: the peak × (1 + headroom).</summary>
    public ResourceVector Target => _target;

    /// <summary>Creates the oracle baseline: sized for the peak of the whole series, future included.</summary>
    /// <param name="demand">The series that will be replayed.</param>
    /// <param name="headroom">Extra capacity as a fraction of the peak.</param>
    /// <param name="shapeName">Run only this shape; <see langword="null"/> for the cheapest covering pair.</param>
    /// <returns>The policy, named <c>static-peak (oracle)</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="demand"/> is <see langword="null"/>.</exception>
    public static StaticPeakPolicy Oracle(DemandSeries demand, double headroom = 0, string? shapeName = null)
    {
        ArgumentNullException.ThrowIfNull(demand);
        return new StaticPeakPolicy(demand.Peak, headroom, shapeName) { Name = "static-peak (oracle)" };
    }

    /// <summary>
    /// Creates the non-oracle variant: sized for the peak of the series' first <paramref name="window"/> only, as an
    /// operator who watched the service for that long and then fixed its capacity would size it.
    /// </summary>
    /// <param name="demand">The series that will be replayed.</param>
    /// <param name="window">The leading span whose peak is used; positive. Longer than the series means the whole series.</param>
    /// <param name="headroom">Extra capacity as a fraction of that peak.</param>
    /// <param name="shapeName">Run only this shape; <see langword="null"/> for the cheapest covering pair.</param>
    /// <returns>The policy, named <c>static-peak (first …)</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="demand"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="window"/> is not positive.</exception>
    public static StaticPeakPolicy FromLeadingWindow(DemandSeries demand, TimeSpan window, double headroom = 0, string? shapeName = null)
    {
        ArgumentNullException.ThrowIfNull(demand);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        var count = (int)Math.Clamp(Math.Ceiling(window / demand.Step), 1, demand.Length);
        var peak = demand.Values.Take(count).Aggregate(ResourceVector.Zero, ResourceVector.Max);
        return new StaticPeakPolicy(peak, headroom, shapeName)
        {
            Name = FormattableString.Invariant($"static-peak (first {window.TotalDays:0.##} d)"),
        };
    }

    /// <inheritdoc/>
    public void Reset()
    {
        _decision = null;
        _decidedFor = null;
    }

    /// <inheritdoc/>
    public ProvisioningDecision Decide(ProvisioningContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_decision is { } cached && ReferenceEquals(_decidedFor, context.Catalog))
        {
            return cached;
        }

        ProvisioningDecision decision;
        if (_shapeName is null)
        {
            decision = CapacityPlanner.CheapestCover(context.Catalog, _target, _maxReplicas);
        }
        else
        {
            if (!context.Catalog.TryGetShape(_shapeName, out var shape))
            {
                throw new InvalidOperationException($"The catalog has no shape '{_shapeName}' for {Name}.");
            }

            decision = new ProvisioningDecision(shape, Math.Min(CapacityPlanner.ReplicasFor(shape, _target), _maxReplicas));
        }

        _decision = decision;
        _decidedFor = context.Catalog;
        return decision;
    }
}
