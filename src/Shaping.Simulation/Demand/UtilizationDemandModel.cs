using Shaping.Core.Resources;
using Shaping.Simulation.Traces;

namespace Shaping.Simulation.Demand;

/// <summary>
/// Demand from a utilisation metric of a known machine: CPU utilisation × the machine's cores gives busy cores;
/// memory, storage and network follow the machine's own per-core ratios, or a memory-utilisation column when given.
/// </summary>
/// <remarks>
/// Example: an EC2 CPUUtilization trace (percent) of a 4-core, 16 GiB machine →
/// <c>new UtilizationDemandModel("value", new ResourceVector(4, 16, 0, 5))</c>; 50 % becomes 2 cores, 8 GiB and
/// 2.5 Gbps. For the Google 2019 aggregate (fractions of the largest machine) pass <c>fullScale: 1</c> and
/// <c>memoryColumn: "avg_mem"</c>. Values above <paramref name="fullScale"/> are kept (a trace may exceed the
/// nominal size); negative values are rejected with the column and slot in the message.
/// </remarks>
/// <param name="cpuColumn">The column holding CPU utilisation.</param>
/// <param name="machine">The capacity of the machine the utilisation is measured against; CPU must be positive.</param>
/// <param name="fullScale">The metric value that means "the whole machine": 100 for percent, 1 for a fraction.</param>
/// <param name="memoryColumn">A column holding memory utilisation on the same scale; <see langword="null"/> to derive memory from CPU by the machine's ratio.</param>
public sealed class UtilizationDemandModel(
    string cpuColumn, ResourceVector machine, double fullScale = 100, string? memoryColumn = null) : IDemandModel
{
    private readonly string _cpuColumn = Validate(cpuColumn, machine, fullScale);

    /// <summary>
    /// Gets the demand at full scale: the machine (cores, GiB, GiB, Gbps). A metric that cannot exceed its full scale,
    /// as CPU utilisation cannot exceed 100 %, never gives more, so this is the ceiling to hand the policies
    /// (<see cref="Policies.PredictiveShapingOptions.DemandCeiling"/>, the VPA-like policy's <c>maxAllowed</c>, the
    /// HPA-like policy's <c>maxReplicas</c> through <see cref="Policies.ReplicaSizing.ThresholdMaxReplicas"/>).
    /// A trace that does exceed its full scale is kept as it is (see the remarks), and then this is no ceiling.
    /// </summary>
    public ResourceVector FullScaleDemand => machine;

    /// <inheritdoc/>
    public DemandSeries Map(LoadTrace trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        const string Model = nameof(UtilizationDemandModel);
        var cpu = DemandColumns.ReadNonNegative(trace, _cpuColumn, Model);
        var memory = memoryColumn is null ? null : DemandColumns.ReadNonNegative(trace, memoryColumn, Model);
        var demand = new ResourceVector[trace.Length];
        for (var i = 0; i < demand.Length; i++)
        {
            var share = cpu[i] / fullScale;
            var vector = machine.Scale(share);
            if (memory is not null)
            {
                vector = vector with { MemoryGiB = memory[i] / fullScale * machine.MemoryGiB };
                DemandColumns.ThrowIfOverflowed(double.IsFinite(vector.MemoryGiB), trace, memoryColumn!, i, memory[i], Model); // not null: memory was read from it
            }

            DemandColumns.ThrowIfOverflowed(vector.IsValidAmount, trace, _cpuColumn, i, cpu[i], Model);
            demand[i] = vector;
        }

        return new DemandSeries(trace.Name, trace.Start, trace.Step, demand);
    }

    private static string Validate(string cpuColumn, ResourceVector machine, double fullScale)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(cpuColumn);
        ResourceVector.ThrowIfInvalidAmount(machine);
        DemandColumns.ThrowIfNotPositiveFinite(machine.CpuCores, nameof(machine));
        DemandColumns.ThrowIfNotPositiveFinite(fullScale, nameof(fullScale));
        return cpuColumn;
    }
}
