using System.Globalization;
using Shaping.Core.Prediction;
using Shaping.Core.Resources;
using Shaping.Core.Selection;
using Shaping.Core.Shapes;

namespace Shaping.Samples.Simulator;

/// <summary>
/// The earlier selector demo, kept as the <c>rank</c> command: ranks the catalog's shapes for a few representative
/// per-replica load profiles at three cost/performance trade-offs and prints the rankings with their scores.
/// </summary>
internal static class RankCommand
{
    /// <summary>Prints the rankings; returns the exit code (1, with one line naming the catalog file, when the catalog is unusable).</summary>
    public static int Run(FileInfo? catalogFile) => SimulateCommand.ReportingInputErrors(() => RunCore(catalogFile));

    private static int RunCore(FileInfo? catalogFile)
    {
        var catalog = SimulateCommand.LoadCatalog(catalogFile);
        var selector = new ShapeSelector();
        var ranking = new ScoredShape[5];

        Console.WriteLine($"Shaping selector demo: {catalog.Count} shapes (catalog v{catalog.Version}, {(catalogFile?.ToString() ?? "embedded default")})");
        Console.WriteLine();

        foreach (var (name, profile) in Scenarios())
        {
            Console.WriteLine($"== {name}");
            Console.WriteLine($"   expected mean: {profile.ExpectedMean}");
            Console.WriteLine($"   P95 peak:      {profile.PeakQuantile(0.95)}");
            foreach (var tradeoff in new[] { 0.0, 0.5, 1.0 })
            {
                var policy = new ScoringPolicy(tradeoff, headroom: 0.15, peakConfidence: 0.95, duration: TimeSpan.FromHours(24));
                var result = selector.Select(catalog, profile, policy, ranking);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   trade-off {tradeoff:0.0}: {result.FeasibleCount} of {catalog.Count} shapes feasible"));
                if (!result.IsSuccess)
                {
                    Console.WriteLine("      no shape covers the P95 peak with 15% headroom: the request would be refused (NoFeasibleShape)");
                    continue;
                }

                Console.WriteLine("      rank  shape       score   perf    cost   coverage  $/24h");
                for (var i = 0; i < result.Count; i++)
                {
                    var entry = ranking[i];
                    var coverage = ShapeSelector.PeakCoverage(catalog[entry.Index], profile, policy);
                    Console.WriteLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $"      {i + 1,4}  {catalog[entry.Index].Name,-10} {entry.Score,6:0.000}  {entry.PerformanceScore,5:0.000}  {entry.CostScore,5:0.000}  {coverage,8:0.000}  {entry.CostForDuration,5:0.00}"));
                }
            }

            Console.WriteLine();
        }
        return 0;
    }

    private static IEnumerable<(string Name, LoadProfile Profile)> Scenarios()
    {
        yield return ("steady web front end (CPU-bound, narrow peak)", Profile(
            mean: new ResourceVector(1.2, 2.5, 8, 0.4), peakMedian: new ResourceVector(1.8, 3, 8, 0.8), peakSpread: 0.15));
        yield return ("bursty API (wide peak distribution)", Profile(
            mean: new ResourceVector(1.5, 3, 10, 1), peakMedian: new ResourceVector(3, 4, 10, 2.5), peakSpread: 0.5));
        yield return ("in-memory cache (memory-bound)", Profile(
            mean: new ResourceVector(0.8, 20, 20, 1.5), peakMedian: new ResourceVector(1.2, 24, 20, 3), peakSpread: 0.1));
        yield return ("oversized batch job (nothing fits)", Profile(
            mean: new ResourceVector(20, 100, 300, 5), peakMedian: new ResourceVector(30, 120, 300, 8), peakSpread: 0.2));
    }

    private static LoadProfile Profile(ResourceVector mean, ResourceVector peakMedian, double peakSpread)
    {
        Span<QuantileDistribution> means = stackalloc QuantileDistribution[ResourceVector.DimensionCount];
        Span<QuantileDistribution> peaks = stackalloc QuantileDistribution[ResourceVector.DimensionCount];
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            var m = mean[(Dimension)d];
            var p = peakMedian[(Dimension)d];
            means[d] = QuantileDistribution.FromUpperQuantiles(m, m, m * 1.05, m * 1.07, m * 1.1);
            // Peak quantiles of a spread s: P90 = median·(1 + s), P95 = median·(1 + 1.3s), P99 = median·(1 + 1.8s).
            peaks[d] = QuantileDistribution.FromUpperQuantiles(p, p, p * (1 + peakSpread), p * (1 + (1.3 * peakSpread)), p * (1 + (1.8 * peakSpread)));
        }

        return new LoadProfile(means, peaks, TimeSpan.FromHours(24), ProfileSource.Manual, "sample scenario");
    }
}
