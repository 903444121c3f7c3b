using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Shaping.Core.Capacity;
using Shaping.Core.ControlPlane;
using Shaping.Core.Provisioning;
using Shaping.Core.Resources;

namespace Shaping.Core.Tests.ControlPlane;

/// <summary>A run of requests against in-memory regions with random faults.</summary>
/// <param name="Seed">Seeds the regions' fault draws and the request mix.</param>
/// <param name="TransientPercent">Transient failure rate of every call, in percent.</param>
/// <param name="LostPercent">Rate of calls that act and lose their answer, in percent.</param>
/// <param name="Outages">Bit i: "eu" is down for request i; bit i + 16: "us" is down for request i.</param>
/// <param name="CancelMask">Bit i: request i is cancelled by the caller during its first provisioning call.</param>
public sealed record FaultScenario(int Seed, int TransientPercent, int LostPercent, int Outages, int CancelMask);

/// <summary>Requests in a region with room for a few of them, while answers get lost, with resubmissions in between.</summary>
/// <param name="Seed">Seeds the regions' fault draws and the order of requests and resubmissions.</param>
/// <param name="LostPercent">Rate of calls that act and lose their answer, in percent, during the steps that lose answers.</param>
/// <param name="EuSlots">How many requests of 2 × m fit in "eu".</param>
/// <param name="ExpireMask">Bit i: the fake clock passes the reservation time to live after step i.</param>
public sealed record ResubmissionScenario(int Seed, int LostPercent, int EuSlots, int ExpireMask);

public static class FaultArbitraries
{
    public static Arbitrary<ResubmissionScenario> Resubmissions() =>
        (from seed in Gen.Choose(0, int.MaxValue)
         from lost in Gen.Choose(20, 100)
         from slots in Gen.Choose(1, 3)
         from expire in Gen.Choose(0, 0xFFFF)
         from expireToo in Gen.Choose(0, 0xFFFF)
         select new ResubmissionScenario(seed, lost, slots, expire & expireToo)).ToArbitrary();

    public static Arbitrary<FaultScenario> Scenario() =>
        (from seed in Gen.Choose(0, int.MaxValue)
         from transient in Gen.Choose(0, 60)
         from lost in Gen.Choose(0, 30)
         from outages in Gen.Choose(0, int.MaxValue)
         from cancel in Gen.Choose(0, 0xFFFF)
         from cancelToo in Gen.Choose(0, 0xFFFF)
         select new FaultScenario(seed, transient, lost, outages, cancel & cancelToo)).ToArbitrary(); // ~1 request in 4 cancelled
}

[Properties(Arbitrary = [typeof(FaultArbitraries)], MaxTest = 150)]
public sealed class ReplicaRequestHandlerFaultProperties
{
    private const int Requests = 16;

