using Shaping.Core.Resources;

namespace Shaping.Core.Shapes;

/// <summary>
/// The steps in which a provider sells each dimension (for example 0.5 cores, 1 GiB of memory, 10 GiB of disk,
/// 0.5 Gbps): a proposed shape's capacity is rounded up to a whole number of steps.
/// </summary>
/// <remarks>
/// A step of 0 leaves that dimension unrounded. Rounding is always upwards and never returns less than one step,
/// because a provider sells no shape with nothing of a dimension it meters.
/// </remarks>
public readonly record struct ShapeGranularity
{
    /// <summary>Creates a granularity.</summary>
    /// <param name="steps">The step per dimension (cores, GiB, GiB, Gbps); finite and non-negative.</param>
    /// <exception cref="ArgumentOutOfRangeException">A step is NaN, infinite or negative.</exception>
    public ShapeGranularity(ResourceVector steps)
    {
        ResourceVector.ThrowIfInvalidAmount(steps);
        Steps = steps;
    }

    /// <summary>Gets a typical public-cloud granularity: 0.5 cores, 1 GiB, 10 GiB of disk, 0.5 Gbps.</summary>
    public static ShapeGranularity Default { get; } = new(new ResourceVector(0.5, 1, 10, 0.5));

    /// <summary>Gets the step per dimension.</summary>
    public ResourceVector Steps { get; }

    /// <summary>Rounds an amount up to whole steps in every dimension (at least one step where the step is positive).</summary>
    /// <param name="amount">The amount; finite and non-negative.</param>
    /// <returns>The smallest whole-step amount at or above <paramref name="amount"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="amount"/> is invalid.</exception>
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

            result = result.With(dimension, rounded);
        }

        return result;
    }
}
