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

    public static void ThrowIfNotPositiveFinite(double value, string name)
    {
        if (!double.IsFinite(value) || value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and positive; got {value}.");
        }
    }
}
