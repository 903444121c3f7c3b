using System.Runtime.CompilerServices;
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

        var headroomFactor = 1 + policy.Headroom;
        var required = profile.PeakQuantile(policy.PeakConfidence) * headroomFactor;
        var inputs = new PerformanceInputs(profile.ExpectedMean, required);

        var result = Rank(catalog, inputs, policy.Tradeoff, policy.Duration.TotalHours, ranking, ref model);

        // Coverage needs the profile's CDF: worth it only for the few shapes that made the ranking.
        for (var r = 0; r < result.Count; r++)
        {
            ref var entry = ref ranking[r];
            var capacity = CapacityAt(catalog, entry.Index);
            entry = entry with { PeakCoverage = profile.PeakCoverage(capacity * (1 / headroomFactor)) };
        }

        return result;
    }

    private static SelectionResult Rank<TModel>(
        ShapeCatalog catalog, in PerformanceInputs inputs, double tradeoff, double hours, Span<ScoredShape> ranking, ref TModel model)
        where TModel : struct, IPerformanceModel
    {
        var cpu = catalog.CpuCores;
        var memory = catalog.MemoryGiB;
        var storage = catalog.StorageGiB;
        var network = catalog.NetworkGbps;
        var price = catalog.PricePerHour;
        var factor = catalog.PerformanceFactor;
        var required = inputs.RequiredPeak;
        var capacityOfRanking = ranking.Length;

        var count = 0;
        var feasible = 0;
        var cheapestFeasiblePrice = 0.0;
        for (var i = 0; i < price.Length; i++)
        {
            if (cpu[i] < required.CpuCores || memory[i] < required.MemoryGiB
                || storage[i] < required.StorageGiB || network[i] < required.NetworkGbps)
            {
                continue;
            }

            // Prices ascend through the catalog, so the first feasible shape is the cheapest feasible one.
            if (feasible++ == 0)
            {
                cheapestFeasiblePrice = price[i];
            }

            var performance = Clamp01(model.Score(new ResourceVector(cpu[i], memory[i], storage[i], network[i]), factor[i], inputs));
            var costScore = cheapestFeasiblePrice / price[i];
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

            ranking[position] = new ScoredShape(i, score, performance, costScore, 0, price[i] * hours);
        }

        return new SelectionResult(
            feasible == 0 ? SelectionOutcome.NoFeasibleShape : SelectionOutcome.Selected, count, feasible, catalog.Version);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Clamp01(double value) => value >= 0 ? (value <= 1 ? value : 1) : 0; // NaN lands on 0

    private static ResourceVector CapacityAt(ShapeCatalog catalog, int index) => new(
        catalog.CpuCores[index], catalog.MemoryGiB[index], catalog.StorageGiB[index], catalog.NetworkGbps[index]);

    private static void ThrowEmptyCatalog() =>
        throw new ArgumentException("The catalog has no shapes; add shapes before selecting.", "catalog");

    private static void ThrowEmptyRanking() =>
        throw new ArgumentException("The ranking span must have room for at least one entry.", "ranking");

    private static void ThrowInvalidPolicy() =>
        throw new ArgumentException("The scoring policy is the invalid default; create it with its constructor or use ScoringPolicy.Default.", "policy");
}
