using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
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

    /// <summary>
    /// The same score for four shapes at once, for the selector's vector loop: lane by lane the arithmetic and its
    /// order are those of <see cref="Score"/>, so the results are bit-identical.
    /// </summary>
    /// <param name="mean">The expected mean load (<see cref="PerformanceInputs.ExpectedMean"/>).</param>
    internal readonly struct Vectorized(ResourceVector mean)
    {
        private readonly Vector256<double> _cpu = Vector256.Create(mean.CpuCores);
        private readonly Vector256<double> _memory = Vector256.Create(mean.MemoryGiB);
        private readonly Vector256<double> _storage = Vector256.Create(mean.StorageGiB);
        private readonly Vector256<double> _network = Vector256.Create(mean.NetworkGbps);

        /// <summary>Scores four shapes; <paramref name="cpuCapacity"/> is cores × performance factor.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<double> Score(
            Vector256<double> cpuCapacity, Vector256<double> memory, Vector256<double> storage, Vector256<double> network)
        {
            var rho = Larger(
                Larger(Utilization(_cpu, cpuCapacity), Utilization(_memory, memory)),
                Larger(Utilization(_storage, storage), Utilization(_network, network)));
            return Vector256.ConditionalSelect(Vector256.LessThan(rho, Vector256<double>.One), Vector256<double>.One - rho, Vector256<double>.Zero);
        }

        // a > b ? a : b lane by lane, exactly as the scalar Larger (Vector256.Max orders -0 and NaN differently).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<double> Larger(Vector256<double> a, Vector256<double> b) =>
            Vector256.ConditionalSelect(Vector256.GreaterThan(a, b), a, b);

        // load <= 0 ? 0 : capacity <= 0 ? 1 : load / capacity, lane by lane.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<double> Utilization(Vector256<double> load, Vector256<double> capacity) =>
            Vector256.AndNot(
                Vector256.ConditionalSelect(Vector256.LessThanOrEqual(capacity, Vector256<double>.Zero), Vector256<double>.One, load / capacity),
                Vector256.LessThanOrEqual(load, Vector256<double>.Zero));
    }
}
