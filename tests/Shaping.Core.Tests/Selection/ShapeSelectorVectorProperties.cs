using FsCheck.Xunit;
using Shaping.Core.Prediction;
using Shaping.Core.Resources;
using Shaping.Core.Selection;
using Shaping.Core.Shapes;

namespace Shaping.Core.Tests.Selection;

/// <summary>
/// The selector's vector loop (four shapes at a time) must give exactly what its scalar reference loop gives:
/// the same counts and the same entries, bit for bit, for the default model and for a custom one.
/// </summary>
[Properties(Arbitrary = [typeof(SelectionArbitraries)], MaxTest = 250)]
public sealed class ShapeSelectorVectorProperties
{
    private static readonly ShapeSelector Selector = new();

    [Property]
    public bool DefaultModel_VectorLoopEqualsScalarLoop(SelectionCase selectionCase, byte copies, byte depth) =>
        SameRanking(Widen(selectionCase, copies), depth, default(UtilizationPerformanceModel));

    [Property]
    public bool CustomModel_VectorLoopEqualsScalarLoop(SelectionCase selectionCase, byte copies, byte depth) =>
        SameRanking(Widen(selectionCase, copies), depth, new UnrulyModel());

    [Property]
    public bool DefaultModel_ZeroLoadsAndZeroCapacities_VectorLoopEqualsScalarLoop(SelectionCase selectionCase, byte copies, byte depth, int seed) =>
        SameRanking(WithZeros(Widen(selectionCase, copies), seed), depth, default(UtilizationPerformanceModel));

    [Fact]
    public void VectorLoop_CatalogNotAMultipleOfFour_SeesEveryShapeOnceAndNoPadding()
    {
        // Seven shapes: the second block has one padding lane, which must never be counted or ranked.
        var shapes = Enumerable.Range(0, 7)
            .Select(i => new ResourceShape($"s{i}", new ResourceVector(4, 16, 100, 10), new ShapeProfile(0.1 * (i + 1))))
            .ToArray();
        var catalog = new ShapeCatalog(shapes);
        var policy = new ScoringPolicy(0, 0, 0.95, TimeSpan.FromHours(1));
        var profile = SelectionCase.Create(1).Profile.Scale(0.01);
        var ranking = new ScoredShape[10];

        var result = Selector.Select(catalog, profile, policy, ranking);

        Assert.Equal(7, result.FeasibleCount);
        Assert.Equal(7, result.Count);
        Assert.Equal(Enumerable.Range(0, 7), ranking[..7].Select(e => e.Index));
    }

    private static bool SameRanking<TModel>(SelectionCase selectionCase, byte depth, TModel model)
        where TModel : struct, IPerformanceModel
    {
        var catalog = selectionCase.Catalog;
        var k = 1 + (depth % 12);
        var vector = new ScoredShape[k];
        var scalar = new ScoredShape[k];
        var vectorResult = Selector.Select(catalog, selectionCase.Profile, selectionCase.Policy, vector, model);
        var scalarResult = ShapeSelector.SelectScalar(catalog, selectionCase.Profile, selectionCase.Policy, scalar, model);
        return vectorResult == scalarResult && vector.AsSpan().SequenceEqual(scalar);
    }

    /// <summary>Repeats the case's shapes (renamed, with nudged prices) to reach catalogs of up to about 100 shapes.</summary>
    private static SelectionCase Widen(SelectionCase selectionCase, byte copies)
    {
        var shapes = Enumerable.Range(0, 1 + (copies % 5))
            .SelectMany(copy => selectionCase.Shapes.Select(s => copy == 0 ? s : new ResourceShape(
                $"{s.Name}-c{copy}", s.Capacity, new ShapeProfile(s.PricePerHour * (1 + (copy % 2 * 0.5)), s.Profile.PerformanceFactor))))
            .ToArray();
        return selectionCase with { Shapes = shapes };
    }

    /// <summary>
    /// Zeroes some dimensions of some shapes' capacities, and gives some dimensions of the profile no load, or a mean
    /// load with a zero peak median (so shapes without that resource are feasible and have load on it): the edge cases
    /// where the vector form of the default model leaves a dimension out or divides by zero.
    /// </summary>
    private static SelectionCase WithZeros(SelectionCase selectionCase, int seed)
    {
        var random = new Random(seed);
        var shapes = selectionCase.Shapes.Select(s => new ResourceShape(s.Name, ZeroSome(s.Capacity, random), s.Profile)).ToArray();

        Span<QuantileDistribution> means = stackalloc QuantileDistribution[ResourceVector.DimensionCount];
        Span<QuantileDistribution> peaks = stackalloc QuantileDistribution[ResourceVector.DimensionCount];
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            var mean = selectionCase.Profile.Mean((Dimension)d);
            var peak = selectionCase.Profile.Peak((Dimension)d);
            (means[d], peaks[d]) = random.Next(3) switch
            {
                0 => (QuantileDistribution.FromUpperQuantiles(0, 0, 0, 0, 0), QuantileDistribution.FromUpperQuantiles(0, 0, 0, 0, 0)),
                1 => (QuantileDistribution.FromUpperQuantiles(mean.Mean, 0, 0, 0, mean.Mean * 3), QuantileDistribution.FromUpperQuantiles(0, 0, 0, 0, 0)),
                _ => (mean, peak),
            };
        }

        var profile = new LoadProfile(means, peaks, selectionCase.Profile.Window, ProfileSource.Manual);
        return selectionCase with { Shapes = shapes, Profile = profile };
    }

    /// <summary>Zeroes each dimension with probability ¼, keeping the CPU if all four would go (a shape needs some capacity).</summary>
    private static ResourceVector ZeroSome(ResourceVector capacity, Random random)
    {
        var zeroed = new ResourceVector(
            random.Next(4) == 0 ? 0 : capacity.CpuCores,
            random.Next(4) == 0 ? 0 : capacity.MemoryGiB,
            random.Next(4) == 0 ? 0 : capacity.StorageGiB,
            random.Next(4) == 0 ? 0 : capacity.NetworkGbps);
        return zeroed == ResourceVector.Zero ? zeroed with { CpuCores = capacity.CpuCores } : zeroed;
    }

    /// <summary>A model that leaves [0, 1] and returns NaN, so the clamp of both loops is exercised.</summary>
    private readonly struct UnrulyModel : IPerformanceModel
    {
        public double Score(in ResourceVector capacity, double performanceFactor, in PerformanceInputs inputs) =>
            capacity.NetworkGbps switch
            {
                >= 25 => double.NaN,
                >= 10 => 1.5,
                _ => (capacity.CpuCores * performanceFactor / 8) - (inputs.ExpectedMean.MemoryGiB / 64),
            };
    }
}
