using System.Globalization;
using Shaping.Core.Resources;

namespace Shaping.Core.Provisioning;

/// <summary>
/// A synthetic demand curve for one region: a mean demand that swings on a periodic (by default daily) cycle,
/// with multiplicative noise. It drives <see cref="SyntheticUtilizationSource"/>, so a host, a sample or a test can
/// run the adjustment loop without a monitoring system.
/// </summary>
/// <remarks>
/// <para>
/// The region's total demand at time <i>t</i> is
/// <c>MeanDemand × (1 + Amplitude × cos(2π (t − PeakOffset) / Period)) × max(0, 1 + Noise × z)</c>, where <i>t</i>
/// is measured from the Unix epoch (UTC), so cycles start at midnight UTC when the period is a day, and <i>z</i> is a
/// standard normal draw. <see cref="ExpectedDemand"/> is the noiseless part. Every dimension follows the same
/// curve: load that is busier in CPU is busier in memory and network too.
/// </para>
/// <para>The constructor checks every setting; an instance is immutable and safe to share between threads.</para>
/// </remarks>
public sealed class SyntheticLoadModel
{
    private const double DefaultPeakFractionOfPeriod = 14.0 / 24.0;

    /// <summary>Creates a model.</summary>
    /// <param name="meanDemand">The region's total demand averaged over a cycle, in each dimension's unit; finite and non-negative.</param>
    /// <param name="amplitude">The relative swing of the cycle, in [0, 1]: 0.3 swings between 70 % and 130 % of the mean. Default 0.3.</param>
    /// <param name="noise">The relative standard deviation of the multiplicative noise, in [0, 1]. Default 0.05.</param>
    /// <param name="period">The length of one cycle; positive. Default one day.</param>
    /// <param name="peakOffset">
    /// When in each cycle the demand peaks, from the cycle's start, in [0, <paramref name="period"/>). Default 14/24
    /// of the period (14:00 UTC for a daily cycle).
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it and its value.</exception>
    public SyntheticLoadModel(
        ResourceVector meanDemand, double amplitude = 0.3, double noise = 0.05, TimeSpan? period = null, TimeSpan? peakOffset = null)
    {
        ResourceVector.ThrowIfInvalidAmount(meanDemand);
        if (!(amplitude >= 0 && amplitude <= 1))
        {
            throw new ArgumentOutOfRangeException(
                nameof(amplitude), amplitude, string.Create(CultureInfo.InvariantCulture, $"SyntheticLoadModel amplitude ({amplitude}) must be in [0, 1]."));
        }

        if (!(noise >= 0 && noise <= 1))
        {
            throw new ArgumentOutOfRangeException(
                nameof(noise), noise, string.Create(CultureInfo.InvariantCulture, $"SyntheticLoadModel noise ({noise}) must be in [0, 1]."));
        }

        var cycle = period ?? TimeSpan.FromDays(1);
        if (cycle <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(period), cycle, $"SyntheticLoadModel period ({cycle}) must be positive.");
        }

        var peak = peakOffset ?? TimeSpan.FromTicks((long)(cycle.Ticks * DefaultPeakFractionOfPeriod));
        if (peak < TimeSpan.Zero || peak >= cycle)
        {
            throw new ArgumentOutOfRangeException(
                nameof(peakOffset), peak, $"SyntheticLoadModel peak offset ({peak}) must be in [0, period ({cycle})).");
        }

        MeanDemand = meanDemand;
        Amplitude = amplitude;
        Noise = noise;
        Period = cycle;
        PeakOffset = peak;
    }

    /// <summary>
    /// Gets the model of a small service when nothing else is configured: 4 cores, 16 GiB of memory, 100 GiB of
    /// storage and 1 Gbps on average over the region, a daily swing of ±30 % peaking at 14:00 UTC, and 5 % noise.
    /// </summary>
    public static SyntheticLoadModel Default { get; } = new(new ResourceVector(4, 16, 100, 1));

    /// <summary>Gets the region's total demand averaged over a cycle, in each dimension's unit.</summary>
    public ResourceVector MeanDemand { get; }

    /// <summary>Gets the relative swing of the cycle, in [0, 1].</summary>
    /// <value>The default value is 0.3.</value>
    public double Amplitude { get; }

    /// <summary>Gets the relative standard deviation of the multiplicative noise, in [0, 1].</summary>
    /// <value>The default value is 0.05.</value>
    public double Noise { get; }

    /// <summary>Gets the length of one cycle.</summary>
    /// <value>The default value is one day.</value>
    public TimeSpan Period { get; }

    /// <summary>Gets when in each cycle the demand peaks, from the cycle's start (cycles start at the Unix epoch, UTC).</summary>
    /// <value>The default value is 14/24 of the period: 14:00 UTC for a daily cycle.</value>
    public TimeSpan PeakOffset { get; }

    /// <summary>Gets the factor of the cycle at a time: <c>1 + Amplitude × cos(2π (t − PeakOffset) / Period)</c>, in [1 − Amplitude, 1 + Amplitude].</summary>
    /// <param name="at">The time.</param>
    /// <returns>The factor the mean demand is multiplied by at <paramref name="at"/>, before noise.</returns>
    public double CycleFactor(DateTimeOffset at)
    {
        // Ticks modulo the period keep the phase exact however far the time is from the epoch.
        var sinceEpoch = at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks - PeakOffset.Ticks;
        var phase = (double)(((sinceEpoch % Period.Ticks) + Period.Ticks) % Period.Ticks) / Period.Ticks;
        return 1 + (Amplitude * Math.Cos(2 * Math.PI * phase));
    }

    /// <summary>Gets the noiseless demand of the region at a time.</summary>
    /// <param name="at">The time.</param>
    /// <returns><see cref="MeanDemand"/> × <see cref="CycleFactor"/>; finite and non-negative.</returns>
    public ResourceVector ExpectedDemand(DateTimeOffset at) => MeanDemand * CycleFactor(at);

    /// <summary>Gets the demand of the region at a time for one noise draw.</summary>
    /// <param name="at">The time.</param>
    /// <param name="standardNormal">A draw of a standard normal variable; finite.</param>
    /// <returns><see cref="ExpectedDemand"/> × max(0, 1 + <see cref="Noise"/> × <paramref name="standardNormal"/>); finite and non-negative.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="standardNormal"/> is NaN or infinite.</exception>
    public ResourceVector DemandAt(DateTimeOffset at, double standardNormal)
    {
        if (!double.IsFinite(standardNormal))
        {
            throw new ArgumentOutOfRangeException(nameof(standardNormal), standardNormal, "The noise draw must be finite.");
        }

        return ExpectedDemand(at) * NoiseFactor(standardNormal);
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"mean {MeanDemand}; ±{Amplitude:P0} every {Period}, peak at +{PeakOffset}; noise {Noise:P0}");

    internal double NoiseFactor(double standardNormal) => Math.Max(0, 1 + (Noise * standardNormal));
}
