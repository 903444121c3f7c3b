namespace Shaping.Simulation.Policies;

/// <summary>Empirical quantiles of small samples, for calibration.</summary>
internal static class Quantiles
{
    /// <summary>
    /// <see cref="Upper"/> of the samples that are not NaN (NaN marks a missing sample), copied into
    /// <paramref name="scratch"/>; NaN when fewer than <paramref name="minimum"/> are.
    /// </summary>
    public static double UpperOfPresent(ReadOnlySpan<double> samples, Span<double> scratch, double p, int minimum)
    {
        var count = 0;
        foreach (var sample in samples)
        {
            if (!double.IsNaN(sample))
            {
                scratch[count++] = sample;
            }
        }

        return count < minimum ? double.NaN : Upper(scratch[..count], p);
    }

    /// <summary>
    /// The empirical quantile taken from above: the smallest sample value with at least <paramref name="p"/> of the
    /// sample at or below it (1 gives the maximum). Sorts <paramref name="values"/> in place.
    /// </summary>
    public static double Upper(Span<double> values, double p)
    {
        if (values.IsEmpty)
        {
            return double.NaN;
        }

        if (p >= 1)
        {
            var max = values[0];
            foreach (var v in values)
            {
                max = Math.Max(max, v);
            }

            return max;
        }

        values.Sort();
        return UpperOfSorted(values, p);
    }

    /// <summary><see cref="Upper"/> of samples already sorted in ascending order (not empty).</summary>
    public static double UpperOfSorted(ReadOnlySpan<double> sorted, double p)
    {
        var index = (int)Math.Ceiling((p * sorted.Length) - 1e-9) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Length - 1)];
    }
}
