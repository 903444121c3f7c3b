namespace Shaping.Simulation.Policies;

/// <summary>
/// A histogram with exponentially growing buckets whose samples lose half their weight every half-life,
/// in the manner of the Kubernetes VPA recommender's decaying histogram.
/// </summary>
/// <remarks>
/// Bucket <c>i</c> starts at <c>first × (ratio^i − 1) / (ratio − 1)</c>, so bucket sizes grow by <c>ratio</c>
/// (1.05 in the VPA). Instead of decaying old weights, new samples get weight <c>2^((t − reference) / halfLife)</c>;
/// when that exponent grows large the reference moves forward and all weights are rescaled, as the VPA does.
/// A dimension that has only ever seen zero reports 0. Otherwise a percentile is reported as the end of the bucket that reaches it (an upper bound, as the VPA reports).
/// </remarks>
internal sealed class DecayingHistogram
{
    private const double MaxDecayExponent = 100;
    private readonly double _first;
    private readonly double _ratio;
    private readonly double _logRatio;
    private readonly double _halfLifeSeconds;
    private readonly double[] _weights;
    private DateTimeOffset? _reference;
    private double _total;
    private int _maxIndex = -1;
    private double _maxValue;

    /// <summary>How far the buckets reach, in first-bucket sizes: 10^7 (0.01 core to 100,000 cores).</summary>
    public const double RangeInFirstBuckets = 1e7;

    /// <summary>The most buckets a histogram may have; a ratio so close to 1 that it needs more is refused.</summary>
    public const int MaxBucketCount = 1_000_000;

    public DecayingHistogram(double firstBucketSize, double ratio, TimeSpan halfLife)
    {
        _first = firstBucketSize;
        _ratio = ratio;
        _logRatio = Math.Log(ratio);
        _halfLifeSeconds = halfLife.TotalSeconds;
        _weights = new double[BucketCountFor(ratio)];
    }

    /// <summary>
    /// The number of buckets whose range reaches <see cref="RangeInFirstBuckets"/> first-bucket sizes at this ratio
    /// (270 at the VPA's 1.05), or −1 when that would take more than <see cref="MaxBucketCount"/>.
    /// </summary>
    public static int BucketCountFor(double ratio)
    {
        var count = Math.Ceiling(Math.Log((RangeInFirstBuckets * (ratio - 1)) + 1) / Math.Log(ratio)) + 1;
        return count <= MaxBucketCount ? (int)count : -1;
    }

    public bool IsEmpty => _total <= 0;

    public double TotalWeight => _total;

    public void Clear()
    {
        Array.Clear(_weights);
        _total = 0;
        _maxIndex = -1;
        _maxValue = 0;
        _reference = null;
    }

    public void Add(double value, DateTimeOffset time) => Add(value, time, 1);

    public void Add(double value, DateTimeOffset time, double sampleWeight)
    {
        _reference ??= time;
        var exponent = (time - _reference.Value).TotalSeconds / _halfLifeSeconds;
        if (exponent > MaxDecayExponent)
        {
            var shift = Math.Pow(2, -exponent);
            for (var i = 0; i <= _maxIndex; i++)
            {
                _weights[i] *= shift;
            }

            _total *= shift;
            _reference = time;
            exponent = 0;
        }

        _maxValue = Math.Max(_maxValue, value);
        var index = BucketOf(value);
        var weight = sampleWeight * Math.Pow(2, exponent);
        _weights[index] += weight;
        _total += weight;
        _maxIndex = Math.Max(_maxIndex, index);
    }

    /// <summary>
    /// Removes a sample added earlier with the same value and time (the VPA does this when a memory peak of the
    /// current aggregation interval is replaced by a larger one). The weight removed is at most the bucket's.
    /// </summary>
    public void Subtract(double value, DateTimeOffset time)
    {
        if (_reference is null)
        {
            return;
        }

        var index = BucketOf(value);
        var weight = Math.Min(Math.Pow(2, (time - _reference.Value).TotalSeconds / _halfLifeSeconds), _weights[index]);
        _weights[index] -= weight;
        _total = Math.Max(0, _total - weight);
    }

    public double Percentile(double p)
    {
        if (IsEmpty || _maxValue <= 0)
        {
            return 0; // a dimension never demanded needs no capacity
        }

        var threshold = p * _total;
        var sum = 0.0;
        for (var i = 0; i <= _maxIndex; i++)
        {
            sum += _weights[i];
            if (sum >= threshold)
            {
                return BucketEnd(i);
            }
        }

        return BucketEnd(_maxIndex);
    }

    // The last bucket also holds every sample beyond the range, so its end is not an upper bound: the largest
    // sample seen is.
    private double BucketEnd(int index) =>
        index == _weights.Length - 1 ? Math.Max(BucketStart(index + 1), _maxValue) : BucketStart(index + 1);

    public int BucketOf(double value)
    {
        if (value <= 0)
        {
            return 0;
        }

        var index = (int)Math.Floor(Math.Log((value * (_ratio - 1) / _first) + 1) / _logRatio);
        while (index > 0 && BucketStart(index) > value)
        {
            index--;
        }

        while (index + 1 < _weights.Length && BucketStart(index + 1) <= value)
        {
            index++;
        }

        return Math.Min(index, _weights.Length - 1);
    }

    public double BucketStart(int index) => _first * (Math.Pow(_ratio, index) - 1) / (_ratio - 1);
}
