using System.Runtime.CompilerServices;
using Shaping.Core.Resources;

namespace Shaping.Core.Selection;

/// <summary>
/// The default performance model: a shape performs as well as its busiest resource lets it, scored as
/// 1 − ρ where ρ is the expected utilisation of the bottleneck dimension.
/// </summary>
/// <remarks>
/// <para>
/// In a single-server queue the ratio of service time to response time is 1 − ρ, so the score is the fraction
/// of the shape's raw speed a request sees once queueing is counted. CPU capacity counts in reference cores:
/// cores × performance factor. Dimensions with no expected load (or no capacity and no load) do not limit the
/// score; a dimension with load and no capacity scores 0.
/// </para>
/// <para>
/// Monotone by construction: more capacity or a higher factor lowers every ρ and so never lowers the score.
/// </para>
/// </remarks>
public readonly struct UtilizationPerformanceModel : IPerformanceModel
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Score(in ResourceVector capacity, double performanceFactor, in PerformanceInputs inputs)
    {
        var mean = inputs.ExpectedMean;
        // Plain comparisons rather than Math.Max/Min: the operands are never NaN here, and the IEEE-aware library
        // versions cost several instructions each on the selector's hot path.
        var rho = Larger(
            Larger(Utilization(mean.CpuCores, capacity.CpuCores * performanceFactor), Utilization(mean.MemoryGiB, capacity.MemoryGiB)),
            Larger(Utilization(mean.StorageGiB, capacity.StorageGiB), Utilization(mean.NetworkGbps, capacity.NetworkGbps)));
        return rho < 1 ? 1 - rho : 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Larger(double a, double b) => a > b ? a : b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Utilization(double load, double capacity) =>
        load <= 0 ? 0 : capacity <= 0 ? 1 : load / capacity;
}
