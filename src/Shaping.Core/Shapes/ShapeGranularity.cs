using System.Globalization;
using Shaping.Core.Resources;

namespace Shaping.Core.Shapes;

/// <summary>
/// The steps in which a provider sells each dimension (for example 0.5 cores, 1 GiB of memory, 10 GiB of disk,
/// 0.5 Gbps): a proposed shape's capacity is rounded up to a whole number of steps.
/// </summary>
/// <remarks>
/// A step of 0 leaves that dimension unrounded. Rounding is always upwards and never returns less than one step,
/// because a provider sells no shape with nothing of a dimension it meters. A positive step is at least 10⁻⁹ of its
/// unit (a billionth, the finest amount any capacity ledger accounts in): a finer one would be a mistake, and a
/// subnormal one made the number of steps in an ordinary amount overflow.
/// </remarks>
public readonly record struct ShapeGranularity
{
    // The finest positive step: a billionth of a unit, what the in-memory ledger accounts in (see CapacityLimits).
    private const double MinimumStep = 1e-9;

    /// <summary>Creates a granularity.</summary>
    /// <param name="steps">The step per dimension (cores, GiB, GiB, Gbps); finite, and 0 or at least 10⁻⁹.</param>
    /// <exception cref="ArgumentOutOfRangeException">A step is NaN, infinite, negative, or positive but below 10⁻⁹.</exception>
    public ShapeGranularity(ResourceVector steps)
    {
        ResourceVector.ThrowIfInvalidAmount(steps);
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            var step = steps[(Dimension)d];
            if (step > 0 && step < MinimumStep)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(steps),
                    steps,
                    string.Create(CultureInfo.InvariantCulture, $"The {(Dimension)d} step ({step}) must be 0 (unrounded) or at least {MinimumStep:0e0}."));
            }
        }

        Steps = steps;
    }

    /// <summary>Gets a typical public-cloud granularity: 0.5 cores, 1 GiB, 10 GiB of disk, 0.5 Gbps.</summary>
    public static ShapeGranularity Default { get; } = new(new ResourceVector(0.5, 1, 10, 0.5));

    /// <summary>Gets the step per dimension.</summary>
    public ResourceVector Steps { get; }

    /// <summary>Rounds an amount up to whole steps in every dimension (at least one step where the step is positive).</summary>
    /// <param name="amount">The amount; finite and non-negative.</param>
    /// <returns>The smallest whole-step amount at or above <paramref name="amount"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="amount"/> is NaN, infinite or negative in some dimension, or so large that its number of steps or
    /// the rounded amount is not a finite <see cref="double"/> (above about 10²⁹⁹ for the finest step, 10³⁰⁸ for a step of 1).
    /// </exception>
    public ResourceVector RoundUp(ResourceVector amount)
    {
        ResourceVector.ThrowIfInvalidAmount(amount);
        var result = amount;
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            var dimension = (Dimension)d;
            var step = Steps[dimension];
            if (step <= 0)
            {
                continue;
            }

            var value = amount[dimension];
            var count = Math.Max(1, Math.Ceiling(value / step));
            var rounded = count * step;
            if (rounded < value)
            {
                rounded = (count + 1) * step; // guard against division rounding down at the last bit
            }

            if (rounded < value)
            {
                // From 2^53 steps on (9e6 units at the finest step) count + 1 can round back to count, so the guard above
                // changes nothing; neighbouring doubles are then at least a step apart, and the amount itself is the
                // smallest value that covers it, as near a whole number of steps as a double gets.
                rounded = value;
            }

            if (!double.IsFinite(rounded))
            {
                throw new ArgumentOutOfRangeException(
                    nameof(amount),
                    amount,
                    string.Create(CultureInfo.InvariantCulture, $"The {dimension} amount ({value}) is too large to round up to whole steps of {step}: the result is not a finite number."));
            }

            result = result.With(dimension, rounded);
        }

        return result;
    }
}
