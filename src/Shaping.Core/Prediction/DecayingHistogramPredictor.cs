using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Shaping.Core.Resources;

namespace Shaping.Core.Prediction;

/// <summary>
/// A percentile recommender over decaying histograms of recent observations, in the manner of the Kubernetes
/// VPA recommender: it needs no model fit, answers from what each region used lately, and serves as the
/// fallback when forecasts are missing or stale.
/// </summary>
/// <remarks>
/// <para>
/// <b>Histograms.</b> Per region and dimension, two histograms with exponentially growing buckets (the first
/// <see cref="DecayingHistogramPredictorOptions.FirstBucketSize"/> wide, each next one
/// <see cref="DecayingHistogramPredictorOptions.BucketGrowthRatio"/> times wider) hold weighted observations:
/// one every demand sample, the other the maximum of every
/// <see cref="DecayingHistogramPredictorOptions.PeakInterval"/> (VPA does the same for memory peaks). A sample's
/// weight doubles every half-life of its timestamp, relative to a reference time that moves forward (rescaling
/// the stored weights) before the exponent grows large, so older samples count exponentially less and nothing
/// overflows. A percentile is the upper bound of the bucket where the cumulative weight reaches it (conservative
/// by at most one bucket width), capped at the largest value seen in that dimension.
/// </para>
/// <para>
/// <b>Profile for a window W.</b> The mean distribution is the distribution of the recent samples, with the
/// decay-weighted sample mean as its mean; that is wider than the distribution of a window's average, which
/// errs towards larger shapes. The peak distribution assumes the per-interval peaks of consecutive intervals are
/// independent, so the peak over W = k intervals has CDF F<sup>k</sup>: its quantile at level p is the
/// interval-peak quantile at p<sup>1/k</sup> (k = W / interval, fractional allowed). The interval in progress
/// counts with its running maximum. Each peak quantile is at least the same level's sample quantile; the peak
/// distribution's mean is approximated by its median.
/// </para>
/// <para>
/// <b>Fallback.</b> With fewer than <see cref="DecayingHistogramPredictorOptions.MinimumSamples"/> observations,
/// or when the latest is older than <see cref="DecayingHistogramPredictorOptions.StaleAfter"/>, the profile is
/// still computed but marked <see cref="ProfileSource.Fallback"/> with a note saying why. A region with no
/// observation at all has no profile (<see cref="TryGetProfile"/> returns <see langword="false"/>).
/// </para>
/// <para>
/// <b>Clocks.</b> An observation stamped more than <see cref="DecayingHistogramPredictorOptions.MaxClockSkew"/>
/// ahead of the predictor's <see cref="TimeProvider"/> is recorded at that limit (see <see cref="Observe"/>), so a
/// source whose clock runs ahead cannot freeze a region's profile.
/// </para>
/// <para>
/// <b>Cost.</b> <see cref="Observe"/> is O(1). <see cref="TryGetProfile"/> computes the percentiles in one pass per
/// histogram and caches the profile per region until the next observation, so repeated lookups for the same
/// window (the request path) are a cache hit.
/// </para>
/// <para><b>Thread safety:</b> all members are safe to call concurrently; each region has its own lock.</para>
/// </remarks>
public sealed class DecayingHistogramPredictor : ILoadPredictor
{
    // Rescale the stored weights when a sample's exponent would exceed this many half-lives.
    private const double MaxExponentHalfLives = 100;

    // The most buckets per dimension: a region's histograms hold every dimension's buckets in one array.
    private static readonly int MaxBucketCount = Array.MaxLength / ResourceVector.DimensionCount;

    private readonly ConcurrentDictionary<string, RegionHistograms> _regions = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;
    private readonly BucketScheme _scheme;
    private readonly double _halfLifeSeconds;
    private readonly TimeSpan _peakInterval;
    private readonly int _minimumSamples;
    private readonly TimeSpan _staleAfter;
    private readonly TimeSpan _maxClockSkew;
    private long _futureObservationsClamped;

