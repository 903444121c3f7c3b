namespace Shaping.Simulation.Policies;

/// <summary>Empirical quantiles of small samples, for calibration.</summary>
internal static class Quantiles
{
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
        var index = (int)Math.Ceiling((p * values.Length) - 1e-9) - 1;
        return values[Math.Clamp(index, 0, values.Length - 1)];
    }
}
