using Shaping.Core.Prediction;
using Shaping.Core.Resources;
using Shaping.Core.Shapes;

namespace Shaping.Benchmarks.Selection;

/// <summary>Deterministic catalogs and profiles for the selection benchmarks.</summary>
public static class BenchmarkCatalogs
{
    private static readonly double[] Cores = [0.5, 1, 2, 4, 8, 16, 32, 48, 64, 96];
    private static readonly double[] MemoryPerCore = [1, 2, 4, 8];

    /// <summary>A catalog of <paramref name="count"/> shapes spread over families and sizes, from a fixed seed.</summary>
    public static ShapeCatalog Create(int count, int seed = 42)
    {
        var random = new Random(seed);
        var shapes = new ResourceShape[count];
        for (var i = 0; i < count; i++)
        {
            // Sizes cycle through the ladder so that even a 5-shape catalog spans small to large.
            var cores = Cores[i % Cores.Length];
            var memory = cores * MemoryPerCore[random.Next(MemoryPerCore.Length)];
            var storage = 20 * (1 + random.Next(50));
            var network = Math.Round(0.5 + (cores * random.NextDouble()), 2);
            var factor = 0.8 + (0.7 * random.NextDouble());
            var price = Math.Round((0.02 * cores * factor) + (0.004 * memory) + (0.0001 * storage) + (0.002 * network), 5);
            shapes[i] = new ResourceShape($"shape-{i:D4}", new ResourceVector(cores, memory, storage, network), new ShapeProfile(price, factor));
        }

        return new ShapeCatalog(shapes);
    }

    /// <summary>A medium load with some uncertainty: a peak of about 3 cores, 12 GiB, 100 GiB and 1.6 Gbps with headroom.</summary>
    public static LoadProfile Profile()
    {
        Span<QuantileDistribution> mean = stackalloc QuantileDistribution[ResourceVector.DimensionCount];
        Span<QuantileDistribution> peak = stackalloc QuantileDistribution[ResourceVector.DimensionCount];
        ReadOnlySpan<double> means = [1.5, 6, 50, 0.8];
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            var m = means[d];
            mean[d] = QuantileDistribution.FromUpperQuantiles(m, m, m * 1.1, m * 1.15, m * 1.25);
            peak[d] = QuantileDistribution.FromUpperQuantiles(m * 1.4, m * 1.4, m * 1.7, m * 1.8, m * 2.1);
        }

        return new LoadProfile(mean, peak, TimeSpan.FromHours(1), ProfileSource.Forecast);
    }
}
