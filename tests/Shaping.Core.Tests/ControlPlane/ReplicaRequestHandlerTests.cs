using Microsoft.Extensions.Time.Testing;
using Shaping.Core.Capacity;
using Shaping.Core.ControlPlane;
using Shaping.Core.Prediction;
using Shaping.Core.Provisioning;
using Shaping.Core.Resources;
using Step = Shaping.Core.Tests.ScriptedProvisioner.Step;

namespace Shaping.Core.Tests.ControlPlane;

public sealed class ReplicaRequestHandlerTests
{
    [Fact]
    public async Task HandleAsync_Feasible_ProvisionsCheapestFeasibleCommitsAndRecords()
    {
        var f = new HandlerFixture();
        var result = await f.Handler.HandleAsync(HandlerFixture.Request());

        Assert.Equal(ReplicaOutcome.Provisioned, result.Outcome);
        Assert.Equal(TestShapes.Medium, result.Shape);
        Assert.Equal("eu", result.Region);
        Assert.Equal(2, result.Replicas);
        Assert.Equal(1, result.Attempts);
        Assert.Equal(0.2, result.PricePerHour);
        Assert.Equal(0.4, result.TotalPricePerHour, 12);
        Assert.Equal(0.4, result.CostForDuration, 12);
        Assert.Equal(1.0, result.Score.Score, 12); // tradeoff 0: the cheapest feasible scores 1
        Assert.Equal(1.0, result.PeakCoverage); // 4 cores / 1.1 headroom absorb an exact 3-core peak
        Assert.Equal(3, result.Profile!.Peak(Dimension.Cpu).P50, 12); // the region's 6 cores split over 2 replicas
        Assert.True(f.Ledger.TryGetReservation(result.Reservation!.Value, out var reservation));
        Assert.Equal(ReservationState.Committed, reservation.State);
        Assert.Equal(TestShapes.Medium.Capacity * 2, f.Capacity("eu").Committed);
        Assert.Equal(2, f.Inventory.Count);
        Assert.Equal(result.ReplicaIds.Order(StringComparer.Ordinal), f.Eu.GetReplicas().Keys.Order(StringComparer.Ordinal));
        f.AssertConsistent();
    }

    [Fact]
    public async Task HandleAsync_RequestAndRegionNamesWithSlashes_ProvisionUnderDistinctKeys()
    {
        // Request "a/x" in region "eu" and request "a" in region "x/eu": with the names written into the key as they
        // are, both provisioned under "a/x/eu/medium@1", which an adapter with one key store for all regions answers
        // with the first request's replicas.
        var time = new FakeTimeProvider(HandlerFixture.Epoch);
        var ledger = new InMemoryCapacityLedger([new("eu", HandlerFixture.RegionTotal), new("x/eu", HandlerFixture.RegionTotal)], time);
        var predictor = new FixedPredictor()
            .Set("eu", TestShapes.RegionProfile(3, replicas: 2))
            .Set("x/eu", TestShapes.RegionProfile(3, replicas: 2));
        var keys = new List<string>();
        var regions = new RegionalProvisioner(new InMemoryRegion("eu", 0, time), new InMemoryRegion("x/eu", 1, time));
        var provisioner = new KeyRecordingProvisioner(regions, keys);
        var handler = new ReplicaRequestHandler(
            TestShapes.Library(), predictor, ledger, provisioner, new ReplicaInventory(), new ReplicaRequestHandlerOptions { RetryDelay = TimeSpan.Zero }, timeProvider: time);

        var first = await handler.HandleAsync(new ReplicaRequest("eu", 2, TimeSpan.FromHours(1), "a/x") { Tradeoff = 0 });
        var second = await handler.HandleAsync(new ReplicaRequest("x/eu", 2, TimeSpan.FromHours(1), "a") { Tradeoff = 0 });

        Assert.Equal(ReplicaOutcome.Provisioned, first.Outcome);
        Assert.Equal(ReplicaOutcome.Provisioned, second.Outcome);
        var shape = $"{TestShapes.Medium.Name}@{TestShapes.Medium.Revision}";
        Assert.Equal([$"a/x/eu/{shape}", $"a/x%2Feu/{shape}"], keys);
    }

