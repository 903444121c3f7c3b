using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;
using Shaping.Core.Capacity;
using Shaping.Core.ControlPlane;
using Shaping.Core.Prediction;
using Shaping.Core.Provisioning;
using Shaping.Core.Resources;
using Shaping.Core.Shapes;

namespace Shaping.Benchmarks.ControlPlane;

/// <summary>
/// One replica request end to end through the in-memory ports (zero latency, no faults): profile lookup, ranking,
/// reservation, provisioning, commit and inventory; then the replicas and the reservation are released so that
/// every operation starts from the same state. Two predictors: a precomputed profile (what the forecasting
/// engine serves) and the decaying-histogram recommender, which computes the profile on each lookup.
/// </summary>
[MemoryDiagnoser]
public class ReplicaRequestBenchmarks
{
    private static readonly ResourceShape[] Shapes =
    [
        new("s-2x8", new ResourceVector(2, 8, 50, 1), new ShapeProfile(0.1)),
        new("m-4x16", new ResourceVector(4, 16, 100, 2), new ShapeProfile(0.2)),
        new("c-8x16", new ResourceVector(8, 16, 100, 4), new ShapeProfile(0.34, 1.2)),
        new("l-8x32", new ResourceVector(8, 32, 200, 4), new ShapeProfile(0.4)),
        new("xl-16x64", new ResourceVector(16, 64, 400, 8), new ShapeProfile(0.8)),
    ];

    private ReplicaRequestHandler _handler = null!;
    private InMemoryCapacityLedger _ledger = null!;
    private InMemoryRegion _region = null!;
    private ReplicaInventory _inventory = null!;
    private long _next;

    [Params("precomputed", "decaying-histogram")]
    public string Predictor { get; set; } = "precomputed";

    [GlobalSetup]
    public void Setup()
    {
        ILoadPredictor predictor;
        if (Predictor == "precomputed")
        {
            predictor = new PrecomputedPredictor(LoadProfile.Exact(new ResourceVector(3, 10, 40, 1), new ResourceVector(6, 20, 60, 2), TimeSpan.FromHours(1)));
        }
        else
        {
            var histogram = new DecayingHistogramPredictor();
            var start = DateTimeOffset.UtcNow.AddDays(-2);
            var random = new Random(42);
            for (var i = 0; i < 576; i++)
            {
                histogram.Observe("eu", start.AddMinutes(5 * i), new ResourceVector(2 + (4 * random.NextDouble()), 12, 50, 1.5));
            }

            predictor = histogram;
        }

        _ledger = new InMemoryCapacityLedger([new("eu", new ResourceVector(10_000, 40_000, 400_000, 10_000))], finishedRetention: TimeSpan.Zero);
        _region = new InMemoryRegion("eu") { ForgetReleasedKeys = true };
        _inventory = new ReplicaInventory();
        _handler = new ReplicaRequestHandler(
            new ShapeLibrary(Shapes), predictor, _ledger, _region, _inventory,
            new ReplicaRequestHandlerOptions { RetryDelay = TimeSpan.Zero });
        if (!Run().IsProvisioned)
        {
            throw new InvalidOperationException("The benchmark request should provision.");
        }
    }

    [Benchmark(Description = "Request + release, 2 replicas")]
    public ReplicaResult RequestAndRelease() => Run();

    private ReplicaResult Run()
    {
        var request = new ReplicaRequest("eu", 2, TimeSpan.FromHours(1), "req-" + (++_next).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var result = Complete(_handler.HandleAsync(request));
        foreach (var replicaId in result.ReplicaIds)
        {
            Complete(_region.ReleaseAsync("eu", replicaId)); // completes synchronously: zero latency
            if (_inventory.Remove(replicaId) is { } vacated)
            {
                Complete(_ledger.ReleaseAsync(vacated));
            }
        }

        return result;
    }

    private static T Complete<T>(ValueTask<T> pending) =>
        pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

    private sealed class PrecomputedPredictor(LoadProfile profile) : ILoadPredictor
    {
        public bool TryGetProfile(string region, TimeSpan window, [NotNullWhen(true)] out LoadProfile? result)
        {
            result = profile;
            return true;
        }

        public void Observe(string region, DateTimeOffset timestamp, ResourceVector demand)
        {
        }
    }
}
