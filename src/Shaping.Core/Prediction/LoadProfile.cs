using Shaping.Core.Resources;

namespace Shaping.Core.Prediction;

/// <summary>
/// The predicted load over a window, per resource dimension: the distribution of the window's mean and the
/// distribution of the window's peak.
/// </summary>
/// <remarks>
/// <para>
/// Both matter and they differ: the mean decides how busy a shape will run (and so its cost efficiency and
/// latency), the peak decides whether it absorbs the worst moment of the window. The peak distribution is the
/// distribution of the maximum over the window, which is wider and higher than any single step's distribution.
/// </para>
/// <para>
/// Amounts are in each dimension's unit (cores, GiB, GiB, Gbps) for the unit the profile describes, usually one
/// replica; use <see cref="Scale"/> to convert a region's total into a per-replica profile. Instances are
/// immutable and safe to share between threads.
/// </para>
/// </remarks>
public sealed class LoadProfile
{
    private readonly QuantileDistribution[] _mean;
    private readonly QuantileDistribution[] _peak;
    private readonly ResourceVector _expectedMean;
    private volatile PeakMemo? _peakMemo;

    /// <summary>Creates a profile.</summary>
    /// <param name="mean">The distribution of the window's mean load, one per dimension in <see cref="Dimension"/> order.</param>
    /// <param name="peak">The distribution of the window's peak load, one per dimension in <see cref="Dimension"/> order.</param>
    /// <param name="window">The length of the window the profile describes; positive.</param>
    /// <param name="source">Where the profile came from.</param>
    /// <param name="note">A short human-readable note, for example why a fallback was used.</param>
    /// <exception cref="ArgumentException">
    /// A span does not have <see cref="ResourceVector.DimensionCount"/> elements, or a dimension's peak median is
    /// below its mean median (a peak can never be below the mean of the same window).
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="window"/> is not positive.</exception>
    public LoadProfile(
        ReadOnlySpan<QuantileDistribution> mean,
        ReadOnlySpan<QuantileDistribution> peak,
        TimeSpan window,
        ProfileSource source = ProfileSource.Manual,
        string? note = null)
    {
        if (mean.Length != ResourceVector.DimensionCount)
        {
            throw new ArgumentException($"Expected {ResourceVector.DimensionCount} mean distributions; got {mean.Length}.", nameof(mean));
        }

        if (peak.Length != ResourceVector.DimensionCount)
        {
            throw new ArgumentException($"Expected {ResourceVector.DimensionCount} peak distributions; got {peak.Length}.", nameof(peak));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            // Allow for rounding in whoever computed them; a peak median clearly below the mean median is a bug.
            if (peak[d].P50 < mean[d].P50 * (1 - 1e-9) - 1e-12)
            {
                throw new ArgumentException(
                    $"The {(Dimension)d} peak median ({peak[d].P50}) is below the mean median ({mean[d].P50}).", nameof(peak));
            }
        }

        _mean = mean.ToArray();
        _peak = peak.ToArray();
        _expectedMean = new ResourceVector(_mean[0].Mean, _mean[1].Mean, _mean[2].Mean, _mean[3].Mean);
        Window = window;
        Source = source;
        Note = note ?? string.Empty;
    }

    private LoadProfile(QuantileDistribution[] mean, QuantileDistribution[] peak, TimeSpan window, ProfileSource source, string note)
    {
        _mean = mean;
        _peak = peak;
        _expectedMean = new ResourceVector(mean[0].Mean, mean[1].Mean, mean[2].Mean, mean[3].Mean);
        Window = window;
        Source = source;
        Note = note;
    }

    /// <summary>Gets the window length the profile describes.</summary>
    public TimeSpan Window { get; }

    /// <summary>Gets where the profile came from.</summary>
    public ProfileSource Source { get; }

    /// <summary>Gets a short note from the producer, for example why a fallback was used; empty when none.</summary>
    public string Note { get; }

    /// <summary>Gets whether the profile is a fallback rather than the preferred source's answer.</summary>
    public bool IsFallback => Source == ProfileSource.Fallback;

    /// <summary>Gets the distribution of the window's mean load in one dimension.</summary>
    /// <param name="dimension">The dimension.</param>
    /// <returns>The distribution, in the dimension's unit.</returns>
    public QuantileDistribution Mean(Dimension dimension) => _mean[(int)dimension];

    /// <summary>Gets the distribution of the window's peak load in one dimension.</summary>
    /// <param name="dimension">The dimension.</param>
    /// <returns>The distribution, in the dimension's unit.</returns>
    public QuantileDistribution Peak(Dimension dimension) => _peak[(int)dimension];

    /// <summary>Gets the expected mean load in every dimension.</summary>
    public ResourceVector ExpectedMean => _expectedMean;