    private sealed class KeyRecordingProvisioner(IProvisioner inner, List<string> keys) : IProvisioner
    {
        public ValueTask<ProvisionResult> ProvisionAsync(ProvisionRequest request, CancellationToken cancellationToken = default)
        {
            keys.Add(request.IdempotencyKey);
            return inner.ProvisionAsync(request, cancellationToken);
        }

        public ValueTask<ProvisionResult> ResizeAsync(ResizeRequest request, CancellationToken cancellationToken = default) =>
            inner.ResizeAsync(request, cancellationToken);

        public ValueTask<ProvisionResult> ReleaseAsync(string region, string replicaId, CancellationToken cancellationToken = default) =>
            inner.ReleaseAsync(region, replicaId, cancellationToken);
    }

    [Fact]
    public async Task HandleAsync_TradeoffOne_PicksBestPerformingShape()
    {
        var f = new HandlerFixture();
        var result = await f.Handler.HandleAsync(HandlerFixture.Request(tradeoff: 1));
        Assert.Equal(TestShapes.XLarge, result.Shape);
    }

    [Fact]
    public async Task HandleAsync_UnknownRegionProfile_NoPrediction()
    {
        var f = new HandlerFixture();
        var result = await f.Handler.HandleAsync(new ReplicaRequest("ap", 1, TimeSpan.FromHours(1), "k"));
        Assert.Equal(ReplicaOutcome.NoPrediction, result.Outcome);
        Assert.Equal(0, result.Attempts);
        Assert.False(result.IsProvisioned);
        Assert.Empty(result.ReplicaIds);
    }

    [Fact]
    public async Task HandleAsync_PeakAboveEveryShape_NoFeasibleShape()
    {
        var f = new HandlerFixture();
        f.Predictor.Set("eu", TestShapes.RegionProfile(100));
        var result = await f.Handler.HandleAsync(HandlerFixture.Request(replicas: 1));
        Assert.Equal(ReplicaOutcome.NoFeasibleShape, result.Outcome);
        f.AssertConsistent();
    }

    [Fact]
    public async Task HandleAsync_BestShapeLacksCapacity_FallsBackToNextRanked()
    {
        var f = new HandlerFixture();
        f.Ledger.SetRegionCapacity("eu", HandlerFixture.RegionTotal with { CpuCores = 20 }); // 2 × XL (32 cores) no, 2 × L (16) yes
        var result = await f.Handler.HandleAsync(HandlerFixture.Request(tradeoff: 1));
        Assert.Equal(TestShapes.Large, result.Shape);
        Assert.Equal(2, result.Attempts);
        f.AssertConsistent();
    }

    [Fact]
    public async Task HandleAsync_ReplicasBeyondWhatALedgerCanHold_IsNoCapacityNotAnException()
    {
        // int.MaxValue replicas of any shape exceed CapacityLimits.MaxAmount in some dimension: no ledger can reserve
        // them, which is a capacity answer, not a bug in the request.
        var f = new HandlerFixture();

        var result = await f.Handler.HandleAsync(HandlerFixture.Request("A", replicas: int.MaxValue));

        Assert.Equal(ReplicaOutcome.NoCapacity, result.Outcome);
        Assert.Contains("CapacityLimits.MaxAmount", result.Message, StringComparison.Ordinal);
        Assert.Equal(0, f.Eu.TotalProvisionEffects);
        f.AssertConsistent();
    }

    [Fact]
    public async Task HandleAsync_NoRegionHasCapacity_NoCapacityWithinMaxAttempts()
    {
        var f = new HandlerFixture(new ReplicaRequestHandlerOptions { MaxAttempts = 3 });
        f.Ledger.SetRegionCapacity("eu", new ResourceVector(1, 1, 1, 1));
        f.Ledger.SetRegionCapacity("us", new ResourceVector(1, 1, 1, 1));
        var result = await f.Handler.HandleAsync(HandlerFixture.Request(failover: "us"));
        Assert.Equal(ReplicaOutcome.NoCapacity, result.Outcome);
        Assert.Equal(3, result.Attempts);
        f.AssertConsistent();
    }

