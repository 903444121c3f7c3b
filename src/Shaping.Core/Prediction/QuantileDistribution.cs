using System.Globalization;
using System.Runtime.CompilerServices;

namespace Shaping.Core.Prediction;

/// <summary>
/// A predicted distribution of a non-negative quantity (a window's mean load or its peak load in one
/// dimension), held as its mean and its quantiles at fixed levels, with a CDF that interpolates between them.
/// </summary>
/// <remarks>
/// <para>
/// The quantile levels are fixed (<see cref="Levels"/>: 5 %, 25 %, 50 %, 75 %, 90 %, 95 %, 99 %) so that a
/// distribution is a small value type that needs no allocation and two distributions are always comparable.
/// </para>
/// <para>
/// <see cref="Cdf"/> and <see cref="Quantile"/> are exact inverses of each other. Between two stored quantiles
/// the CDF is linear. Below the 5 % quantile it falls linearly to 0 at a load of 0 (loads are non-negative).
/// Above the 99 % quantile it approaches 1 along an exponential tail whose scale is set by the gap between the
/// 95 % and 99 % quantiles (the gap an exponential tail would have between those levels), so a heavy upper tail
/// in the data stays heavy beyond P99; when P95 equals P99 the distribution ends at P99.
/// </para>
/// </remarks>
public readonly struct QuantileDistribution : IEquatable<QuantileDistribution>
{
    /// <summary>The number of stored quantile levels.</summary>
    public const int LevelCount = 7;

    private static readonly double[] LevelValues = [0.05, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99];

    // Scale of the exponential upper tail per unit of (P99 − P95): from survival 0.05 to 0.01 is a factor of 5.
    private static readonly double TailScalePerGap = 1.0 / Math.Log(5.0);

    private readonly QuantileBuffer _quantiles;

    private QuantileDistribution(double mean, QuantileBuffer quantiles)
    {
        Mean = mean;
        _quantiles = quantiles;
    }

    /// <summary>Gets the stored quantile levels, ascending: 0.05, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99.</summary>
    public static ReadOnlySpan<double> Levels => LevelValues;

    /// <summary>Gets the expected value.</summary>
    public double Mean { get; }

    /// <summary>Gets the median.</summary>
    public double P50 => _quantiles[2];

    /// <summary>Gets the 90 % quantile.</summary>
    public double P90 => _quantiles[4];

    /// <summary>Gets the 95 % quantile.</summary>
    public double P95 => _quantiles[5];

    /// <summary>Gets the 99 % quantile.</summary>
    public double P99 => _quantiles[6];

    /// <summary>Gets the stored quantile at one level index.</summary>
    /// <param name="levelIndex">An index into <see cref="Levels"/>, 0 to <see cref="LevelCount"/> − 1.</param>
    /// <returns>The quantile.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="levelIndex"/> is out of range.</exception>
    public double QuantileAt(int levelIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(levelIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(levelIndex, LevelCount);
        return _quantiles[levelIndex];
    }

    /// <summary>Copies the stored quantiles, one per level of <see cref="Levels"/>, into <paramref name="destination"/>.</summary>
    /// <param name="destination">At least <see cref="LevelCount"/> elements.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public void CopyQuantilesTo(Span<double> destination)
    {
        if (destination.Length < LevelCount)
        {
            throw new ArgumentException($"The destination needs at least {LevelCount} elements.", nameof(destination));
        }

        ReadOnlySpan<double> q = _quantiles;
        q.CopyTo(destination);
    }

    /// <summary>Gets whether this is a point mass (every quantile equal).</summary>
    public bool IsDegenerate => _quantiles[0] == _quantiles[LevelCount - 1];

    /// <summary>Creates a point mass: the quantity is known to be <paramref name="value"/>.</summary>
    /// <param name="value">The value; finite and non-negative.</param>
    /// <returns>The distribution.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is NaN, infinite or negative.</exception>
    public static QuantileDistribution Degenerate(double value)
    {
        ThrowIfInvalidValue(value, nameof(value));
        var buffer = default(QuantileBuffer);
        ((Span<double>)buffer).Fill(value);
        return new QuantileDistribution(value, buffer);
    }

    /// <summary>Creates a distribution from its mean and its quantiles at <see cref="Levels"/>.</summary>
    /// <param name="mean">The expected value; finite and non-negative.</param>
    /// <param name="quantiles">Exactly <see cref="LevelCount"/> quantiles, finite, non-negative and non-decreasing.</param>
    /// <returns>The distribution.</returns>
    /// <exception cref="ArgumentException"><paramref name="quantiles"/> has the wrong length or decreases.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value is NaN, infinite or negative.</exception>
    public static QuantileDistribution FromQuantiles(double mean, ReadOnlySpan<double> quantiles)
    {
        ThrowIfInvalidValue(mean, nameof(mean));
        if (quantiles.Length != LevelCount)
        {
            throw new ArgumentException(
                $"Expected {LevelCount} quantiles (levels 0.05 … 0.99); got {quantiles.Length}.", nameof(quantiles));
        }

        var buffer = default(QuantileBuffer);
        for (var i = 0; i < LevelCount; i++)
        {
            ThrowIfInvalidValue(quantiles[i], nameof(quantiles));
            if (i > 0 && quantiles[i] < quantiles[i - 1])
            {
                throw new ArgumentException(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"Quantiles must be non-decreasing; the {LevelValues[i]:P0} quantile ({quantiles[i]}) is below the {LevelValues[i - 1]:P0} quantile ({quantiles[i - 1]})."),
                    nameof(quantiles));
            }

            buffer[i] = quantiles[i];
        }

        return new QuantileDistribution(mean, buffer);
    }

    /// <summary>
    /// Creates a distribution from a mean, a median and upper quantiles, filling the lower levels (5 %, 25 %)
    /// with the median's mirror image around the upper spread, floored at zero.
    /// </summary>
    /// <param name="mean">The expected value.</param>
    /// <param name="p50">The median.</param>
    /// <param name="p90">The 90 % quantile.</param>
    /// <param name="p95">The 95 % quantile.</param>
    /// <param name="p99">The 99 % quantile.</param>
    /// <returns>The distribution.</returns>
    /// <exception cref="ArgumentException">The quantiles decrease.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value is NaN, infinite or negative.</exception>
    public static QuantileDistribution FromUpperQuantiles(double mean, double p50, double p90, double p95, double p99)
    {
        ThrowIfInvalidValue(p50, nameof(p50));
        ThrowIfInvalidValue(p90, nameof(p90));
        ThrowIfInvalidValue(p95, nameof(p95));
        ThrowIfInvalidValue(p99, nameof(p99));
        ThrowIfBelow(p90, nameof(p90), p50, nameof(p50));
        ThrowIfBelow(p95, nameof(p95), p90, nameof(p90));
        ThrowIfBelow(p99, nameof(p99), p95, nameof(p95));
        var spread = Math.Max(0, p90 - p50);
        ReadOnlySpan<double> quantiles =
        [
            Math.Max(0, p50 - (spread * (1.6449 / 1.2816))),
            Math.Max(0, p50 - (spread * (0.6745 / 1.2816))),
            p50,
            p50 + (spread * (0.6745 / 1.2816)),
            p90,
            p95,
            p99,
        ];
        return FromQuantiles(mean, quantiles);

        static void ThrowIfBelow(double value, string name, double lower, string lowerName)
        {
            if (value < lower)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"{name} ({value}) is below {lowerName} ({lower}); quantiles must not decrease."), name);
            }
        }
    }

    /// <summary>
    /// Summarises a sample (for example the peaks of simulated sample paths): empirical quantiles with linear
    /// interpolation between order statistics (Hyndman and Fan's type 7, R's default) and the sample mean.
    /// </summary>
    /// <param name="samples">The sample; sorted in place. At least one value, each finite and non-negative.</param>
    /// <returns>The distribution.</returns>
    /// <exception cref="ArgumentException"><paramref name="samples"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value is NaN, infinite or negative.</exception>
    public static QuantileDistribution FromSamples(Span<double> samples)
    {
        if (samples.IsEmpty)
        {
            throw new ArgumentException("At least one sample is needed.", nameof(samples));
        }

        var sum = 0.0;
        foreach (var value in samples)
        {
            ThrowIfInvalidValue(value, nameof(samples));
            sum += value;
        }

        samples.Sort();
        var buffer = default(QuantileBuffer);
        for (var i = 0; i < LevelCount; i++)
        {
            var position = LevelValues[i] * (samples.Length - 1);
            var lower = (int)Math.Floor(position);
            var upper = Math.Min(lower + 1, samples.Length - 1);
            var fraction = position - lower;
            buffer[i] = samples[lower] + (fraction * (samples[upper] - samples[lower]));
        }

        // Rounding can leave the interpolated values a hair out of order; they are monotone in exact arithmetic.
        for (var i = 1; i < LevelCount; i++)
        {
            buffer[i] = Math.Max(buffer[i], buffer[i - 1]);
        }

        return new QuantileDistribution(Math.Max(0, double.IsFinite(sum) ? sum / samples.Length : ScaledMean(samples)), buffer);

        // The sum of values near double.MaxValue overflows: average the values divided by the count instead (each term
        // at most its value, so no partial sum overflows). Only then, so that every other mean is exactly sum / count.
        // The mean is at most the largest value (samples are sorted by now); rounding must not take it above.
        static double ScaledMean(ReadOnlySpan<double> sorted)
        {
            var mean = 0.0;
            foreach (var value in sorted)
            {
                mean += value / sorted.Length;
            }

            return Math.Min(mean, sorted[^1]);
        }
    }

    /// <summary>
    /// Gets the probability that the quantity is at most <paramref name="value"/>.
    /// </summary>
    /// <param name="value">The value, in the quantity's unit.</param>
    /// <returns>A probability in [0, 1]; 0 for a NaN or negative value.</returns>
    public double Cdf(double value)
    {
        if (!(value >= 0))
        {
            return 0;
        }

        ReadOnlySpan<double> q = _quantiles;
        ReadOnlySpan<double> levels = LevelValues;
        if (value < q[0])
        {
            return levels[0] * value / q[0];
        }

        var last = LevelCount - 1;
        if (value >= q[last])
        {
            var gap = q[last] - q[last - 1];
            if (gap <= 0)
            {
                return 1;
            }

            var survival = (1 - levels[last]) * Math.Exp(-(value - q[last]) / (gap * TailScalePerGap));
            return 1 - survival;
        }

        // q[0] <= value < q[last]: find the segment [q[i], q[i+1]) that holds value (the last one on ties).
        var i = 0;
        while (q[i + 1] <= value)
        {
            i++;
        }

        return levels[i] + ((levels[i + 1] - levels[i]) * (value - q[i]) / (q[i + 1] - q[i]));
    }

    /// <summary>
    /// Gets the value below which the quantity falls with probability <paramref name="probability"/>: the
    /// inverse of <see cref="Cdf"/>.
    /// </summary>
    /// <param name="probability">A probability in [0, 1).</param>
    /// <returns>The quantile, finite and non-negative.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="probability"/> is NaN or outside [0, 1).</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Quantile(double probability)
    {
        if (!(probability >= 0 && probability < 1))
        {
            ThrowProbabilityOutOfRange(probability);
        }

        ReadOnlySpan<double> q = _quantiles;
        ReadOnlySpan<double> levels = LevelValues;
        if (probability <= levels[0])
        {
            return q[0] * probability / levels[0];
        }

        var last = LevelCount - 1;
        if (probability >= levels[last])
        {
            var gap = q[last] - q[last - 1];

            // Far out in a tail of huge quantiles the sum can pass double.MaxValue: stay finite, as documented.
            return Math.Min(q[last] + (gap * TailScalePerGap * Math.Log((1 - levels[last]) / (1 - probability))), double.MaxValue);
        }

        var i = 0;
        while (levels[i + 1] < probability)
        {
            i++;
        }

        return q[i] + ((q[i + 1] - q[i]) * (probability - levels[i]) / (levels[i + 1] - levels[i]));
    }

    /// <summary>Multiplies the quantity by a non-negative factor (for example to split a region's load over replicas).</summary>
    /// <param name="factor">The factor; finite and non-negative.</param>
    /// <returns>The scaled distribution.</returns>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="factor"/> is NaN, infinite or negative, or so large that the mean or a quantile overflows.
    /// </exception>
    public QuantileDistribution Scale(double factor)
    {
        ThrowIfInvalidValue(factor, nameof(factor));
        var buffer = _quantiles;
        for (var i = 0; i < LevelCount; i++)
        {
            buffer[i] *= factor;
        }

        // Quantiles ascend, so the last one is the largest.
        var mean = Mean * factor;
        if (!double.IsFinite(mean) || !double.IsFinite(buffer[LevelCount - 1]))
        {
            throw new ArgumentOutOfRangeException(
                nameof(factor), factor, string.Create(CultureInfo.InvariantCulture, $"Scaling {this} by {factor} overflows double."));
        }

        return new QuantileDistribution(mean, buffer);
    }

    /// <inheritdoc/>
    public bool Equals(QuantileDistribution other)
    {
        if (Mean != other.Mean)
        {
            return false;
        }

        ReadOnlySpan<double> mine = _quantiles;
        ReadOnlySpan<double> theirs = other._quantiles;
        return mine.SequenceEqual(theirs);
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is QuantileDistribution other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Mean, P50, P95, P99);

    /// <summary>Compares two distributions for equality of mean and every quantile.</summary>
    /// <param name="left">The first distribution.</param>
    /// <param name="right">The second distribution.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    public static bool operator ==(QuantileDistribution left, QuantileDistribution right) => left.Equals(right);

    /// <summary>Compares two distributions for inequality.</summary>
    /// <param name="left">The first distribution.</param>
    /// <param name="right">The second distribution.</param>
    /// <returns><see langword="true"/> when they differ.</returns>
    public static bool operator !=(QuantileDistribution left, QuantileDistribution right) => !left.Equals(right);

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture, $"mean {Mean:G4}, P50 {P50:G4}, P90 {P90:G4}, P95 {P95:G4}, P99 {P99:G4}");

    private static void ThrowIfInvalidValue(double value, string paramName)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be finite and non-negative.");
        }
    }

    private static void ThrowProbabilityOutOfRange(double probability) =>
        throw new ArgumentOutOfRangeException(nameof(probability), probability, "The probability must be in [0, 1).");

    [InlineArray(LevelCount)]
    private struct QuantileBuffer
    {
        private double _element;
    }
}
