using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Shaping.Core.ControlPlane;
using Shaping.Core.Provisioning;

namespace Shaping.Core.Tests.ControlPlane;

/// <summary>Requests under a few idempotency keys, some cancelled after the region acted, with restarts in between.</summary>
/// <param name="Seed">Seeds the order of the keys.</param>
/// <param name="CancelMask">Bit i: step i is cancelled by the caller once its first provisioning call took effect.</param>
/// <param name="StuckMask">Bit i: during step i, the region releases one replica and then can release no other.</param>
/// <param name="RestartMask">Bit i: the control plane restarts (a new handler) after step i.</param>
public sealed record RestartScenario(int Seed, int CancelMask, int StuckMask, int RestartMask);

public static class RestartArbitraries
{
    public static Arbitrary<RestartScenario> Scenario() =>
        (from seed in Gen.Choose(0, int.MaxValue)
         from cancel in Gen.Choose(0, 0xFFFF)
         from stuck in Gen.Choose(0, 0xFFFF)
         from restart in Gen.Choose(0, 0xFFFF)
         select new RestartScenario(seed, cancel, stuck, restart)).ToArbitrary();
}

[Properties(Arbitrary = [typeof(RestartArbitraries)], MaxTest = 100)]
public sealed class ReplicaRequestHandlerRestartProperties
{
    private const int Steps = 14;
    private const int Keys = 4;

    // A fixed replay (odd gamma) keeps CI deterministic; drop Replay locally to explore new seeds.
    [Property(Replay = "(20261129,7654321)")]
    public bool CancellationsAndRestarts_ProvisionedReplicasAlwaysRun_NoRequestLeftWithOrphans(RestartScenario scenario)
    {
        var faults = new FaultyProvisioner[1];
        var f = new HandlerFixture(wrap: inner => faults[0] = new FaultyProvisioner(inner));
        var random = new Random(scenario.Seed);
        for (var step = 0; step < Steps; step++)
        {
            var key = random.Next(Keys);
            using var cts = new CancellationTokenSource();
            faults[0].CancelAfterEffect = (scenario.CancelMask & (1 << step)) != 0 ? cts : null;
            faults[0].ReleasesAllowed = (scenario.StuckMask & (1 << step)) != 0 ? 1 : int.MaxValue;
            var result = f.Handler.HandleAsync(Request(key), cts.Token).AsTask().GetAwaiter().GetResult();
            faults[0].CancelAfterEffect = null;
            faults[0].ReleasesAllowed = int.MaxValue;

            Assert.False(result.IsOutcomeUnknown, result.Message);
            AssertRunning(f, result);
            if ((scenario.RestartMask & (1 << step)) != 0)
            {
                f.Restart();
            }
        }

        // Without faults, each key's request ends provisioned on running replicas, and they are all that run for it:
        // nothing released is counted, nothing provisioned for it is left over.
        for (var key = 0; key < Keys; key++)
        {
            var result = f.Handler.HandleAsync(Request(key)).AsTask().GetAwaiter().GetResult();
            Assert.True(result.IsProvisioned, result.Message);
            AssertRunning(f, result);
            var running = f.Eu.GetReplicaKeys().Where(k => k.Value.StartsWith($"k{key}/", StringComparison.Ordinal)).Select(k => k.Key);
            Assert.Equal(result.ReplicaIds.Order(StringComparer.Ordinal), running.Order(StringComparer.Ordinal));
        }

        Assert.All(f.Eu.GetProvisionEffects().Values, n => Assert.Equal(1, n));
        Assert.Equal(0, f.Ledger.CountHeld());
        return true;
    }

    [Fact]
    public void Scenario_Generator_CoversCancellationsStuckReleasesAndRestarts()
    {
        var sample = Gen.Sample(RestartArbitraries.Scenario().Generator, 200);
        Assert.Contains(sample, s => (s.CancelMask & s.StuckMask & s.RestartMask) != 0);
    }

    private static ReplicaRequest Request(int key) => HandlerFixture.Request($"k{key}", replicas: 1 + (key % 3));

    private static void AssertRunning(HandlerFixture f, ReplicaResult result) =>
        Assert.All(result.ReplicaIds, id => Assert.True(f.Eu.GetReplicas().ContainsKey(id), $"{id} is in a result but does not run"));

    private sealed class FaultyProvisioner(IProvisioner inner) : IProvisioner
    {
        public CancellationTokenSource? CancelAfterEffect { get; set; }

        public int ReleasesAllowed { get; set; } = int.MaxValue;

        public async ValueTask<ProvisionResult> ProvisionAsync(ProvisionRequest request, CancellationToken cancellationToken = default)
        {
            var answer = await inner.ProvisionAsync(request, cancellationToken);
            if (CancelAfterEffect is { } cts)
            {
                CancelAfterEffect = null;
                await cts.CancelAsync();
            }

            return answer;
        }

        public ValueTask<ProvisionResult> ResizeAsync(ResizeRequest request, CancellationToken cancellationToken = default) =>
            inner.ResizeAsync(request, cancellationToken);

        public ValueTask<ProvisionResult> ReleaseAsync(string region, string replicaId, CancellationToken cancellationToken = default)
        {
            if (ReleasesAllowed <= 0)
            {
                return ValueTask.FromResult(ProvisionResult.Failure(ProvisionStatus.TransientFailure, "cannot release now"));
            }

            ReleasesAllowed--;
            return inner.ReleaseAsync(region, replicaId, cancellationToken);
        }
    }
}