    [Fact]
    public async Task HandleAsync_PrimaryRegionDown_FailsOverAndReleasesPrimaryReservation()
    {
        var f = new HandlerFixture();
        f.Eu.IsOutage = true;
        var result = await f.Handler.HandleAsync(HandlerFixture.Request(failover: "us"));
        Assert.Equal(ReplicaOutcome.Provisioned, result.Outcome);
        Assert.Equal("us", result.Region);
        Assert.Equal(2, result.Attempts);
        Assert.Equal(HandlerFixture.RegionTotal, f.Capacity("eu").Free);
        f.AssertConsistent();
    }

    [Fact]
    public async Task HandleAsync_PrimaryRegionNoProvisionerServes_FailsOverAtOnce()
    {
        // The ledger knows "eu" but the routing provisioner serves only "us": that is a region this control plane cannot
        // reach, so the request fails over after one attempt instead of trying every ranked shape in "eu".
        var us = new InMemoryRegion("us");
        var f = new HandlerFixture(wrap: _ => new RegionalProvisioner(us));
        var result = await f.Handler.HandleAsync(HandlerFixture.Request(failover: "us"));
        Assert.Equal(ReplicaOutcome.Provisioned, result.Outcome);
        Assert.Equal("us", result.Region);
        Assert.Equal(2, result.Attempts);
        Assert.Equal(HandlerFixture.RegionTotal, f.Capacity("eu").Free);
    }

