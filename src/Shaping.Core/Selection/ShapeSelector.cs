using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Shaping.Core.Prediction;
using Shaping.Core.Resources;
using Shaping.Core.Shapes;

namespace Shaping.Core.Selection;

/// <summary>
/// Ranks the shapes of a catalog for a predicted load: the hot path of every replica request.
/// </summary>
/// <remarks>
/// <para>
/// A shape is <em>feasible</em> when its capacity covers the window's peak at the policy's confidence with the
/// policy's headroom, in every dimension. Each feasible shape scores
/// <c>t × performance + (1 − t) × (cheapest feasible price / price)</c> where <c>t</c> is the trade-off; both
/// terms lie in [0, 1], so the unit of price never decides the choice (as a raw <c>1 / cost</c> term would).
/// </para>
/// <para>
/// The catalog stores shapes by ascending price, so one linear pass over its struct-of-arrays finds the cheapest
/// feasible shape first and scores every later shape against it, keeping a running top-k in the caller's span.
/// Ties keep catalog order, which is cheaper first, then ordinal name: rankings are deterministic and do not
/// depend on the order in which shapes were added. Nothing is allocated.
/// </para>
/// <para>
/// Where 256-bit vectors are accelerated, the pass takes four shapes at a time: feasibility, the cost term and
/// (for the default <see cref="UtilizationPerformanceModel"/>) the performance term are computed lane by lane with
/// the same operations in the same order as the scalar loop, so scores and rankings are bit-identical; only the
/// top-k insertion stays scalar. A custom model is still called once per feasible shape.
/// </para>
/// <para><b>Thread safety:</b> stateless; one instance may serve any number of threads.</para>
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Performance",
    "CA1822:Mark members as static",
    Justification = "An instance API, so hosts inject the selector and tests can substitute the component that owns it.")]
public sealed class ShapeSelector
{
    /// <summary>
    /// Ranks the catalog with the default <see cref="UtilizationPerformanceModel"/>.
    /// </summary>
    /// <param name="catalog">The shapes to rank; not empty.</param>
    /// <param name="profile">The predicted load of one replica over the window.</param>
    /// <param name="policy">The trade-off, headroom, peak confidence and duration.</param>
    /// <param name="ranking">Receives the best feasible shapes, best first; its length is how many are kept (at least 1).</param>
    /// <returns>How many entries were written, how many shapes were feasible, and whether any was.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="catalog"/> or <paramref name="profile"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="catalog"/> is empty, <paramref name="ranking"/> is empty, or <paramref name="policy"/> is the invalid default.</exception>
    public SelectionResult Select(ShapeCatalog catalog, LoadProfile profile, in ScoringPolicy policy, Span<ScoredShape> ranking) =>
        Select(catalog, profile, policy, ranking, default(UtilizationPerformanceModel));

    /// <summary>
    /// Ranks the catalog with a custom performance model, specialised by the JIT (no virtual call per shape).
    /// </summary>
    /// <typeparam name="TModel">The performance model: a struct implementing <see cref="IPerformanceModel"/>.</typeparam>
    /// <param name="catalog">The shapes to rank; not empty.</param>
    /// <param name="profile">The predicted load of one replica over the window.</param>
    /// <param name="policy">The trade-off, headroom, peak confidence and duration.</param>
    /// <param name="ranking">Receives the best feasible shapes, best first; its length is how many are kept (at least 1).</param>
    /// <param name="model">The performance model.</param>
    /// <returns>How many entries were written, how many shapes were feasible, and whether any was.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="catalog"/> or <paramref name="profile"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="catalog"/> is empty, <paramref name="ranking"/> is empty, or <paramref name="policy"/> is the invalid default.</exception>
    public SelectionResult Select<TModel>(
        ShapeCatalog catalog, LoadProfile profile, in ScoringPolicy policy, Span<ScoredShape> ranking, TModel model)
        where TModel : struct, IPerformanceModel
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(profile);
        if (catalog.IsEmpty)
        {
            ThrowEmptyCatalog();
        }

