using FsCheck;
using FsCheck.Fluent;
using Shaping.Core.Prediction;
using Shaping.Core.Resources;
using Shaping.Core.Selection;
using Shaping.Core.Shapes;

namespace Shaping.Core.Tests.Selection;

/// <summary>A random selection problem: shapes (in a random order), a load profile and a policy.</summary>
/// <remarks>
/// Values come from small discrete sets so that equal prices, equal capacities and equal scores are common:
/// the tie-breaking rules get exercised, not just the easy cases.
/// </remarks>
public sealed record SelectionCase(ResourceShape[] Shapes, LoadProfile Profile, ScoringPolicy Policy, int Seed)
{
    private static readonly double[] Cores = [0.5, 1, 2, 4, 8, 16, 32];
    private static readonly double[] Memory = [1, 2, 4, 8, 16, 32, 64, 128];
    private static readonly double[] Storage = [10, 20, 50, 100, 200];
    private static readonly double[] Network = [0.5, 1, 5, 10, 25];
    private static readonly double[] Prices = [0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6];
    private static readonly double[] Factors = [0.8, 1.0, 1.0, 1.2, 1.5];
    private static readonly double[] Tradeoffs = [0, 0.25, 0.5, 0.75, 1];

    public ShapeCatalog Catalog => new(Shapes);

    public static SelectionCase Create(int seed, double? tradeoff = null)
    {
        var random = new Random(seed);
        var count = random.Next(1, 25);
        var shapes = new ResourceShape[count];
        for (var i = 0; i < count; i++)
        {
            shapes[i] = new ResourceShape(
                $"s{random.Next(0, 1000):D3}-{i}",
                new ResourceVector(Pick(random, Cores), Pick(random, Memory), Pick(random, Storage), Pick(random, Network)),
                new ShapeProfile(Pick(random, Prices), Pick(random, Factors)));
        }

        var mean = new ResourceVector(random.NextDouble() * 8, random.NextDouble() * 32, random.NextDouble() * 60, random.NextDouble() * 5);
        Span<QuantileDistribution> means = stackalloc QuantileDistribution[ResourceVector.DimensionCount];
        Span<QuantileDistribution> peaks = stackalloc QuantileDistribution[ResourceVector.DimensionCount];
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            var m = mean[(Dimension)d];
            means[d] = QuantileDistribution.FromUpperQuantiles(m, m, m * 1.05, m * 1.08, m * 1.1);
            var p50 = m * (1 + random.NextDouble());
            peaks[d] = QuantileDistribution.FromUpperQuantiles(p50, p50, p50 * 1.2, p50 * 1.3, p50 * 1.5);
        }

        var profile = new LoadProfile(means, peaks, TimeSpan.FromHours(1), ProfileSource.Manual);
        var policy = new ScoringPolicy(
            tradeoff ?? Pick(random, Tradeoffs), Pick(random, [0, 0.1, 0.25]), Pick(random, [0.5, 0.9, 0.95, 0.99]), TimeSpan.FromHours(2));
        return new SelectionCase(shapes, profile, policy, seed);
    }

    public SelectionCase Shuffled(int seed)
    {
        var copy = (ResourceShape[])Shapes.Clone();
        new Random(seed).Shuffle(copy);
        return this with { Shapes = copy };
    }

    /// <summary>The feasibility threshold, computed independently of the selector.</summary>
    public ResourceVector RequiredPeak => new(
        Profile.Peak(Dimension.Cpu).Quantile(Policy.PeakConfidence) * (1 + Policy.Headroom),
        Profile.Peak(Dimension.Memory).Quantile(Policy.PeakConfidence) * (1 + Policy.Headroom),
        Profile.Peak(Dimension.Storage).Quantile(Policy.PeakConfidence) * (1 + Policy.Headroom),
        Profile.Peak(Dimension.Network).Quantile(Policy.PeakConfidence) * (1 + Policy.Headroom));

    public PerformanceInputs Inputs => new(Profile.ExpectedMean, RequiredPeak);

    public ResourceShape[] Feasible => Shapes.Where(s => RequiredPeak.FitsWithin(s.Capacity)).ToArray();

    public override string ToString() => $"SelectionCase(seed {Seed}, {Shapes.Length} shapes, {Policy})";

    private static double Pick(Random random, double[] values) => values[random.Next(values.Length)];
}

/// <summary>FsCheck generators for selection properties.</summary>
public static class SelectionArbitraries
{
    public static Arbitrary<SelectionCase> Cases() =>
        Gen.Choose(0, int.MaxValue - 1).Select(seed => SelectionCase.Create(seed)).ToArbitrary();
}