    [Fact]
    public async Task HandleAsync_IdempotencyKeyLongerThanALedgerStores_ReservesUnderAShortIdAndProvisions()
    {
        // The PostgreSQL ledger refuses ids over 1,024 UTF-8 bytes (ArgumentException); a client's key has no limit, so
        // the handler must keep its reservation ids short rather than throw out of HandleAsync.
        var ids = new List<ReservationId>();
        var f = new HandlerFixture(wrapLedger: l => new IdLengthLimitedLedger(l, 1024, ids));
        var key = string.Concat(Enumerable.Repeat("order-é-", 400)); // 3,600 UTF-8 bytes

        var result = await f.Handler.HandleAsync(HandlerFixture.Request(key));
        var again = await f.Handler.HandleAsync(HandlerFixture.Request(key));

        Assert.True(result.IsProvisioned, result.Message);
        Assert.Equal(result.ReplicaIds, again.ReplicaIds);
        Assert.NotEmpty(ids);
        Assert.All(ids, id => Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(id.Value), 1, 1024));
        f.AssertConsistent();
    }

    private sealed class IdLengthLimitedLedger(ICapacityLedger inner, int maxBytes, List<ReservationId> seen) : ICapacityLedger
    {
        public ValueTask<LedgerResult> TryReserveAsync(ReservationRequest request, CancellationToken cancellationToken = default)
        {
            seen.Add(request.Id);
            return System.Text.Encoding.UTF8.GetByteCount(request.Id.Value) > maxBytes
                ? throw new ArgumentException($"The reservation id is longer than {maxBytes} UTF-8 bytes.", nameof(request))
                : inner.TryReserveAsync(request, cancellationToken);
        }

        public ValueTask<LedgerResult> CommitAsync(ReservationId id, CancellationToken cancellationToken = default) => inner.CommitAsync(id, cancellationToken);

        public ValueTask<LedgerResult> ReleaseAsync(ReservationId id, CancellationToken cancellationToken = default) => inner.ReleaseAsync(id, cancellationToken);

        public ValueTask<int> ReclaimExpiredAsync(CancellationToken cancellationToken = default) => inner.ReclaimExpiredAsync(cancellationToken);

        public ValueTask<ResourceVector?> GetFreeCapacityAsync(string region, CancellationToken cancellationToken = default) =>
            inner.GetFreeCapacityAsync(region, cancellationToken);
    }

    [Fact]
    public async Task HandleAsync_PrimaryDownNoFailover_ProvisioningFailed()
    {
        var f = new HandlerFixture();
        f.Eu.IsOutage = true;
        var result = await f.Handler.HandleAsync(HandlerFixture.Request());
        Assert.Equal(ReplicaOutcome.ProvisioningFailed, result.Outcome);
        Assert.False(result.IsOutcomeUnknown);
        f.AssertConsistent();
    }

    [Fact]
    public async Task HandleAsync_LostAnswers_RetriesWithSameKeyAndProvisionsOnce()
    {
        ScriptedProvisioner? scripted = null;
        var f = new HandlerFixture(wrap: p => scripted = new ScriptedProvisioner(p).Then(Step.LostAnswer, Step.Transient));
        var result = await f.Handler.HandleAsync(HandlerFixture.Request());
        Assert.Equal(ReplicaOutcome.Provisioned, result.Outcome);
        Assert.Equal(3, scripted!.ProvisionCalls);
        Assert.Equal(1, f.Eu.TotalProvisionEffects);
        Assert.Single(f.Eu.GetProvisionEffects());
        f.AssertConsistent();
    }

    [Fact]
    public async Task HandleAsync_AmbiguousAndRetriesExhausted_StopsWithOutcomeUnknown()
    {
        var f = new HandlerFixture(
            new ReplicaRequestHandlerOptions { MaxProvisionRetries = 1 },
            wrap: p => new ScriptedProvisioner(p).Then(Step.Transient, Step.Outage));
        var result = await f.Handler.HandleAsync(HandlerFixture.Request(failover: "us"));
        Assert.Equal(ReplicaOutcome.ProvisioningFailed, result.Outcome);
        Assert.True(result.IsOutcomeUnknown);
        Assert.Equal(1, result.Attempts); // no other shape or region was tried
        Assert.Equal(0, f.Us.ReplicaCount);
        Assert.Equal(TestShapes.Medium.Capacity * 2, f.Capacity("eu").Held); // kept: replicas may exist under the key

        var resubmitted = await f.Handler.HandleAsync(HandlerFixture.Request(failover: "us")); // the region answers again
        Assert.True(resubmitted.IsProvisioned);
        Assert.Equal("eu", resubmitted.Region);
        f.AssertConsistent();
    }

    [Fact]
    public async Task HandleAsync_ShapeRejected_FallsBackToNextShape()
    {
        var f = new HandlerFixture(wrap: p => new ScriptedProvisioner(p).Then(Step.Reject));
        var result = await f.Handler.HandleAsync(HandlerFixture.Request());
        Assert.Equal(TestShapes.Large, result.Shape);
        Assert.Equal(2, result.Attempts);
        f.AssertConsistent();
    }

    [Fact]
    public async Task HandleAsync_CancelledBefore_CancelledAndNothingHeld()
    {
        var f = new HandlerFixture();
        var result = await f.Handler.HandleAsync(HandlerFixture.Request(), new CancellationToken(true));
        Assert.Equal(ReplicaOutcome.Cancelled, result.Outcome);
        Assert.Equal(0, f.Eu.TotalProvisionEffects);
        Assert.Equal(HandlerFixture.RegionTotal, f.Capacity("eu").Free);
    }

    [Fact]
    public async Task HandleAsync_CancelledAfterProvisionSucceeded_RollsBackReplicasAndReservation()
    {
        using var cts = new CancellationTokenSource();
        var f = new HandlerFixture(wrap: p => new ScriptedProvisioner(p) { CancelOnStep = cts }.Then(Step.CancelAfterEffect));
        var result = await f.Handler.HandleAsync(HandlerFixture.Request(), cts.Token);
        Assert.Equal(ReplicaOutcome.Cancelled, result.Outcome);
        Assert.False(result.IsOutcomeUnknown);
        Assert.Equal(0, f.Eu.ReplicaCount);
        Assert.Equal(1, f.Eu.TotalProvisionEffects);
        Assert.Equal(HandlerFixture.RegionTotal, f.Capacity("eu").Free);
        f.AssertConsistent();
    }

    [Fact]
    public async Task HandleAsync_CancelledDuringProvisioningLatency_SettlesAndRollsBack()
    {
        var f = new HandlerFixture();
        f.Eu.Latency = TimeSpan.FromSeconds(1);
        using var cts = new CancellationTokenSource();
        var pending = f.Handler.HandleAsync(HandlerFixture.Request(), cts.Token).AsTask();
        Assert.False(pending.IsCompleted);
        await cts.CancelAsync();
        var result = await f.Time.RunUntilDone(pending);

        Assert.Equal(ReplicaOutcome.Cancelled, result.Outcome);
        Assert.False(result.IsOutcomeUnknown);
        Assert.Equal(0, f.Eu.ReplicaCount);
        Assert.True(f.Eu.TotalProvisionEffects <= 1);
        Assert.Equal(HandlerFixture.RegionTotal, f.Capacity("eu").Free);
        f.AssertConsistent();
    }

    [Fact]
    public async Task HandleAsync_ReservationExpiresDuringProvisioning_ReservesAgainAndCommits()
    {
        var f = new HandlerFixture(new ReplicaRequestHandlerOptions { ReservationTimeToLive = TimeSpan.FromMinutes(1) });
        f.Eu.Latency = TimeSpan.FromMinutes(2);
        var result = await f.Time.RunUntilDone(f.Handler.HandleAsync(HandlerFixture.Request()).AsTask());
        Assert.Equal(ReplicaOutcome.Provisioned, result.Outcome);
        Assert.Contains("expired", result.Message, StringComparison.Ordinal);
        f.AssertConsistent();
    }

    [Fact]
    public async Task HandleAsync_SameRequestTwice_SameReplicasAccountedOnce()
    {
        var f = new HandlerFixture();
        var first = await f.Handler.HandleAsync(HandlerFixture.Request());
        var second = await f.Handler.HandleAsync(HandlerFixture.Request());
        Assert.Equal(ReplicaOutcome.Provisioned, second.Outcome);
        Assert.Equal(first.ReplicaIds, second.ReplicaIds);
        Assert.Equal(first.Reservation, second.Reservation);
        Assert.Equal(1, f.Eu.TotalProvisionEffects);
        Assert.Equal(TestShapes.Medium.Capacity * 2, f.Capacity("eu").Committed);
        f.AssertConsistent();
    }

    [Fact]
    public async Task HandleAsync_WithDecayingHistogramPredictor_ProvisionsForObservedLoad()
    {
        // The predictor's clock is the fixture's: on the system clock these observations would turn stale a day later.
        var predictor = new DecayingHistogramPredictor(timeProvider: new FakeTimeProvider(HandlerFixture.Epoch));
        var start = HandlerFixture.Epoch.AddDays(-1);
        for (var i = 0; i < 288; i++)
        {
            predictor.Observe("eu", start.AddMinutes(5 * i), new ResourceVector(5 + (i % 3), 20, 30, 0.5));
        }

        var f = new HandlerFixture(predictor: predictor);
        var result = await f.Handler.HandleAsync(HandlerFixture.Request(replicas: 1));
        Assert.Equal(ReplicaOutcome.Provisioned, result.Outcome);
        Assert.Equal(TestShapes.Large, result.Shape); // peak 7 cores × 1.1 headroom needs 8 cores
        Assert.Equal(ProfileSource.Observed, result.Profile!.Source);
    }

    [Fact]
    public async Task HandleAsync_ConcurrentRequestsForScarceCapacity_NeverOversubscribedAndConsistent()
    {
        var f = new HandlerFixture(new ReplicaRequestHandlerOptions { RankingDepth = 1 });
        f.Ledger.SetRegionCapacity("eu", TestShapes.Medium.Capacity * 2 * 5); // room for exactly 5 requests of 2 × m-4x16
        f.Ledger.SetRegionCapacity("us", TestShapes.Medium.Capacity * 2 * 3); // and 3 more after failover
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, 24).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await f.Handler.HandleAsync(HandlerFixture.Request($"c{i}", failover: "us"));
        })).ToArray();
        start.Set();
        var results = await Task.WhenAll(tasks);

        Assert.Equal(5, results.Count(r => r.IsProvisioned && r.Region == "eu"));
        Assert.Equal(3, results.Count(r => r.IsProvisioned && r.Region == "us"));
        Assert.All(results.Where(r => !r.IsProvisioned), r => Assert.Equal(ReplicaOutcome.NoCapacity, r.Outcome));
        Assert.Equal(ResourceVector.Zero, f.Capacity("eu").Free);
        f.AssertConsistent();
    }

    [Fact]
    public async Task HandleAsync_FallbackProfile_ProvisionsAndSaysSo()
    {
        var predictor = new DecayingHistogramPredictor(timeProvider: new FakeTimeProvider(HandlerFixture.Epoch));
        predictor.Observe("eu", HandlerFixture.Epoch.AddDays(-1), new ResourceVector(3, 8, 20, 0.5));
        var f = new HandlerFixture(predictor: predictor);
        var result = await f.Handler.HandleAsync(HandlerFixture.Request(replicas: 1));
        Assert.Equal(ReplicaOutcome.Provisioned, result.Outcome);
        Assert.True(result.Profile!.IsFallback);
        Assert.Contains("fallback", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowNamingTheSetting()
    {
        var f = new HandlerFixture();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ReplicaRequestHandler(
            f.Library, f.Predictor, f.Ledger, f.Provisioner, f.Inventory, new ReplicaRequestHandlerOptions { RankingDepth = 17 }));
        Assert.Contains("RankingDepth", error.Message, StringComparison.Ordinal);
        Assert.Equal("options", error.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplicaRequestHandler(
            f.Library, f.Predictor, f.Ledger, f.Provisioner, f.Inventory, new ReplicaRequestHandlerOptions { MaxAttempts = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplicaRequestHandler(
            f.Library, f.Predictor, f.Ledger, f.Provisioner, f.Inventory, new ReplicaRequestHandlerOptions { ReservationTimeToLive = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplicaRequestHandler(
            f.Library, f.Predictor, f.Ledger, f.Provisioner, f.Inventory, new ReplicaRequestHandlerOptions { DefaultPolicy = default }));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public async Task HandleAsync_RegionMissing_ThrowsNamingTheMember(string? region)
    {
        var f = new HandlerFixture();
        var error = await Assert.ThrowsAsync<ArgumentException>(async () =>
            await f.Handler.HandleAsync(new ReplicaRequest(region!, 1, TimeSpan.FromHours(1), "k")));
        Assert.Equal("request", error.ParamName);
        Assert.StartsWith("ReplicaRequest.Region must not be empty", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public async Task HandleAsync_IdempotencyKeyMissing_ThrowsNamingTheMember(string? key)
    {
        var f = new HandlerFixture();
        var error = await Assert.ThrowsAsync<ArgumentException>(async () =>
            await f.Handler.HandleAsync(new ReplicaRequest("eu", 1, TimeSpan.FromHours(1), key!)));
        Assert.Equal("request", error.ParamName);
        Assert.StartsWith("ReplicaRequest.IdempotencyKey must not be empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_InvalidRequest_Throws()
    {
        var f = new HandlerFixture();
        await Assert.ThrowsAsync<ArgumentException>(async () => await f.Handler.HandleAsync(HandlerFixture.Request(replicas: 0)));
        await Assert.ThrowsAsync<ArgumentException>(async () => await f.Handler.HandleAsync(HandlerFixture.Request(key: "")));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await f.Handler.HandleAsync(HandlerFixture.Request(tradeoff: 2)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
            await f.Handler.HandleAsync(new ReplicaRequest("eu", 1, TimeSpan.Zero, "k")));
    }
}
