using Shaping.Core.Prediction;
using Shaping.Core.Resources;
using Shaping.Core.Selection;
using Shaping.Core.Shapes;

namespace Shaping.Benchmarks.Selection;

/// <summary>
/// The seed's pseudocode transcribed literally, kept here as the benchmark baseline: keep the shapes whose
/// capacity covers the predicted peak, put each one's score <c>performance × tradeoff + (1 − tradeoff) × (1 / cost)</c>
/// in a dictionary, sort the dictionary by score, take the first.
/// </summary>
/// <remarks>
/// The performance term uses the same <see cref="UtilizationPerformanceModel"/> as the real selector so the two
/// do the same arithmetic per shape; what differs is the data layout, the dictionary, the LINQ sort and the
/// allocations.
/// </remarks>
public static class LiteralSeedSelector
{
    public static ResourceShape? Select(IReadOnlyList<ResourceShape> shapes, LoadProfile profile, ScoringPolicy policy)
    {
        var predictedPeak = profile.PeakQuantile(policy.PeakConfidence) * (1 + policy.Headroom);
        var inputs = new PerformanceInputs(profile.ExpectedMean, predictedPeak);
        var model = default(UtilizationPerformanceModel);

        var feasible = shapes.Where(shape => predictedPeak.FitsWithin(shape.Capacity)).ToList();
        var scores = new Dictionary<string, double>();
        foreach (var shape in feasible)
        {
            var performance = model.Score(shape.Capacity, shape.Profile.PerformanceFactor, inputs);
            scores[shape.Name] = (performance * policy.Tradeoff) + ((1 - policy.Tradeoff) * (1 / shape.PricePerHour));
        }

        var sorted = scores.OrderByDescending(pair => pair.Value).ToList();
        return sorted.Count == 0 ? null : feasible.Find(shape => shape.Name == sorted[0].Key);
    }
}