    // A fixed replay (odd gamma, see TOOLCHAIN.md) keeps CI deterministic; drop Replay locally to explore new seeds.
    [Property(Replay = "(12052239579198047514,3456654686896308667)")]
    public bool RandomFaults_EveryRequestTypedNoLeakNoDoubleProvisioning(FaultScenario scenario)
    {
        var cancellers = new CancellingProvisioner[1];
        var f = new HandlerFixture(
            new ReplicaRequestHandlerOptions { MaxAttempts = 4, MaxProvisionRetries = 2, RankingDepth = 3 },
            wrap: p => cancellers[0] = new CancellingProvisioner(p),
            seed: scenario.Seed);
        f.Eu.TransientFailureRate = f.Us.TransientFailureRate = scenario.TransientPercent / 100.0;
        f.Eu.LostResponseRate = f.Us.LostResponseRate = scenario.LostPercent / 100.0;
        var random = new Random(scenario.Seed);

        var requests = new List<ReplicaRequest>();
        var results = new List<ReplicaResult>();
        for (var i = 0; i < Requests; i++)
        {
            f.Eu.IsOutage = (scenario.Outages & (1 << i)) != 0;
            f.Us.IsOutage = (scenario.Outages & (1 << (i + 16))) != 0 && i < 15;
            using var cts = new CancellationTokenSource();
            cancellers[0].CancelOnNextCall = (scenario.CancelMask & (1 << i)) != 0 ? cts : null;
            var request = HandlerFixture.Request($"req-{i}", replicas: random.Next(1, 4), tradeoff: random.NextDouble(), failover: "us");
            var result = f.Handler.HandleAsync(request, cts.Token).AsTask().GetAwaiter().GetResult();
            requests.Add(request);
            results.Add(result);
            AssertRunningReplicasCovered(f); // an unknown outcome keeps its hold: no region is oversubscribed meanwhile
        }

        // Once the regions answer again, resubmitting each request whose outcome was unknown settles it.
        f.Eu.TransientFailureRate = f.Us.TransientFailureRate = f.Eu.LostResponseRate = f.Us.LostResponseRate = 0;
        f.Eu.IsOutage = f.Us.IsOutage = false;
        cancellers[0].CancelOnNextCall = null;
        for (var i = 0; i < Requests; i++)
        {
            if (results[i].IsOutcomeUnknown)
            {
                results[i] = f.Handler.HandleAsync(requests[i]).AsTask().GetAwaiter().GetResult();
            }
        }

        // 1. Every request ends in a typed, defined result, known once resubmitted.
        Assert.All(results, r => Assert.True(Enum.IsDefined(r.Outcome)));
        Assert.All(results.Where(r => r.IsProvisioned), r => Assert.NotNull(r.Shape));
        Assert.All(results, r => Assert.False(r.IsOutcomeUnknown));

        // 2. No reservation is left held: each is committed (for provisioned replicas) or released.
        Assert.Equal(0, f.Ledger.CountHeld());
        foreach (var result in results.Where(r => r.IsProvisioned))
        {
            Assert.True(f.Ledger.TryGetReservation(result.Reservation!.Value, out var reservation));
            Assert.Equal(ReservationState.Committed, reservation.State);
            Assert.True((result.Shape!.Capacity * result.Replicas).FitsWithin(reservation.Request.Total));
        }

        // 3. No idempotency key ever provisioned twice.
        Assert.All(f.Eu.GetProvisionEffects().Values.Concat(f.Us.GetProvisionEffects().Values), n => Assert.Equal(1, n));

        // 4. The ledger's committed capacity is exactly the provisioned results' reservations, region by region: none
        // leaked. (A rollback that keeps replicas it could not release in a full region keeps the request's whole
        // reservation for them, so a reservation may exceed its replicas.)
        foreach (var region in new[] { "eu", "us" })
        {
            var expected = results.Where(r => r.IsProvisioned && r.Region == region)
                .Select(r => r.Reservation!.Value)
                .Distinct()
                .Aggregate(ResourceVector.Zero, (sum, id) => f.Ledger.TryGetReservation(id, out var reservation) ? sum + reservation.Request.Total : sum);
            var committed = f.Capacity(region).Committed;
            Assert.Equal(expected.CpuCores, committed.CpuCores, 9);
            Assert.Equal(expected.MemoryGiB, committed.MemoryGiB, 9);
        }

        // 5. The inventory holds exactly the provisioned results' replicas.
        Assert.Equal(
            results.SelectMany(r => r.ReplicaIds).Order(StringComparer.Ordinal),
            f.Inventory.Snapshot().Select(r => r.ReplicaId).Order(StringComparer.Ordinal));

        // 6. Per request: the regions run exactly its result's replicas (none when it failed).
        var keys = f.Eu.GetReplicaKeys().Concat(f.Us.GetReplicaKeys()).ToList();
        for (var i = 0; i < Requests; i++)
        {
            var running = keys.Where(k => k.Value.StartsWith($"req-{i}/", StringComparison.Ordinal)).Select(k => k.Key);
            Assert.Equal(results[i].ReplicaIds.Order(StringComparer.Ordinal), running.Order(StringComparer.Ordinal));
        }

        return true;
    }

    // A fixed replay keeps CI deterministic; drop Replay locally to explore new seeds.
    [Property(MaxTest = 100, Replay = "(7310577,2026112901)")]
    public bool LostAnswersAndResubmissions_NoRegionOversubscribedNoRequestProvisionedTwice(ResubmissionScenario scenario)
    {
        var f = new HandlerFixture(new ReplicaRequestHandlerOptions { MaxAttempts = 4, MaxProvisionRetries = 1, RankingDepth = 2 }, seed: scenario.Seed);
        f.Ledger.SetRegionCapacity("eu", TestShapes.Medium.Capacity * 2 * scenario.EuSlots);
        f.Ledger.SetRegionCapacity("us", TestShapes.Medium.Capacity * 2 * 4);
        var random = new Random(scenario.Seed);
        var unknown = new List<ReplicaRequest>();
        var expired = new HashSet<string>(StringComparer.Ordinal); // unknown outcomes whose hold has expired
        for (var step = 0; step < 14; step++)
        {
            f.Eu.LostResponseRate = f.Us.LostResponseRate = random.Next(3) == 0 ? 0 : scenario.LostPercent / 100.0;
            var request = unknown.Count > 0 && random.Next(2) == 0
                ? unknown[random.Next(unknown.Count)]
                : HandlerFixture.Request($"req-{step}", failover: "us");
            var result = f.Handler.HandleAsync(request).AsTask().GetAwaiter().GetResult();
            unknown.RemoveAll(r => ReferenceEquals(r, request));
            if (result.IsOutcomeUnknown)
            {
                unknown.Add(request); // a replay that stays unknown keeps the (possibly expired) hold it had
            }
            else
            {
                expired.Remove(request.IdempotencyKey);
            }

            AssertRunningReplicasCovered(f, except: expired);
            AssertNoRequestProvisionedTwice(f);
            if ((scenario.ExpireMask & (1 << step)) != 0)
            {
                // Holds of unknown outcomes expire while their replicas may run: those go uncounted until resubmitted.
                f.Time.Advance(TimeSpan.FromMinutes(6));
                expired.UnionWith(unknown.Select(r => r.IdempotencyKey));
            }
        }

        f.Eu.LostResponseRate = f.Us.LostResponseRate = 0;
        foreach (var request in unknown)
        {
            Assert.False(f.Handler.HandleAsync(request).AsTask().GetAwaiter().GetResult().IsOutcomeUnknown);
        }

        AssertNoRequestProvisionedTwice(f);
        f.AssertConsistent();
        return true;
    }

