using System.Globalization;
using Shaping.Simulation.Traces;

namespace Shaping.Simulation.Demand;

/// <summary>Shared column reading and validation for the demand models.</summary>
internal static class DemandColumns
{
    public static double[] ReadNonNegative(LoadTrace trace, string column, string model)
    {
        if (!trace.HasColumn(column))
        {
            throw new ArgumentException(
                $"{model} needs column '{column}', but trace '{trace.Name}' has only: {string.Join(", ", trace.ColumnNames)}.",
                nameof(trace));
        }

        var values = trace.GetColumn(column).ToArray();
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] < 0)
            {
                throw new ArgumentException(
                    $"{model}: trace '{trace.Name}' column '{column}' is negative ({values[i]}) at slot {i} ({trace.TimeOf(i):u}); demand cannot be negative.",
                    nameof(trace));
            }
        }

        return values;
    }

    /// <summary>
    /// Throws when the demand computed from a column's value overflowed (a value near double.MaxValue times a factor
    /// is infinite), naming the column, the slot and its time. A slot is a grid position after gaps and merged
    /// samples, not a file line; the time finds the row.
    /// </summary>
    public static void ThrowIfOverflowed(bool finite, LoadTrace trace, string column, int slot, double value, string model)
    {
        if (!finite)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture,
                    $"{model}: trace '{trace.Name}' column '{column}' holds {value:G} at slot {slot} ({trace.TimeOf(slot):u}), which gives a demand beyond double's range; scale the column down."),
                nameof(trace));
        }
    }

    public static void ThrowIfNotPositiveFinite(double value, string name)
    {
        if (!double.IsFinite(value) || value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and positive; got {value}.");
        }
    }
}
