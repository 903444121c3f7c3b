using Shaping.Core.Resources;
using Shaping.Core.Shapes;

namespace Shaping.Simulation.Policies;

/// <summary>
/// A vertical right-sizer in the manner of the Kubernetes Vertical Pod Autoscaler's recommender: it keeps a decaying
/// histogram of per-replica demand per dimension and resizes the replicas to the cheapest catalog shape that covers
/// the target percentile plus a safety margin.
/// </summary>
/// <remarks>
/// <para>
/// Defaults follow the VPA: a 24 h half-life, the P90 as target, a 15 % margin, bucket sizes growing by 1.05. Each
/// observed interval adds one sample per dimension (demand ÷ replica count) with weight 1. By default, unlike the
/// VPA, CPU samples are not weighted by the pod's request and memory is sampled per interval rather than as one peak
/// per 24 h; <c>weightCpuByRequest</c> and <c>memoryPeakInterval</c> turn on the VPA's way for each.
/// </para>
/// <para>
/// The replica count is fixed (the VPA resizes, it does not add replicas). The shape is the cheapest one in the
/// catalog covering <c>P90 × 1.15</c> in every dimension; when no shape covers it, the one covering the largest
/// share of it. The first interval, with nothing observed, runs the catalog's dearest shape (a safe start, as a pod
/// starts on its declared requests).
/// </para>
/// </remarks>
public sealed class PercentileRecommenderPolicy : IProvisioningPolicy
{
    private readonly int _replicas;
    private readonly double _percentile;
    private readonly double _margin;
    private readonly DecayingHistogram[] _histograms;
    private readonly TimeSpan? _memoryPeakInterval;
    private readonly bool _weightCpuByRequest;
    private readonly ResourceVector? _maxAllowed;
    private int _seen;
    private DateTimeOffset? _memoryWindowEnd;
    private double _memoryPeak;

    /// <summary>Creates the recommender.</summary>
    /// <param name="replicas">The fixed number of replicas the service runs; at least 1.</param>
    /// <param name="percentile">The target percentile in (0, 1]; the VPA uses 0.9.</param>
    /// <param name="margin">The safety margin as a fraction; the VPA uses 0.15.</param>
    /// <param name="halfLife">The histogram half-life; <see langword="null"/> for the VPA's 24 h.</param>
    /// <param name="bucketRatio">The growth ratio of bucket sizes, above 1; the VPA uses 1.05. The buckets reach 10^7 first-bucket sizes (100,000 cores at the default first bucket); a ratio needing more than a million buckets for that is refused.</param>
    /// <param name="firstBucketSize">The first bucket's size per dimension (cores, GiB, GiB, Gbps); <see langword="null"/> for (0.01, 0.01, 0.01, 0.001).</param>
    /// <param name="memoryPeakInterval">
    /// <see langword="null"/> (the default) adds every interval's memory as a sample; a length (the VPA uses 24 h)
    /// adds one sample per such interval instead, its peak, timestamped at the interval's end and replaced while the
    /// interval lasts whenever a larger value is seen, as the VPA's memory aggregation does.
    /// </param>
    /// <param name="weightCpuByRequest">
    /// <see langword="false"/> (the default) gives every CPU sample weight 1; <see langword="true"/> weighs it by the
    /// per-replica CPU of the shape in force when it was observed (at least 0.1 core), as the VPA weighs CPU samples
    /// by the container's request.
    /// </param>
    /// <param name="maxAllowed">
    /// The most one replica is given once demand has been observed, per dimension (cores, GiB, GiB, Gbps), as the VPA's
    /// container resource policy <c>maxAllowed</c>: the recommendation is capped at it (for a utilisation metric, the
    /// machine ÷ the replica count, since demand cannot exceed the machine); the first interval still runs the dearest
    /// shape. <see cref="double.PositiveInfinity"/> in a dimension for no cap there; <see langword="null"/> (the default)
    /// for none at all.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public PercentileRecommenderPolicy(
        int replicas = 1,
        double percentile = 0.9,
        double margin = 0.15,
        TimeSpan? halfLife = null,
        double bucketRatio = 1.05,
        ResourceVector? firstBucketSize = null,
        TimeSpan? memoryPeakInterval = null,
        bool weightCpuByRequest = false,
        ResourceVector? maxAllowed = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        DemandCeilings.ThrowIfInvalid(maxAllowed, nameof(maxAllowed), nameof(maxAllowed));

        if (!(percentile is > 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "percentile must be in (0, 1].");
        }

