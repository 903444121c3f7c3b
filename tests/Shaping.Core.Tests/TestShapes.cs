using System.Diagnostics.CodeAnalysis;
using Shaping.Core.Prediction;
using Shaping.Core.Resources;
using Shaping.Core.Shapes;

namespace Shaping.Core.Tests;

/// <summary>Shared fixtures: a small catalog and a predictor that answers fixed profiles.</summary>
internal static class TestShapes
{
    public static ResourceShape Small { get; } = new("s-2x8", new ResourceVector(2, 8, 50, 1), new ShapeProfile(0.1));

    public static ResourceShape Medium { get; } = new("m-4x16", new ResourceVector(4, 16, 100, 2), new ShapeProfile(0.2));

    public static ResourceShape Large { get; } = new("l-8x32", new ResourceVector(8, 32, 200, 4), new ShapeProfile(0.4));

    public static ResourceShape XLarge { get; } = new("xl-16x64", new ResourceVector(16, 64, 400, 8), new ShapeProfile(0.8));

    public static ShapeLibrary Library() => new([Small, Medium, Large, XLarge]);

    /// <summary>A region profile whose per-replica peak (for <paramref name="replicas"/>) is <paramref name="perReplicaPeakCores"/> cores.</summary>
    public static LoadProfile RegionProfile(double perReplicaPeakCores, int replicas = 1) => LoadProfile.Exact(
        new ResourceVector(perReplicaPeakCores * 0.5 * replicas, 2 * replicas, 10 * replicas, 0.1 * replicas),
        new ResourceVector(perReplicaPeakCores * replicas, 4 * replicas, 20 * replicas, 0.2 * replicas),
        TimeSpan.FromHours(1));
}

/// <summary>An <see cref="ILoadPredictor"/> that answers a fixed profile per region.</summary>
internal sealed class FixedPredictor : ILoadPredictor
{
    private readonly Dictionary<string, LoadProfile> _profiles = new(StringComparer.Ordinal);

    public FixedPredictor Set(string region, LoadProfile profile)
    {
        _profiles[region] = profile;
        return this;
    }

    public bool TryGetProfile(string region, TimeSpan window, [NotNullWhen(true)] out LoadProfile? profile) =>
        _profiles.TryGetValue(region, out profile);

    public void Observe(string region, DateTimeOffset timestamp, ResourceVector demand)
    {
    }
}