    /// <summary>
    /// Gets the peak load that will not be exceeded with probability <paramref name="confidence"/>, per dimension.
    /// </summary>
    /// <param name="confidence">The probability, in [0, 1).</param>
    /// <returns>The per-dimension peak quantiles.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="confidence"/> is outside [0, 1).</exception>
    /// <remarks>
    /// The last answer is remembered, because the selector asks the same profile for the same confidence on every
    /// request: repeated calls are a comparison, not four interpolations. The memo is an immutable object swapped
    /// atomically, so concurrent callers are safe.
    /// </remarks>
    public ResourceVector PeakQuantile(double confidence)
    {
        var memo = _peakMemo;
        if (memo is not null && memo.Confidence == confidence)
        {
            return memo.Value;
        }

        if (!(confidence >= 0 && confidence < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "The confidence must be in [0, 1).");
        }

        var value = new ResourceVector(
            _peak[0].Quantile(confidence), _peak[1].Quantile(confidence),
            _peak[2].Quantile(confidence), _peak[3].Quantile(confidence));
        _peakMemo = new PeakMemo(confidence, value);
        return value;
    }

    /// <summary>
    /// Gets the probability that <paramref name="capacity"/> absorbs the window's peak in every dimension,
    /// taking the dimensions as comonotone (the peaks rise together), which gives the minimum over dimensions.
    /// </summary>
    /// <param name="capacity">The capacity, in each dimension's unit.</param>
    /// <returns>A probability in [0, 1].</returns>
    public double PeakCoverage(ResourceVector capacity) => Math.Min(
        Math.Min(_peak[0].Cdf(capacity.CpuCores), _peak[1].Cdf(capacity.MemoryGiB)),
        Math.Min(_peak[2].Cdf(capacity.StorageGiB), _peak[3].Cdf(capacity.NetworkGbps)));

    /// <summary>Multiplies every distribution by <paramref name="factor"/>, for example 1/replicas to get one replica's share.</summary>
    /// <param name="factor">The factor; finite and non-negative.</param>
    /// <returns>The scaled profile.</returns>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="factor"/> is NaN, infinite or negative, or so large that a distribution overflows.
    /// </exception>
    public LoadProfile Scale(double factor)
    {
        Span<QuantileDistribution> mean = stackalloc QuantileDistribution[ResourceVector.DimensionCount];
        Span<QuantileDistribution> peak = stackalloc QuantileDistribution[ResourceVector.DimensionCount];
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            mean[d] = _mean[d].Scale(factor);
            peak[d] = _peak[d].Scale(factor);
        }

        return new LoadProfile(mean, peak, Window, Source, Note);
    }

    /// <summary>
    /// Returns the same distributions under another source and note, for example a predictor's answer relabelled
    /// as the fallback of another predictor, with the reason.
    /// </summary>
    /// <param name="source">The new source.</param>
    /// <param name="note">The new note; <see langword="null"/> for none.</param>
    /// <returns>The relabelled profile (the distributions are shared, not copied: profiles are immutable).</returns>
    public LoadProfile WithSource(ProfileSource source, string? note) => new(_mean, _peak, Window, source, note ?? string.Empty);

    /// <summary>
    /// Creates a profile where the load is known exactly: the mean and the peak are point masses.
    /// </summary>
    /// <param name="mean">The mean load, finite and non-negative.</param>
    /// <param name="peak">The peak load, at least <paramref name="mean"/> in every dimension.</param>
    /// <param name="window">The window length; positive.</param>
    /// <returns>The profile.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A vector has a NaN, infinite or negative dimension.</exception>
    /// <exception cref="ArgumentException">The peak is below the mean in some dimension.</exception>
    public static LoadProfile Exact(ResourceVector mean, ResourceVector peak, TimeSpan window)
    {
        ResourceVector.ThrowIfInvalidAmount(mean);
        ResourceVector.ThrowIfInvalidAmount(peak);
        Span<QuantileDistribution> meanDistributions = stackalloc QuantileDistribution[ResourceVector.DimensionCount];
        Span<QuantileDistribution> peakDistributions = stackalloc QuantileDistribution[ResourceVector.DimensionCount];
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            meanDistributions[d] = QuantileDistribution.Degenerate(mean[(Dimension)d]);
            peakDistributions[d] = QuantileDistribution.Degenerate(peak[(Dimension)d]);
        }

        return new LoadProfile(meanDistributions, peakDistributions, window, ProfileSource.Manual);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"LoadProfile {Window} ({Source}): mean {ExpectedMean}; P95 peak {PeakQuantile(0.95)}";

    private sealed record PeakMemo(double Confidence, ResourceVector Value);
}