        if (!double.IsFinite(margin) || margin < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(margin), margin, "margin must be finite and non-negative.");
        }

        if (!double.IsFinite(bucketRatio) || bucketRatio <= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(bucketRatio), bucketRatio, "bucketRatio must be above 1.");
        }

        if (DecayingHistogram.BucketCountFor(bucketRatio) < 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(bucketRatio), bucketRatio,
                $"bucketRatio is so close to 1 that spanning {DecayingHistogram.RangeInFirstBuckets:0e0} first buckets takes more than {DecayingHistogram.MaxBucketCount:N0} buckets; pick a larger one (the VPA uses 1.05).");
        }

        var life = halfLife ?? TimeSpan.FromHours(24);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(life, TimeSpan.Zero, nameof(halfLife));
        var first = firstBucketSize ?? new ResourceVector(0.01, 0.01, 0.01, 0.001);
        _histograms = new DecayingHistogram[ResourceVector.DimensionCount];
        for (var d = 0; d < _histograms.Length; d++)
        {
            var size = first[(Dimension)d];
            if (!double.IsFinite(size) || size <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(firstBucketSize), first, "Every first bucket size must be finite and positive.");
            }

            _histograms[d] = new DecayingHistogram(size, bucketRatio, life);
        }

        if (memoryPeakInterval is { } interval)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero, nameof(memoryPeakInterval));
        }

        _memoryPeakInterval = memoryPeakInterval;
        _weightCpuByRequest = weightCpuByRequest;
        _maxAllowed = maxAllowed;
        _replicas = replicas;
        _percentile = percentile;
        _margin = margin;
        Name = "vpa-like";
    }

    /// <inheritdoc/>
    public string Name { get; init; }

    /// <summary>
    /// Gets the current per-replica recommendation: the target percentile × (1 + margin) per dimension, at most the
    /// <c>maxAllowed</c> given to the constructor.
    /// </summary>
    /// <remarks>Zero before any interval has been observed.</remarks>
    public ResourceVector Recommendation
    {
        get
        {
            var result = ResourceVector.Zero;
            for (var d = 0; d < _histograms.Length; d++)
            {
                result = result.With((Dimension)d, _histograms[d].Percentile(_percentile) * (1 + _margin));
            }

            return _maxAllowed is { } max ? ResourceVector.Min(result, max) : result;
        }
    }

    /// <inheritdoc/>
    public void Reset()
    {
        _seen = 0;
        _memoryWindowEnd = null;
        _memoryPeak = 0;
        foreach (var histogram in _histograms)
        {
            histogram.Clear();
        }
    }

    /// <inheritdoc/>
    public ProvisioningDecision Decide(ProvisioningContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Catalog.IsEmpty)
        {
            throw new InvalidOperationException($"{Name} needs a non-empty catalog.");
        }

        if (context.History.IsEmpty)
        {
            return new ProvisioningDecision(context.Catalog.Shapes[^1], _replicas);
        }

        var history = context.History.Span;
        for (var i = Math.Min(_seen, history.Length); i < history.Length; i++)
        {
            var observed = history[i].Scale(1.0 / _replicas);
            var observedAt = context.Time - (context.Step * (history.Length - i));
            for (var d = 0; d < _histograms.Length; d++)
            {
                var dimension = (Dimension)d;
                if (dimension == Dimension.Memory && _memoryPeakInterval is { } interval)
                {
                    AddMemoryPeak(observed[dimension], observedAt, interval);
                }
                else if (dimension == Dimension.Cpu && _weightCpuByRequest)
                {
                    // The request in force: the previous decision's shape (the simulator asks every interval in
                    // order, so only the newest sample is new); the dearest shape before any decision.
                    var request = context.Previous?.Shape.Capacity[Dimension.Cpu] ?? context.Catalog.Shapes[^1].Capacity[Dimension.Cpu];
                    _histograms[d].Add(observed[dimension], observedAt, Math.Max(request, MinSampleWeight));
                }
                else
                {
                    _histograms[d].Add(observed[dimension], observedAt);
                }
            }
        }

        _seen = history.Length;

        var shape = CapacityPlanner.CheapestSingle(context.Catalog, Recommendation);
        return new ProvisioningDecision(shape, _replicas);
    }

    // The VPA's minimum CPU sample weight (cores).
    private const double MinSampleWeight = 0.1;

    // One peak per aggregation interval, as the VPA's ContainerState.addMemorySample: the first sample opens an
    // interval ending one interval later; a larger sample within it replaces the peak (subtract the old, add the
    // new, both at the interval's end); a sample at or after the end opens the interval that holds it.
    private void AddMemoryPeak(double value, DateTimeOffset time, TimeSpan interval)
    {
        var histogram = _histograms[(int)Dimension.Memory];
        if (_memoryWindowEnd is { } end && time < end)
        {
            if (value > _memoryPeak)
            {
                histogram.Subtract(_memoryPeak, end);
                histogram.Add(value, end);
                _memoryPeak = value;
            }

            return;
        }

        var windowEnd = _memoryWindowEnd ?? time;
        var shift = (time - windowEnd).Ticks / interval.Ticks * interval.Ticks + interval.Ticks;
        _memoryWindowEnd = windowEnd.AddTicks(shift);
        _memoryPeak = value;
        histogram.Add(value, _memoryWindowEnd.Value);
    }
}
