namespace Shaping.Core.Prediction;

/// <summary>Settings of a <see cref="DecayingHistogramPredictor"/>; checked when the predictor is created.</summary>
/// <remarks>The defaults follow the Kubernetes VPA recommender: 24 h half-life, buckets growing by 5 %.</remarks>
public sealed class DecayingHistogramPredictorOptions
{
    /// <summary>Gets or sets the half-life of an observation's weight: an observation this old counts half as much as a new one.</summary>
    /// <value>The default value is 24 hours. Must be positive.</value>
    public TimeSpan HalfLife { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Gets or sets the width of the first histogram bucket, in each dimension's unit (cores, GiB, GiB, Gbps).</summary>
    /// <remarks>It is the resolution near zero; later buckets grow by <see cref="BucketGrowthRatio"/>, so the relative error stays bounded.</remarks>
    /// <value>The default value is 0.01. Must be finite and positive.</value>
    public double FirstBucketSize { get; set; } = 0.01;

    /// <summary>Gets or sets the ratio between the widths of consecutive buckets.</summary>
    /// <value>The default value is 1.05 (each bucket 5 % wider than the last). Must be in (1, 2].</value>
    public double BucketGrowthRatio { get; set; } = 1.05;

    /// <summary>Gets or sets the largest amount the histogram resolves in any dimension; larger observations land in the last bucket.</summary>
    /// <value>The default value is 1,000,000 units. Must be finite and above <see cref="FirstBucketSize"/>.</value>
    public double MaxValue { get; set; } = 1_000_000;

    /// <summary>Gets or sets the interval over which peaks are aggregated (the maximum per interval is one peak sample).</summary>
    /// <value>The default value is 1 hour. Must be positive.</value>
    public TimeSpan PeakInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets how many observations a region needs before its profile counts as observed rather than a fallback.</summary>
    /// <value>The default value is 10. Must be at least 1.</value>
    public int MinimumSamples { get; set; } = 10;

    /// <summary>Gets or sets how old the latest observation may be before the region's profile is reported as a stale fallback.</summary>
    /// <value>The default value is 24 hours. Must be positive.</value>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Gets or sets how far ahead of the predictor's clock an observation's timestamp may be; a later timestamp is
    /// taken as this far ahead.
    /// </summary>
    /// <remarks>
    /// Observations come from other machines' clocks, which can run ahead. Weights decay relative to the latest
    /// timestamps and staleness is measured from the latest one, so a single sample from far in the future would give
    /// every later real sample a negligible weight and keep the region from ever looking stale: its profile would be
    /// frozen. The demand of such a sample is still real, so it is kept, at the clock's now plus this tolerance, and
    /// counted in <see cref="DecayingHistogramPredictor.FutureObservationsClamped"/>. Allow for ordinary clock skew
    /// and for the delay between taking an observation and recording it.
    /// </remarks>
    /// <value>The default value is 5 minutes. Must be non-negative and at most <see cref="StaleAfter"/>.</value>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(5);
}
