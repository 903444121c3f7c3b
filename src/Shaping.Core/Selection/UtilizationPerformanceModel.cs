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

    // load × (1 / capacity) rather than load / capacity: the selector's vector loop multiplies by reciprocals that the
    // catalog computes once (a vector division costs several multiplications), and this is the same arithmetic, so
    // both give the same bits. Rounding is monotone, so more capacity still never raises a utilisation.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Utilization(double load, double capacity) =>
        load <= 0 ? 0 : capacity <= 0 ? 1 : load * (1 / capacity);

    /// <summary>
    /// The same score for four shapes at once, for the selector's vector loop. Lane by lane it gives the bits of
    /// <see cref="Score"/>: a dimension without load is left out (its utilisation is 0, which never raises the
    /// maximum), and a dimension with load and no capacity gives load × +∞ = +∞ where the scalar form says 1; either
    /// way the score is 0. Every other utilisation is the same product of the load and the capacity's reciprocal (which
    /// the catalog holds), and the maximum of equal values is that value.
    /// </summary>
    internal readonly struct Vectorized
    {
        private readonly Vector256<double> _cpu;
        private readonly Vector256<double> _memory;
        private readonly Vector256<double> _storage;
        private readonly Vector256<double> _network;
        private readonly bool _cpuLoaded;
        private readonly bool _memoryLoaded;
        private readonly bool _storageLoaded;
        private readonly bool _networkLoaded;

        /// <summary>Broadcasts the expected mean load, once per selection.</summary>
        /// <param name="mean">The expected mean load; finite and non-negative.</param>
        // Inlined so that the selector keeps the broadcasts in registers instead of calling out and reading them back.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vectorized(ResourceVector mean)
        {
            _cpu = Vector256.Create(mean.CpuCores);
            _memory = Vector256.Create(mean.MemoryGiB);
            _storage = Vector256.Create(mean.StorageGiB);
            _network = Vector256.Create(mean.NetworkGbps);
            _cpuLoaded = mean.CpuCores > 0;
            _memoryLoaded = mean.MemoryGiB > 0;
            _storageLoaded = mean.StorageGiB > 0;
            _networkLoaded = mean.NetworkGbps > 0;
        }

        /// <summary>
        /// Scores four shapes from the reciprocals of their capacities (CPU in reference cores: cores × performance
        /// factor). Results lie in [0, 1].
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<double> Score(
            Vector256<double> inverseCpu, Vector256<double> inverseMemory, Vector256<double> inverseStorage, Vector256<double> inverseNetwork)
        {
            // The load flags are fixed for the whole pass, so these branches are always predicted. The products are
            // in [0, +∞] and never NaN (load > 0 and finite), so the native maximum is the exact one.
            var rho = Vector256<double>.Zero;
            if (_cpuLoaded)
            {
                rho = _cpu * inverseCpu;
            }

            if (_memoryLoaded)
            {
                rho = Vector256.MaxNative(rho, _memory * inverseMemory);
            }

            if (_storageLoaded)
            {
                rho = Vector256.MaxNative(rho, _storage * inverseStorage);
            }

            if (_networkLoaded)
            {
                rho = Vector256.MaxNative(rho, _network * inverseNetwork);
            }

            return Vector256.ConditionalSelect(Vector256.LessThan(rho, Vector256<double>.One), Vector256<double>.One - rho, Vector256<double>.Zero);
        }
    }
}
