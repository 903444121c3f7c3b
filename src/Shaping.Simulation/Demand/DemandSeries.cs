using System.Collections.Immutable;
using Shaping.Core.Resources;

namespace Shaping.Simulation.Demand;

/// <summary>
/// Whole-service resource demand per interval on a regular grid: what a policy must provision for.
/// </summary>
/// <remarks>Immutable and safe to share between threads.</remarks>
public sealed class DemandSeries
{
    /// <summary>Creates a series.</summary>
    /// <param name="name">A name for reports, such as the trace's.</param>
    /// <param name="start">The start of interval 0.</param>
    /// <param name="step">The interval length; positive.</param>
    /// <param name="values">The demand per interval; at least one, each finite and non-negative.</param>
    /// <exception cref="ArgumentException"><paramref name="values"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is not positive or a demand is invalid.</exception>
    public DemandSeries(string name, DateTimeOffset start, TimeSpan step, IEnumerable<ResourceVector> values)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(step, TimeSpan.Zero);
        Values = [.. values];
        if (Values.IsEmpty)
        {
            throw new ArgumentException("A demand series needs at least one interval.", nameof(values));
        }

        for (var i = 0; i < Values.Length; i++)
        {
            if (!Values[i].IsValidAmount)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(values), Values[i], $"Demand at interval {i} must be finite and non-negative in every dimension.");
            }
        }

        Name = name;
        Start = start;
        Step = step;
        Peak = Values.Aggregate(ResourceVector.Zero, ResourceVector.Max);
    }

    /// <summary>Gets the series' name.</summary>
    public string Name { get; }

    /// <summary>Gets the start of interval 0.</summary>
    public DateTimeOffset Start { get; }

    /// <summary>Gets the interval length.</summary>
    public TimeSpan Step { get; }

    /// <summary>Gets the demand per interval.</summary>
    public ImmutableArray<ResourceVector> Values { get; }

    /// <summary>Gets the number of intervals.</summary>
    public int Length => Values.Length;

    /// <summary>Gets the per-dimension maximum over the whole series (the oracle peak).</summary>
    public ResourceVector Peak { get; }

    /// <summary>Gets the start time of an interval.</summary>
    /// <param name="index">The interval, from 0.</param>
    /// <returns><see cref="Start"/> + <paramref name="index"/> × <see cref="Step"/>.</returns>
    public DateTimeOffset TimeOf(int index) => Start + (Step * index);
}
