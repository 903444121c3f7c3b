using Shaping.Core.Resources;
using Shaping.Core.Shapes;

namespace Shaping.Simulation.Policies;

/// <summary>
/// A reactive replica scaler on one fixed shape, in the manner of the Kubernetes Horizontal Pod Autoscaler.
/// </summary>
/// <remarks>
/// <para>
/// Before each interval it looks at the last observed interval: per dimension, utilisation = demand / (replicas ×
/// shape capacity), and the recommendation is <c>ceil(replicas × utilisation / target)</c>, except that a ratio
/// within the tolerance of 1 (<c>|utilisation / target − 1| ≤ 0.1</c>) keeps the current count. With several
/// dimensions the largest recommendation wins, as the HPA does with several metrics.
/// </para>
/// <para>
/// Stabilisation follows the HPA's behaviour algorithm: the scale-up recommendation is the minimum of the
/// recommendations made within the scale-up window (0 s: the current one, so it scales up at once), the scale-down
/// recommendation the maximum within the scale-down window (300 s: it scales down only when every recommendation of
/// the last 300 s agrees). A recommendation counts as within the window when it is newer than <c>now − window</c>.
/// The count is kept within [minReplicas, maxReplicas]. The first interval runs <c>initialReplicas</c>.
/// </para>
/// </remarks>
public sealed class ThresholdScalingPolicy : IProvisioningPolicy
{
    private readonly string _shapeName;
    private readonly double _target;
    private readonly double _tolerance;
    private readonly TimeSpan _downWindow;
    private readonly TimeSpan _upWindow;
    private readonly int _minReplicas;
    private readonly int _maxReplicas;
    private readonly int _initialReplicas;
    private readonly List<(DateTimeOffset Time, int Replicas)> _recommendations = [];

    /// <summary>The default <c>maxReplicas</c>: 100,000, in effect no limit.</summary>
    public const int DefaultMaxReplicas = 100_000;

    /// <summary>Creates the scaler.</summary>
    /// <param name="shapeName">The shape every replica runs on; it must be in the catalog the simulation uses.</param>
    /// <param name="targetUtilization">The utilisation to aim for, in (0, 1].</param>
    /// <param name="tolerance">The ratio band around 1 that triggers no change; the HPA's default is 0.1.</param>
    /// <param name="scaleDownStabilization">The scale-down window; <see langword="null"/> for the HPA's 300 s.</param>
    /// <param name="scaleUpStabilization">The scale-up window; <see langword="null"/> for the HPA's 0 s.</param>
    /// <param name="minReplicas">The fewest replicas; at least 1.</param>
    /// <param name="maxReplicas">The most replicas (the HPA's <c>maxReplicas</c>; with a demand ceiling, the replicas of the shape that hold it, <see cref="ReplicaSizing.ThresholdMaxReplicas"/>); at least <paramref name="minReplicas"/>.</param>
    /// <param name="initialReplicas">Replicas in the first interval, before anything is observed.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public ThresholdScalingPolicy(
        string shapeName,
        double targetUtilization = 0.7,
        double tolerance = 0.1,
        TimeSpan? scaleDownStabilization = null,
        TimeSpan? scaleUpStabilization = null,
        int minReplicas = 1,
        int maxReplicas = DefaultMaxReplicas,
        int initialReplicas = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(shapeName);
        if (!(targetUtilization is > 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(targetUtilization), targetUtilization, "targetUtilization must be in (0, 1].");
        }

        if (!(tolerance is >= 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "tolerance must be in [0, 1).");
        }

        _downWindow = scaleDownStabilization ?? TimeSpan.FromSeconds(300);
        _upWindow = scaleUpStabilization ?? TimeSpan.Zero;
        ArgumentOutOfRangeException.ThrowIfLessThan(_downWindow, TimeSpan.Zero, nameof(scaleDownStabilization));
        ArgumentOutOfRangeException.ThrowIfLessThan(_upWindow, TimeSpan.Zero, nameof(scaleUpStabilization));
        ArgumentOutOfRangeException.ThrowIfLessThan(minReplicas, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxReplicas, minReplicas);
        ArgumentOutOfRangeException.ThrowIfLessThan(initialReplicas, minReplicas);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(initialReplicas, maxReplicas);
        _shapeName = shapeName;
        _target = targetUtilization;
        _tolerance = tolerance;
        _minReplicas = minReplicas;
        _maxReplicas = maxReplicas;
        _initialReplicas = initialReplicas;
        Name = "hpa-like";
    }

    /// <inheritdoc/>
    public string Name { get; init; }

    /// <inheritdoc/>
    public void Reset() => _recommendations.Clear();

    /// <inheritdoc/>
    public ProvisioningDecision Decide(ProvisioningContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var shape = ResolveShape(context.Catalog);
        if (context.Previous is not { } previous || context.History.IsEmpty)
        {
            return new ProvisioningDecision(shape, _initialReplicas);
        }

        var current = previous.Shape.Name == shape.Name ? previous.Replicas : _initialReplicas;
        var observed = context.History.Span[^1];
        var recommendation = Recommend(shape.Capacity, current, observed);
        var now = context.Time;
        _recommendations.Add((now, recommendation));
        var horizon = now - (_downWindow > _upWindow ? _downWindow : _upWindow);
        _recommendations.RemoveAll(r => r.Time <= horizon);

        var up = recommendation;
        var down = recommendation;
        foreach (var (time, replicas) in _recommendations)
        {
            if (time > now - _upWindow)
            {
                up = Math.Min(up, replicas);
            }

            if (time > now - _downWindow)
            {
                down = Math.Max(down, replicas);
            }
        }

        var desired = current < up ? up : current > down ? down : current;
        return new ProvisioningDecision(shape, Math.Clamp(desired, _minReplicas, _maxReplicas));
    }

    private int Recommend(ResourceVector shapeCapacity, int current, ResourceVector observed)
    {
        var best = 0.0;
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            var capacity = shapeCapacity[(Dimension)d] * current;
            if (capacity <= 0)
            {
                continue;
            }

            var ratio = observed[(Dimension)d] / capacity / _target;
            var wanted = Math.Abs(ratio - 1) <= _tolerance ? current : Math.Ceiling((ratio * current) - 1e-9);
            best = Math.Max(best, wanted);
        }

        return (int)Math.Clamp(best, _minReplicas, _maxReplicas);
    }

    private ResourceShape ResolveShape(ShapeCatalog catalog) =>
        catalog.TryGetShape(_shapeName, out var shape)
            ? shape
            : throw new InvalidOperationException($"The catalog has no shape '{_shapeName}' for {Name}.");
}
