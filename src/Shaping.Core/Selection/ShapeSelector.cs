using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
    public static double PeakCoverage(ResourceShape shape, LoadProfile profile, in ScoringPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(profile);
        return profile.PeakCoverage(shape.Capacity * (1 / (1 + policy.Headroom)));
    }

    // NoInlining on purpose. With dynamic PGO the JIT inlines this method into a hot caller (Select, and from
    // there into the caller's own method); the caller's inlining budget then runs out, and FitsWithin, the
    // performance model and Clamp01 stay as calls per shape, with their arguments spilled through the stack.
    // That made one selection per call 3-4x slower than the same loop compiled on its own (BenchmarkDotNet's
    // figure versus a Stopwatch loop). Compiled as its own root, the loop gets its own budget.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static SelectionResult Rank<TModel>(
        ShapeCatalog catalog, in PerformanceInputs inputs, double tradeoff, double hours, Span<ScoredShape> ranking, ref TModel model)
        where TModel : struct, IPerformanceModel
    {
        // The loop reads six parallel arrays; indexing through refs lets the JIT drop five bounds checks per
        // shape (the catalog guarantees the arrays have equal length).
        ref var cpu = ref MemoryMarshal.GetReference(catalog.CpuCores);
        ref var memory = ref MemoryMarshal.GetReference(catalog.MemoryGiB);
        ref var storage = ref MemoryMarshal.GetReference(catalog.StorageGiB);
        ref var network = ref MemoryMarshal.GetReference(catalog.NetworkGbps);
        ref var price = ref MemoryMarshal.GetReference(catalog.PricePerHour);
        ref var factor = ref MemoryMarshal.GetReference(catalog.PerformanceFactor);
        ref var inversePrice = ref MemoryMarshal.GetReference(catalog.InversePricePerHour);
        var shapeCount = catalog.Count;
        var required = inputs.RequiredPeak;
        var capacityOfRanking = ranking.Length;

        var count = 0;
        var feasible = 0;
        var cheapestFeasiblePrice = 0.0;
        var i = 0;
        for (; i < shapeCount; i++)
        {
            var capacity = new ResourceVector(
                Unsafe.Add(ref cpu, i), Unsafe.Add(ref memory, i), Unsafe.Add(ref storage, i), Unsafe.Add(ref network, i));
            if (!required.FitsWithin(capacity))
            {
                continue;
            }

            // Prices ascend through the catalog, so the first feasible shape is the cheapest feasible one.
            var shapePrice = Unsafe.Add(ref price, i);
            if (feasible++ == 0)
            {
                cheapestFeasiblePrice = shapePrice;
            }

            // No shape from here on can score above t × 1 + (1 − t) × p_min / p, and p only grows: once that bound
            // cannot beat the last kept entry, the ranking is final. (The bound is exact in floating point, since
            // rounding is monotone and performance ≤ 1.) Only the feasible count is left to finish.
            var ratio = cheapestFeasiblePrice * Unsafe.Add(ref inversePrice, i);
            var costScore = ratio < 1 ? ratio : 1; // p_min × (1/p) can round a hair above 1 when p = p_min
            if (count == capacityOfRanking && tradeoff + ((1 - tradeoff) * costScore) <= ranking[count - 1].Score)
            {
                feasible += CountFeasible(catalog, required, i + 1);
                break;
            }

            var performance = Clamp01(model.Score(capacity, Unsafe.Add(ref factor, i), inputs));
            var score = (tradeoff * performance) + ((1 - tradeoff) * costScore);

            // Strict comparisons: on equal scores the shape met first (cheaper, then smaller name) stays ahead.
            if (count == capacityOfRanking && score <= ranking[count - 1].Score)
            {
                continue;
            }

            var position = count < capacityOfRanking ? count++ : count - 1;
            while (position > 0 && ranking[position - 1].Score < score)
            {
                ranking[position] = ranking[position - 1];
                position--;
            }

            ranking[position] = new ScoredShape(i, score, performance, costScore, shapePrice * hours);
        }

        return new SelectionResult(
            feasible == 0 ? SelectionOutcome.NoFeasibleShape : SelectionOutcome.Selected, count, feasible, catalog.Version);
    }

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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Clamp01(double value) => value >= 0 ? (value <= 1 ? value : 1) : 0; // NaN lands on 0

    private static void ThrowEmptyCatalog() =>
        throw new ArgumentException("The catalog has no shapes; add shapes before selecting.", "catalog");

    private static void ThrowEmptyRanking() =>
        throw new ArgumentException("The ranking span must have room for at least one entry.", "ranking");

    private static void ThrowInvalidPolicy() =>
        throw new ArgumentException("The scoring policy is the invalid default; create it with its constructor or use ScoringPolicy.Default.", "policy");
}