        if (ranking.IsEmpty)
        {
            ThrowEmptyRanking();
        }

        if (!policy.IsValid)
        {
            ThrowInvalidPolicy();
        }

        var required = profile.PeakQuantile(policy.PeakConfidence) * (1 + policy.Headroom);
        var inputs = new PerformanceInputs(profile.ExpectedMean, required);
        return Rank(catalog, inputs, policy.Tradeoff, policy.Duration.TotalHours, ranking, ref model);
    }

    /// <summary>
    /// Gets the probability that one replica of <paramref name="shape"/> absorbs the window's peak with the policy's
    /// headroom: the peak-coverage figure to report beside a chosen shape.
    /// </summary>
    /// <remarks>
    /// Not computed inside <see cref="Select"/>, because evaluating the profile's CDF for every ranked entry would
    /// cost more than ranking the catalog; call it for the shapes you report.
    /// </remarks>
    /// <param name="shape">The shape.</param>
    /// <param name="profile">The predicted load of one replica.</param>
    /// <param name="policy">The policy whose headroom applies.</param>
    /// <returns>A probability in [0, 1]; at least the policy's peak confidence for a feasible shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> or <paramref name="profile"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="policy"/> is the invalid default, as for <see cref="Select"/>.</exception>
    public static double PeakCoverage(ResourceShape shape, LoadProfile profile, in ScoringPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(profile);
        if (!policy.IsValid)
        {
            ThrowInvalidPolicy();
        }

        var coverage = profile.PeakCoverage(shape.Capacity * (1 / (1 + policy.Headroom)));

        // The CDF does not give back exactly the level its quantile came from, and dividing by 1 + headroom rounds: a
        // feasible shape could report a hair less than the confidence it was chosen at.
        var feasible = (profile.PeakQuantile(policy.PeakConfidence) * (1 + policy.Headroom)).FitsWithin(shape.Capacity);
        return feasible && coverage < policy.PeakConfidence ? policy.PeakConfidence : coverage;
    }

    /// <summary>
    /// Ranks with the scalar loop only, whatever the hardware: lets the tests check that both loops agree.
    /// </summary>
    internal static SelectionResult SelectScalar<TModel>(
        ShapeCatalog catalog, LoadProfile profile, in ScoringPolicy policy, Span<ScoredShape> ranking, TModel model)
        where TModel : struct, IPerformanceModel
    {
        var required = profile.PeakQuantile(policy.PeakConfidence) * (1 + policy.Headroom);
        var inputs = new PerformanceInputs(profile.ExpectedMean, required);
        return RankScalar(catalog, inputs, policy.Tradeoff, policy.Duration.TotalHours, ranking, ref model);
    }

    // Both loops below are NoInlining on purpose. With dynamic PGO the JIT would inline them into a hot caller
    // (Select, and from there into the caller's own method); the caller's inlining budget then runs out, and
    // FitsWithin, the performance model and Clamp01 stay as calls per shape with their arguments spilled through
    // the stack. That made one selection per call 3-4x slower than the same loop compiled on its own (what
    // BenchmarkDotNet measured against a Stopwatch loop). Compiled as its own root, each loop keeps its own budget.
    // They are also AggressiveOptimization: compiled once, fully optimised, without tiering or dynamic PGO. With PGO
    // the loop was laid out for whatever catalog the process happened to rank while it was instrumented; after a
    // warm-up on 5 shapes, a 64-shape ranking took 1.3-1.8x as long as after a warm-up on 64 shapes. A control plane
    // ranks several catalogs, and the first one it sees should not decide how fast it ranks the others.
    private static SelectionResult Rank<TModel>(
        ShapeCatalog catalog, in PerformanceInputs inputs, double tradeoff, double hours, Span<ScoredShape> ranking, ref TModel model)
        where TModel : struct, IPerformanceModel =>
        Vector256.IsHardwareAccelerated
            ? RankVectorized(catalog, inputs, tradeoff, hours, ranking, ref model)
            : RankScalar(catalog, inputs, tradeoff, hours, ranking, ref model);

    /// <summary>
    /// The reference loop, one shape at a time: used when 256-bit vectors are not accelerated.
    /// <see cref="RankVectorized"/> must produce exactly the same result.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static SelectionResult RankScalar<TModel>(
        ShapeCatalog catalog, in PerformanceInputs inputs, double tradeoff, double hours, Span<ScoredShape> ranking, ref TModel model)
        where TModel : struct, IPerformanceModel
    {
        // The loop reads several parallel arrays; indexing through refs lets the JIT drop the bounds checks (the
        // catalog guarantees the arrays have equal length).
        ref var cpu = ref MemoryMarshal.GetReference(catalog.CpuCores);
        ref var memory = ref MemoryMarshal.GetReference(catalog.MemoryGiB);
        ref var storage = ref MemoryMarshal.GetReference(catalog.StorageGiB);
        ref var network = ref MemoryMarshal.GetReference(catalog.NetworkGbps);
        ref var price = ref MemoryMarshal.GetReference(catalog.PricePerHour);
        ref var factor = ref MemoryMarshal.GetReference(catalog.PerformanceFactor);
        ref var inversePrice = ref MemoryMarshal.GetReference(catalog.InversePricePerHour);
        var shapeCount = catalog.Count;
        var required = inputs.RequiredPeak;

        var count = 0;
        var threshold = double.NegativeInfinity;
        var feasible = 0;
        var cheapestFeasiblePrice = 0.0;
        var cheapestInversePrice = 0.0;
        for (var i = 0; i < shapeCount; i++)
        {
            var capacity = new ResourceVector(
                Unsafe.Add(ref cpu, i), Unsafe.Add(ref memory, i), Unsafe.Add(ref storage, i), Unsafe.Add(ref network, i));
            if (!required.FitsWithin(capacity))
            {
                continue;
            }

            // Prices ascend through the catalog, so the first feasible shape is the cheapest feasible one.
            if (feasible++ == 0)
            {
                cheapestFeasiblePrice = Unsafe.Add(ref price, i);
                cheapestInversePrice = Unsafe.Add(ref inversePrice, i);
            }

            var costScore = CostScore(cheapestFeasiblePrice, cheapestInversePrice, Unsafe.Add(ref inversePrice, i));
            if (CannotEnter(threshold, tradeoff, costScore))
            {
                feasible += CountFeasible(catalog, required, i + 1);
                break;
            }

            var performance = Clamp01(model.Score(capacity, Unsafe.Add(ref factor, i), inputs));
            Offer(ranking, ref count, ref threshold, i, (tradeoff * performance) + ((1 - tradeoff) * costScore), performance, costScore, Unsafe.Add(ref price, i) * hours);
        }

        return new SelectionResult(
            feasible == 0 ? SelectionOutcome.NoFeasibleShape : SelectionOutcome.Selected, count, feasible, catalog.Version);
    }

    /// <summary>
    /// The same ranking, four shapes at a time: feasibility, cost score and (for the default model) performance
    /// are computed with 256-bit vectors over the struct-of-arrays, so the only branches left per shape are the
    /// top-k ones. Each lane does exactly the scalar arithmetic in the same order, so scores are bit-identical.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static SelectionResult RankVectorized<TModel>(
        ShapeCatalog catalog, in PerformanceInputs inputs, double tradeoff, double hours, Span<ScoredShape> ranking, ref TModel model)
        where TModel : struct, IPerformanceModel
    {
        // One pointer walks the packed blocks (every column a constant offset from it); price and performance factor
        // are read per ranked shape only, from the catalog's plain arrays.
        ref var block = ref catalog.Blocks.First;
        var blockCount = catalog.Blocks.Count;
        ref var price = ref MemoryMarshal.GetReference(catalog.PricePerHour);
        ref var factor = ref MemoryMarshal.GetReference(catalog.PerformanceFactor);
        var required = new RequiredPeak(inputs.RequiredPeak);
        var defaultModel = new UtilizationPerformanceModel.Vectorized(inputs.ExpectedMean);
        var performanceWeight = Vector256.Create(tradeoff);
        var costWeight = Vector256.Create(1 - tradeoff);
        var cheapestFeasiblePrice = Vector256<double>.Zero;
        var cheapestInversePrice = Vector256<double>.Zero;

        var count = 0;
        var threshold = double.NegativeInfinity;
        var feasible = 0;
        for (var b = 0; b < blockCount; b++, block = ref Unsafe.Add(ref block, ShapeBlocks.Stride))
        {
            // Padding lanes have NaN capacity and never fit, so they never reach the ranking.
            var shapeCpu = ShapeBlocks.Load(ref block, ShapeBlocks.CpuCores);
            var shapeMemory = ShapeBlocks.Load(ref block, ShapeBlocks.MemoryGiB);
            var shapeStorage = ShapeBlocks.Load(ref block, ShapeBlocks.StorageGiB);
            var shapeNetwork = ShapeBlocks.Load(ref block, ShapeBlocks.NetworkGbps);
            var feasibleLanes = required.FitsWithin(shapeCpu, shapeMemory, shapeStorage, shapeNetwork);
            if (feasibleLanes == 0)
            {
                continue;
            }

            var start = b * ShapeBlocks.Lanes;

            // Prices ascend through the catalog, so the first feasible shape is the cheapest feasible one.
            if (feasible == 0)
            {
                var cheapest = BitOperations.TrailingZeroCount(feasibleLanes);
                cheapestFeasiblePrice = Vector256.Create(Unsafe.Add(ref price, start + cheapest));
                cheapestInversePrice = Vector256.Create(Unsafe.Add(ref block, ShapeBlocks.InversePricePerHour + cheapest));
            }

            feasible += BitOperations.PopCount(feasibleLanes);
            var costScores = CostScore(cheapestFeasiblePrice, cheapestInversePrice, ShapeBlocks.Load(ref block, ShapeBlocks.InversePricePerHour));

            // Cost scores only fall through the catalog, so once no feasible shape of a block can beat the last kept
            // entry even with a perfect performance score, no later shape can either (the scalar CannotEnter, lane by lane).
            if ((Vector256.GreaterThan(performanceWeight + (costWeight * costScores), Vector256.Create(threshold))
                    .ExtractMostSignificantBits() & feasibleLanes) == 0)
            {
                feasible += CountFeasible(ref Unsafe.Add(ref block, ShapeBlocks.Stride), blockCount - b - 1, required);
                break;
            }

            Vector256<double> performance;
            if (typeof(TModel) == typeof(UtilizationPerformanceModel))
            {
                // The default model has a vector form, already in [0, 1]; the JIT drops whichever branch does not
                // apply to TModel.
                performance = defaultModel.Score(
                    ShapeBlocks.Load(ref block, ShapeBlocks.InverseReferenceCpu), ShapeBlocks.Load(ref block, ShapeBlocks.InverseMemoryGiB),
                    ShapeBlocks.Load(ref block, ShapeBlocks.InverseStorageGiB), ShapeBlocks.Load(ref block, ShapeBlocks.InverseNetworkGbps));
            }
            else
            {
                performance = Clamp01(
                    ScoreLanes(ref model, feasibleLanes, start, shapeCpu, shapeMemory, shapeStorage, shapeNetwork, ref factor, inputs));
            }

            var scores = (performanceWeight * performance) + (costWeight * costScores);

            // Lanes in shape order, so that on equal scores the shape met first stays ahead, as in the scalar loop.
            var candidates = feasibleLanes & Vector256.GreaterThan(scores, Vector256.Create(threshold)).ExtractMostSignificantBits();

            while (candidates != 0)
            {
                var lane = BitOperations.TrailingZeroCount(candidates);
                candidates &= candidates - 1;
                var i = start + lane;
                Offer(ranking, ref count, ref threshold, i, scores.GetElement(lane), performance.GetElement(lane), costScores.GetElement(lane), Unsafe.Add(ref price, i) * hours);
            }
        }

        return new SelectionResult(
            feasible == 0 ? SelectionOutcome.NoFeasibleShape : SelectionOutcome.Selected, count, feasible, catalog.Version);
    }

    /// <summary>Scores the feasible lanes of a block with a custom model, one call per shape; other lanes get 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> ScoreLanes<TModel>(
        ref TModel model, uint lanes, int start, Vector256<double> shapeCpu, Vector256<double> shapeMemory,
        Vector256<double> shapeStorage, Vector256<double> shapeNetwork, ref double factor, in PerformanceInputs inputs)
        where TModel : struct, IPerformanceModel
    {
        var performance = Vector256<double>.Zero;
        while (lanes != 0)
        {
            var lane = BitOperations.TrailingZeroCount(lanes);
            lanes &= lanes - 1;
            var capacity = new ResourceVector(
                shapeCpu.GetElement(lane), shapeMemory.GetElement(lane), shapeStorage.GetElement(lane), shapeNetwork.GetElement(lane));
            performance = performance.WithElement(lane, model.Score(capacity, Unsafe.Add(ref factor, start + lane), inputs));
        }

        return performance;
    }

    /// <summary>
    /// Whether no shape with this cost score or a lower one can enter the ranking: none can score above
    /// t × 1 + (1 − t) × cost. (The bound is exact in floating point, since rounding is monotone and
    /// performance ≤ 1.)
    /// </summary>
    /// <param name="threshold">The score to beat: the last kept entry's once the ranking is full, −∞ before.</param>
    /// <param name="tradeoff">The policy's trade-off t.</param>
    /// <param name="costScore">The shape's cost score.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool CannotEnter(double threshold, double tradeoff, double costScore) =>
        tradeoff + ((1 - tradeoff) * costScore) <= threshold;

    /// <summary>
    /// Inserts a scored shape into the running top-k if it beats <paramref name="threshold"/>, and raises the
    /// threshold to the last kept score once the ranking is full.
    /// </summary>
    /// <remarks>
    /// The threshold lives in a local rather than being read from the ranking: the loops compare every block
    /// against it, and −∞ until the ranking fills lets them skip the "is it full yet" test (scores are never NaN).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Offer(
        Span<ScoredShape> ranking, ref int count, ref double threshold, int index, double score, double performance, double costScore,
        double costForDuration)
    {
        // Strict comparisons: on equal scores the shape met first (cheaper, then smaller name) stays ahead.
        if (score <= threshold)
        {
            return;
        }

        // Positions stay within [0, ranking.Length), so the entries are reached without bounds checks.
        var position = count < ranking.Length ? count++ : count - 1;
        ref var entries = ref MemoryMarshal.GetReference(ranking);
        while (position > 0 && Unsafe.Add(ref entries, position - 1).Score < score)
        {
            Unsafe.Add(ref entries, position) = Unsafe.Add(ref entries, position - 1);
            position--;
        }

        Unsafe.Add(ref entries, position) = new ScoredShape(index, score, performance, costScore, costForDuration);
        if (count == ranking.Length)
        {
            threshold = Unsafe.Add(ref entries, count - 1).Score;
        }
    }

    /// <summary>Counts the feasible shapes from catalog index <paramref name="start"/> on, one at a time.</summary>
    private static int CountFeasible(ShapeCatalog catalog, ResourceVector required, int start)
    {
        var cpu = catalog.CpuCores;
        var memory = catalog.MemoryGiB;
        var storage = catalog.StorageGiB;
        var network = catalog.NetworkGbps;
        var feasible = 0;
        for (var i = start; i < cpu.Length; i++)
        {
            if (required.FitsWithin(new ResourceVector(cpu[i], memory[i], storage[i], network[i])))
            {
                feasible++;
            }
        }

        return feasible;
    }

    /// <summary>Counts the feasible shapes of <paramref name="blocks"/> packed blocks from <paramref name="block"/> on.</summary>
    private static int CountFeasible(ref double block, int blocks, in RequiredPeak required)
    {
        var feasible = 0;
        for (var b = 0; b < blocks; b++, block = ref Unsafe.Add(ref block, ShapeBlocks.Stride))
        {
            feasible += BitOperations.PopCount(required.FitsWithin(
                ShapeBlocks.Load(ref block, ShapeBlocks.CpuCores), ShapeBlocks.Load(ref block, ShapeBlocks.MemoryGiB),
                ShapeBlocks.Load(ref block, ShapeBlocks.StorageGiB), ShapeBlocks.Load(ref block, ShapeBlocks.NetworkGbps)));
        }

        return feasible;
    }

    /// <summary>
    /// The cost term p_min / p, computed as p_min × (1/p) with the catalog's reciprocals: exactly 1 for a shape whose
    /// reciprocal price is the cheapest feasible one's (p_min × (1/p_min) can round a hair below or above 1), and never
    /// above 1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double CostScore(double cheapestPrice, double cheapestInversePrice, double inversePrice)
    {
        var ratio = cheapestPrice * inversePrice;
        return inversePrice >= cheapestInversePrice || ratio >= 1 ? 1 : ratio;
    }

    /// <summary>The same cost term for four shapes, lane by lane the same operations as the scalar form.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> CostScore(
        Vector256<double> cheapestPrice, Vector256<double> cheapestInversePrice, Vector256<double> inversePrice)
    {
        var ratio = cheapestPrice * inversePrice;
        return Vector256.ConditionalSelect(
            Vector256.GreaterThanOrEqual(inversePrice, cheapestInversePrice) | Vector256.GreaterThanOrEqual(ratio, Vector256<double>.One),
            Vector256<double>.One,
            ratio);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Clamp01(Vector256<double> value) => Vector256.ConditionalSelect(
        Vector256.GreaterThanOrEqual(value, Vector256<double>.Zero),
        Vector256.ConditionalSelect(Vector256.LessThanOrEqual(value, Vector256<double>.One), value, Vector256<double>.One),
        Vector256<double>.Zero); // NaN lands on 0, as in the scalar Clamp01

    /// <summary>The feasibility threshold broadcast per dimension, to test four shapes at once.</summary>
    private readonly struct RequiredPeak(ResourceVector peak)
    {
        private readonly Vector256<double> _cpu = Vector256.Create(peak.CpuCores);
        private readonly Vector256<double> _memory = Vector256.Create(peak.MemoryGiB);
        private readonly Vector256<double> _storage = Vector256.Create(peak.StorageGiB);
        private readonly Vector256<double> _network = Vector256.Create(peak.NetworkGbps);

        /// <summary>Bit j is set when shape j of the block fits the peak in every dimension (as <see cref="ResourceVector.FitsWithin"/>).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public uint FitsWithin(Vector256<double> cpu, Vector256<double> memory, Vector256<double> storage, Vector256<double> network) =>
            (Vector256.LessThanOrEqual(_cpu, cpu) & Vector256.LessThanOrEqual(_memory, memory)
                & Vector256.LessThanOrEqual(_storage, storage) & Vector256.LessThanOrEqual(_network, network)).ExtractMostSignificantBits();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Clamp01(double value) => value >= 0 ? (value <= 1 ? value : 1) : 0; // NaN lands on 0

    private static void ThrowEmptyCatalog() =>
        throw new ArgumentException("The catalog has no shapes; add shapes before selecting.", "catalog");

    private static void ThrowEmptyRanking() =>
        throw new ArgumentException("The ranking span must have room for at least one entry.", "ranking");

    private static void ThrowInvalidPolicy() =>
        throw new ArgumentException("The scoring policy is the invalid default; create it with its constructor or use ScoringPolicy.Default.", "policy");
}