    [Fact]
    public void Resubmission_Generator_CoversExpiryAndFullRegions()
    {
        var sample = Gen.Sample(FaultArbitraries.Resubmissions().Generator, 200);
        Assert.Contains(sample, s => s.EuSlots == 1 && s.ExpireMask != 0);
        Assert.Contains(sample, s => s.LostPercent > 80);
    }

    [Fact]
    public void Scenario_Generator_CoversFaultsAndCancellation()
    {
        var sample = Gen.Sample(FaultArbitraries.Scenario().Generator, 200);
        Assert.Contains(sample, s => s.TransientPercent > 30 && s.LostPercent > 10);
        Assert.Contains(sample, s => s.CancelMask != 0);
    }

    /// <summary>
    /// Every running replica's capacity is counted by the ledger, region by region (held or committed), except the
    /// replicas of requests in <paramref name="except"/> (unknown outcomes whose hold expired): the regions are never
    /// oversubscribed by replicas the handler lost track of.
    /// </summary>
    private static void AssertRunningReplicasCovered(HandlerFixture f, HashSet<string>? except = null)
    {
        foreach (var (region, provisioner) in new[] { ("eu", f.Eu), ("us", f.Us) })
        {
            var keys = provisioner.GetReplicaKeys();
            var running = provisioner.GetReplicas()
                .Where(r => except is null || !except.Contains(RequestKey(keys[r.Key])))
                .Aggregate(ResourceVector.Zero, (sum, replica) => sum + replica.Value.Capacity);
            var used = f.Capacity(region).Used;
            Assert.True(running.CpuCores <= used.CpuCores + 1e-9, $"{region} runs {running.CpuCores} cores; the ledger counts {used.CpuCores}.");
            Assert.True(running.MemoryGiB <= used.MemoryGiB + 1e-9, $"{region} runs {running.MemoryGiB} GiB; the ledger counts {used.MemoryGiB}.");
        }
    }

    /// <summary>The replicas running for one request idempotency key were all created under one provisioning key, once.</summary>
    private static void AssertNoRequestProvisionedTwice(HandlerFixture f)
    {
        var keys = f.Eu.GetReplicaKeys().Values.Concat(f.Us.GetReplicaKeys().Values).Distinct(StringComparer.Ordinal);
        foreach (var perRequest in keys.GroupBy(RequestKey, StringComparer.Ordinal))
        {
            Assert.True(perRequest.Count() == 1, $"Request {perRequest.Key} runs replicas under {string.Join(", ", perRequest)}.");
        }

        Assert.All(f.Eu.GetProvisionEffects().Values.Concat(f.Us.GetProvisionEffects().Values), n => Assert.Equal(1, n));
    }

    /// <summary>The request idempotency key a provisioning key (<c>{request key}/{region}/{shape}@{revision}</c>) derives from.</summary>
    private static string RequestKey(string provisioningKey) => provisioningKey[..provisioningKey.IndexOf('/', StringComparison.Ordinal)];

    /// <summary>Cancels the caller's token as a provisioning call starts, then forwards the call.</summary>
    private sealed class CancellingProvisioner(IProvisioner inner) : IProvisioner
    {
        public CancellationTokenSource? CancelOnNextCall { get; set; }

        public ValueTask<ProvisionResult> ProvisionAsync(ProvisionRequest request, CancellationToken cancellationToken = default)
        {
            if (CancelOnNextCall is { } cts)
            {
                CancelOnNextCall = null;
                cts.Cancel();
                cancellationToken.ThrowIfCancellationRequested();
            }

            return inner.ProvisionAsync(request, cancellationToken);
        }

        public ValueTask<ProvisionResult> ResizeAsync(ResizeRequest request, CancellationToken cancellationToken = default) =>
            inner.ResizeAsync(request, cancellationToken);

        public ValueTask<ProvisionResult> ReleaseAsync(string region, string replicaId, CancellationToken cancellationToken = default) =>
            inner.ReleaseAsync(region, replicaId, cancellationToken);
    }
}
