using System.Globalization;

namespace Shaping.Core.Selection;

/// <summary>
/// How the selector trades cost against performance, and how much safety it demands against the peak.
/// </summary>
/// <remarks>
/// A shape is feasible when, in every dimension, its capacity is at least (1 + <see cref="Headroom"/>) times the
/// window's peak load at probability <see cref="PeakConfidence"/>. Among feasible shapes the score is
/// <c>Tradeoff × performance + (1 − Tradeoff) × (cheapest feasible price / price)</c>, both terms in [0, 1].
/// </remarks>
public readonly record struct ScoringPolicy
{
    /// <summary>The default policy: balanced trade-off, 10 % headroom, 95 % peak confidence, one hour.</summary>
    public static readonly ScoringPolicy Default = new(0.5, 0.10, 0.95, TimeSpan.FromHours(1));

    /// <summary>Creates a policy.</summary>
    /// <param name="tradeoff">0 = cheapest feasible shape, 1 = best performance; in [0, 1].</param>
    /// <param name="headroom">Extra capacity demanded above the peak, as a fraction (0.1 = 10 %); finite, in [0, 10].</param>
    /// <param name="peakConfidence">The probability with which the shape must absorb the window's peak; in (0, 1).</param>
    /// <param name="duration">How long the replicas are expected to run; positive. Used to report the cost of the choice.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is NaN or out of its range; the message names it.</exception>
    public ScoringPolicy(double tradeoff, double headroom, double peakConfidence, TimeSpan duration)
    {
        if (!(tradeoff >= 0 && tradeoff <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(tradeoff), tradeoff, "The trade-off must be in [0, 1].");
        }

        if (!(headroom >= 0 && headroom <= 10))
        {
            throw new ArgumentOutOfRangeException(nameof(headroom), headroom, "The headroom must be in [0, 10] (a fraction of the peak).");
        }

        if (!(peakConfidence > 0 && peakConfidence < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(peakConfidence), peakConfidence, "The peak confidence must be in (0, 1).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        Tradeoff = tradeoff;
        Headroom = headroom;
        PeakConfidence = peakConfidence;
        Duration = duration;
    }

    /// <summary>Gets the cost/performance trade-off: 0 = cheapest feasible, 1 = best performance.</summary>
    /// <value>The default value is 0.5.</value>
    public double Tradeoff { get; }

    /// <summary>Gets the extra capacity demanded above the peak, as a fraction.</summary>
    /// <value>The default value is 0.10.</value>
    public double Headroom { get; }

    /// <summary>Gets the probability with which a feasible shape absorbs the window's peak.</summary>
    /// <value>The default value is 0.95.</value>
    public double PeakConfidence { get; }

    /// <summary>Gets how long the replicas are expected to run.</summary>
    /// <value>The default value is one hour.</value>
    public TimeSpan Duration { get; }

    /// <summary>Gets whether the policy was built by its constructor (a <see langword="default"/> instance is not valid).</summary>
    public bool IsValid => PeakConfidence > 0 && Duration > TimeSpan.Zero;

    /// <summary>Returns a copy with another trade-off, for a request that overrides it.</summary>
    /// <param name="tradeoff">The trade-off, in [0, 1].</param>
    /// <returns>The new policy.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tradeoff"/> is outside [0, 1].</exception>
    public ScoringPolicy WithTradeoff(double tradeoff) => new(tradeoff, Headroom, PeakConfidence, Duration);

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"tradeoff {Tradeoff:0.###}, headroom {Headroom:P0}, peak confidence {PeakConfidence:0.###}, {Duration}");
}
