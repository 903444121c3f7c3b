using Shaping.Core.Resources;
using Shaping.Simulation.Traces;

namespace Shaping.Simulation.Demand;

/// <summary>
/// Demand read directly from one column per dimension, each multiplied by a unit factor
/// (for example a CPU-cores column and a memory column in bytes with a factor of 2^-30).
/// </summary>
/// <remarks>A dimension whose column is <see langword="null"/> has zero demand. At least one column must be given.</remarks>
public sealed class ColumnDemandModel : IDemandModel
{
    private readonly string?[] _columns;
    private readonly ResourceVector _scale;

    /// <summary>Creates the model.</summary>
    /// <param name="cpuColumn">The column holding CPU demand, or <see langword="null"/>.</param>
    /// <param name="memoryColumn">The column holding memory demand, or <see langword="null"/>.</param>
    /// <param name="storageColumn">The column holding storage demand, or <see langword="null"/>.</param>
    /// <param name="networkColumn">The column holding network demand, or <see langword="null"/>.</param>
    /// <param name="scale">The factor per dimension from the column's unit to cores, GiB, GiB and Gbps; <see langword="null"/> for 1 everywhere.</param>
    /// <exception cref="ArgumentException">No column is given.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A scale used by a column is not finite and positive.</exception>
    public ColumnDemandModel(
        string? cpuColumn, string? memoryColumn = null, string? storageColumn = null, string? networkColumn = null,
        ResourceVector? scale = null)
    {
        _columns = [cpuColumn, memoryColumn, storageColumn, networkColumn];
        if (_columns.All(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("ColumnDemandModel needs at least one column.", nameof(cpuColumn));
        }

        _scale = scale ?? new ResourceVector(1, 1, 1, 1);
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            if (!string.IsNullOrWhiteSpace(_columns[d]))
            {
                DemandColumns.ThrowIfNotPositiveFinite(_scale[(Dimension)d], nameof(scale));
            }
        }
    }

    /// <inheritdoc/>
    public DemandSeries Map(LoadTrace trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var demand = new ResourceVector[trace.Length];
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            if (string.IsNullOrWhiteSpace(_columns[d]))
            {
                continue;
            }

            var dimension = (Dimension)d;
            var values = DemandColumns.ReadNonNegative(trace, _columns[d]!, nameof(ColumnDemandModel)); // not null: checked above
            for (var i = 0; i < demand.Length; i++)
            {
                var amount = values[i] * _scale[dimension];
                DemandColumns.ThrowIfOverflowed(double.IsFinite(amount), trace, _columns[d]!, i, values[i], nameof(ColumnDemandModel));
                demand[i] = demand[i].With(dimension, amount);
            }
        }

        return new DemandSeries(trace.Name, trace.Start, trace.Step, demand);
    }
}