    /// <summary>Creates a predictor.</summary>
    /// <param name="options">The settings; <see langword="null"/> for the defaults.</param>
    /// <param name="timeProvider">
    /// The clock that decides staleness and how far ahead an observation may be; <see langword="null"/> for
    /// <see cref="TimeProvider.System"/>.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A setting is out of its documented range, or <see cref="DecayingHistogramPredictorOptions.FirstBucketSize"/>,
    /// <see cref="DecayingHistogramPredictorOptions.BucketGrowthRatio"/> and <see cref="DecayingHistogramPredictorOptions.MaxValue"/>
    /// together make more buckets per dimension than an array holds (about 5.4 × 10⁸); the message names the settings.
    /// </exception>
    public DecayingHistogramPredictor(DecayingHistogramPredictorOptions? options = null, TimeProvider? timeProvider = null)
    {
        options ??= new DecayingHistogramPredictorOptions();
        if (options.HalfLife <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.HalfLife, $"{nameof(DecayingHistogramPredictorOptions)}.{nameof(options.HalfLife)} ({options.HalfLife}) must be positive.");
        }

        if (!double.IsFinite(options.FirstBucketSize) || options.FirstBucketSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.FirstBucketSize, $"{nameof(DecayingHistogramPredictorOptions)}.{nameof(options.FirstBucketSize)} ({options.FirstBucketSize}) must be finite and positive.");
        }

        if (!(options.BucketGrowthRatio > 1 && options.BucketGrowthRatio <= 2))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BucketGrowthRatio, $"{nameof(DecayingHistogramPredictorOptions)}.{nameof(options.BucketGrowthRatio)} ({options.BucketGrowthRatio}) must be in (1, 2].");
        }

        if (!double.IsFinite(options.MaxValue) || options.MaxValue <= options.FirstBucketSize)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxValue, $"{nameof(DecayingHistogramPredictorOptions)}.{nameof(options.MaxValue)} ({options.MaxValue}) must be finite and above FirstBucketSize ({options.FirstBucketSize}).");
        }

        // Each region keeps BucketCount buckets per dimension in one array per histogram. Finer buckets over a wider range
        // than that holds used to pass here and fail every Observe (IndexOutOfRangeException or OverflowException); the
        // count is the one BucketScheme computes, taken before it is cast to int.
        var bucketCount = BucketScheme.CountOf(options.FirstBucketSize, options.BucketGrowthRatio, options.MaxValue);
        if (!(bucketCount <= MaxBucketCount))
        {
            throw new ArgumentOutOfRangeException(
                nameof(options),
                options.BucketGrowthRatio,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{nameof(DecayingHistogramPredictorOptions)}.{nameof(options.FirstBucketSize)} ({options.FirstBucketSize}), {nameof(DecayingHistogramPredictorOptions)}.{nameof(options.BucketGrowthRatio)} ({options.BucketGrowthRatio}) and {nameof(DecayingHistogramPredictorOptions)}.{nameof(options.MaxValue)} ({options.MaxValue}) make {bucketCount:G3} histogram buckets per dimension, more than the {MaxBucketCount} an array holds; raise FirstBucketSize or BucketGrowthRatio, or lower MaxValue."));
        }

        if (options.PeakInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.PeakInterval, $"{nameof(DecayingHistogramPredictorOptions)}.{nameof(options.PeakInterval)} ({options.PeakInterval}) must be positive.");
        }

        if (options.MinimumSamples < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MinimumSamples, $"{nameof(DecayingHistogramPredictorOptions)}.{nameof(options.MinimumSamples)} ({options.MinimumSamples}) must be at least 1.");
        }

        if (options.StaleAfter <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.StaleAfter, $"{nameof(DecayingHistogramPredictorOptions)}.{nameof(options.StaleAfter)} ({options.StaleAfter}) must be positive.");
        }

        if (options.MaxClockSkew < TimeSpan.Zero || options.MaxClockSkew > options.StaleAfter)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxClockSkew, $"{nameof(DecayingHistogramPredictorOptions)}.{nameof(options.MaxClockSkew)} ({options.MaxClockSkew}) must be non-negative and at most StaleAfter ({options.StaleAfter}).");
        }

        _timeProvider = timeProvider ?? TimeProvider.System;
        _scheme = new BucketScheme(options.FirstBucketSize, options.BucketGrowthRatio, options.MaxValue);
        _halfLifeSeconds = options.HalfLife.TotalSeconds;
        _peakInterval = options.PeakInterval;
        _minimumSamples = options.MinimumSamples;
        _staleAfter = options.StaleAfter;
        _maxClockSkew = options.MaxClockSkew;
    }

    /// <summary>Gets the number of histogram buckets per dimension.</summary>
    public int BucketCount => _scheme.Count;

    /// <summary>
    /// Gets how many observations, over all regions, had a timestamp more than
    /// <see cref="DecayingHistogramPredictorOptions.MaxClockSkew"/> ahead of the clock and were recorded at that limit
    /// instead. A count that keeps growing points at a source whose clock runs ahead.
    /// </summary>
    public long FutureObservationsClamped => Interlocked.Read(ref _futureObservationsClamped);

    /// <inheritdoc/>
    /// <remarks>
    /// A <paramref name="timestamp"/> more than <see cref="DecayingHistogramPredictorOptions.MaxClockSkew"/> ahead of
    /// the predictor's clock is taken as that far ahead (and counted in <see cref="FutureObservationsClamped"/>) rather
    /// than rejected: the demand is real, and the adjustment loop feeds observations from clocks it does not control.
    /// Left as it was, one such sample would move the decay reference into the future, weigh every later sample at
    /// about nothing and keep the region from ever turning stale.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="region"/> is null, empty or white space.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="demand"/> has a NaN, infinite or negative dimension.</exception>
    public void Observe(string region, DateTimeOffset timestamp, ResourceVector demand)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ResourceVector.ThrowIfInvalidAmount(demand);
        var latestAccepted = _timeProvider.GetUtcNow() + _maxClockSkew;
        if (timestamp > latestAccepted)
        {
            timestamp = latestAccepted;
            Interlocked.Increment(ref _futureObservationsClamped);
        }

        var histograms = _regions.GetOrAdd(region, static (_, self) => new RegionHistograms(self._scheme, self._halfLifeSeconds), this);
        histograms.Add(timestamp, demand, _peakInterval);
    }

    /// <summary>
    /// Forgets a region: its histograms are released and <see cref="TryGetProfile"/> knows nothing about it (returns
    /// <see langword="false"/>) until it is observed again, when it starts afresh. Use it for a region that is
    /// decommissioned, so that a request naming it is not sized from the demand it had when it ran.
    /// </summary>
    /// <remarks>An observation that races with the removal may be kept or lost.</remarks>
    /// <param name="region">The region.</param>
    /// <returns><see langword="true"/> when the region was known and is now removed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="region"/> is <see langword="null"/>.</exception>
    public bool RemoveRegion(string region)
    {
        ArgumentNullException.ThrowIfNull(region);
        return _regions.TryRemove(region, out _);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="region"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="window"/> is not positive.</exception>
    public bool TryGetProfile(string region, TimeSpan window, [NotNullWhen(true)] out LoadProfile? profile)
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        if (!_regions.TryGetValue(region, out var histograms))
        {
            profile = null;
            return false;
        }

        var intervals = window.TotalSeconds / _peakInterval.TotalSeconds;
        profile = histograms.ToProfile(window, intervals, _minimumSamples, _staleAfter, _timeProvider.GetUtcNow());
        return profile is not null;
    }

    private sealed record CachedProfile(long Count, TimeSpan Window, bool Stale, LoadProfile Profile);

    /// <summary>The bucket boundaries shared by every histogram: bucket i starts at s·(rⁱ − 1)/(r − 1).</summary>
    private sealed class BucketScheme
    {
        private readonly double _first;
        private readonly double _ratio;
        private readonly double _logRatio;

        public BucketScheme(double first, double ratio, double maxValue)
        {
            _first = first;
            _ratio = ratio;
            _logRatio = Math.Log(ratio);
            Count = (int)CountOf(first, ratio, maxValue);
        }

        public int Count { get; }

        /// <summary>The number of buckets that reach <paramref name="maxValue"/>, before any cast: +∞ when the range overflows.</summary>
        public static double CountOf(double first, double ratio, double maxValue) =>
            Math.Ceiling(Math.Log(1 + (maxValue * (ratio - 1) / first)) / Math.Log(ratio)) + 1;

        public int Find(double value)
        {
            var index = (int)Math.Floor(Math.Log(1 + (value * (_ratio - 1) / _first)) / _logRatio);
            return Math.Clamp(index, 0, Count - 1);
        }

        public double Start(int index) => _first * (Math.Pow(_ratio, index) - 1) / (_ratio - 1);
    }

    private sealed class RegionHistograms
    {
        private const int Dimensions = ResourceVector.DimensionCount;
        private const int Levels = QuantileDistribution.LevelCount;

        private readonly Lock _gate = new();
        private readonly BucketScheme _scheme;
        private readonly double _halfLifeSeconds;

        // [dimension * Count + bucket]
        private readonly double[] _samples;
        private readonly double[] _peaks;
        private readonly double[] _weightedSum = new double[Dimensions];
        private readonly double[] _maxSeen = new double[Dimensions];
        private readonly double[] _intervalMax = new double[Dimensions];
        private double _sampleWeight;
        private double _peakWeight;
        private DateTimeOffset _reference;
        private DateTimeOffset _latest;
        private long _intervalIndex = long.MinValue;
        private DateTimeOffset _intervalLatest;
        private long _count;
        private CachedProfile? _cached;

        public RegionHistograms(BucketScheme scheme, double halfLifeSeconds)
        {
            _scheme = scheme;
            _halfLifeSeconds = halfLifeSeconds;
            _samples = new double[Dimensions * scheme.Count];
            _peaks = new double[Dimensions * scheme.Count];
        }

        public void Add(DateTimeOffset timestamp, ResourceVector demand, TimeSpan peakInterval)
        {
            lock (_gate)
            {
                if (_count == 0)
                {
                    _reference = timestamp;
                    _latest = timestamp;
                }

                var weight = WeightLocked(timestamp);
                for (var d = 0; d < Dimensions; d++)
                {
                    var value = demand[(Dimension)d];
                    _samples[(d * _scheme.Count) + _scheme.Find(value)] += weight;
                    // Saturated rather than overflowed: an absurd demand near double.MaxValue made the sum +∞, which a
                    // later rescale by 0 (a gap of over ~1074 half-lives) turned into NaN, and the region's profile
                    // threw for good. The mean is capped at the highest demand seen, so a saturated sum only understates it.
                    _weightedSum[d] = Math.Min(_weightedSum[d] + (weight * value), double.MaxValue);
                    _maxSeen[d] = Math.Max(_maxSeen[d], value);
                }

                _sampleWeight += weight;

                var interval = timestamp.UtcTicks / peakInterval.Ticks;
                if (interval != _intervalIndex)
                {
                    // A sample from another interval closes the interval in progress (late samples open their own).
                    FlushIntervalLocked();
                    _intervalIndex = interval;
                    Array.Clear(_intervalMax);
                    _intervalLatest = timestamp;
                }

                for (var d = 0; d < Dimensions; d++)
                {
                    _intervalMax[d] = Math.Max(_intervalMax[d], demand[(Dimension)d]);
                }

                if (timestamp > _intervalLatest)
                {
                    _intervalLatest = timestamp;
                }

                if (timestamp > _latest)
                {
                    _latest = timestamp;
                }

                _count++;
            }
        }

        public LoadProfile? ToProfile(TimeSpan window, double intervals, int minimumSamples, TimeSpan staleAfter, DateTimeOffset now)
        {
            Span<QuantileDistribution> mean = stackalloc QuantileDistribution[Dimensions];
            Span<QuantileDistribution> peak = stackalloc QuantileDistribution[Dimensions];
            Span<double> meanQuantiles = stackalloc double[Levels];
            Span<double> peakQuantiles = stackalloc double[Levels];
            Span<double> peakLevels = stackalloc double[Levels];
            var levels = QuantileDistribution.Levels;
            for (var i = 0; i < Levels; i++)
            {
                peakLevels[i] = Math.Pow(levels[i], 1 / intervals);
            }

            long count;
            bool stale;
            lock (_gate)
            {
                if (_count == 0)
                {
                    return null;
                }

                count = _count;
                stale = now - _latest > staleAfter;

                // Until the next observation (or a change of staleness) the answer is the same: serve it from the cache.
                if (_cached is { } cached && cached.Count == count && cached.Window == window && cached.Stale == stale)
                {
                    return cached.Profile;
                }

                // The interval in progress counts as one peak sample with its own weight.
                var pendingWeight = _intervalIndex == long.MinValue ? 0 : Math.Pow(2, (_intervalLatest - _reference).TotalSeconds / _halfLifeSeconds);
                var totalPeakWeight = _peakWeight + pendingWeight;
                for (var d = 0; d < Dimensions; d++)
                {
                    var offset = d * _scheme.Count;
                    Percentiles(_samples.AsSpan(offset, _scheme.Count), _sampleWeight, -1, 0, levels, _maxSeen[d], meanQuantiles);
                    var pendingBucket = _scheme.Find(_intervalMax[d]);
                    Percentiles(_peaks.AsSpan(offset, _scheme.Count), totalPeakWeight, pendingBucket, pendingWeight, peakLevels, _maxSeen[d], peakQuantiles);
                    for (var i = 0; i < Levels; i++)
                    {
                        peakQuantiles[i] = Math.Max(peakQuantiles[i], meanQuantiles[i]);
                    }

                    var sampleMean = Math.Min(_weightedSum[d] / _sampleWeight, _maxSeen[d]);
                    mean[d] = QuantileDistribution.FromQuantiles(Math.Max(0, sampleMean), meanQuantiles);
                    peak[d] = QuantileDistribution.FromQuantiles(peakQuantiles[2], peakQuantiles); // the peak's mean is approximated by its median
                }
            }

            string? note = null;
            if (count < minimumSamples)
            {
                note = string.Create(CultureInfo.InvariantCulture, $"only {count} observation(s) (fewer than {minimumSamples}); the profile is a rough recent-demand estimate.");
            }
            else if (stale)
            {
                note = string.Create(CultureInfo.InvariantCulture, $"the latest observation is older than {staleAfter}; the profile may be stale.");
            }

            var profile = note is null
                ? new LoadProfile(mean, peak, window, ProfileSource.Observed)
                : new LoadProfile(mean, peak, window, ProfileSource.Fallback, note);
            lock (_gate)
            {
                if (_count == count)
                {
                    _cached = new CachedProfile(count, window, stale, profile);
                }
            }

            return profile;
        }

        private double WeightLocked(DateTimeOffset timestamp)
        {
            var exponent = (timestamp - _reference).TotalSeconds / _halfLifeSeconds;
            if (exponent > MaxExponentHalfLives)
            {
                // Move the reference to this sample and shrink every stored weight to match.
                var factor = Math.Pow(2, -exponent);
                Rescale(_samples, factor);
                Rescale(_peaks, factor);
                Rescale(_weightedSum, factor);
                _sampleWeight *= factor;
                _peakWeight *= factor;
                _reference = timestamp;
                exponent = 0;
            }

            return Math.Pow(2, exponent);
        }

        private void FlushIntervalLocked()
        {
            if (_intervalIndex == long.MinValue)
            {
                return;
            }

            var weight = WeightLocked(_intervalLatest);
            for (var d = 0; d < Dimensions; d++)
            {
                _peaks[(d * _scheme.Count) + _scheme.Find(_intervalMax[d])] += weight;
            }

            _peakWeight += weight;
        }

        private static void Rescale(Span<double> values, double factor)
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] *= factor;
            }
        }

        // Fills quantiles[i] with the upper bound of the bucket where the cumulative weight reaches levels[i] of
        // the total, capped at maxSeen. One pass: levels ascend.
        private void Percentiles(
            ReadOnlySpan<double> buckets, double total, int extraBucket, double extraWeight,
            ReadOnlySpan<double> levels, double maxSeen, Span<double> quantiles)
        {
            var level = 0;
            var cumulative = 0.0;
            for (var b = 0; b < buckets.Length && level < levels.Length; b++)
            {
                cumulative += buckets[b] + (b == extraBucket ? extraWeight : 0);
                while (level < levels.Length && cumulative >= levels[level] * total && cumulative > 0)
                {
                    quantiles[level++] = Math.Min(_scheme.Start(b + 1), maxSeen);
                }
            }

            // Rounding can leave the top levels unassigned: they sit in the last non-empty bucket.
            for (; level < levels.Length; level++)
            {
                quantiles[level] = maxSeen;
            }
        }
    }
}
