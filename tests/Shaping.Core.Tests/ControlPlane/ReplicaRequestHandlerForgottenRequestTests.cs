using Shaping.Core.Capacity;
using Shaping.Core.ControlPlane;
using LedgerStep = Shaping.Core.Tests.ScriptedLedger.Step;
using Step = Shaping.Core.Tests.ScriptedProvisioner.Step;

namespace Shaping.Core.Tests.ControlPlane;

/// <summary>
/// A resubmission of a completed request that the handler no longer remembers. When the inventory tracks the request's
/// replicas under its key, it answers them without reserving or provisioning. When it tracks them without the key
/// (restored from records persisted before they carried it: <see cref="HandlerFixture.RestartWithoutRequestKeys"/>),
/// the request is served again, and the provisioner answers its key with the first request's replicas: whatever
/// happens to the resubmission, those replicas are the first request's and keep running.
/// </summary>
public sealed class ReplicaRequestHandlerForgottenRequestTests
{
    [Fact]
    public async Task HandleAsync_ForgottenRequestTrackedUnderItsKey_AnswersItsReplicasWithoutReservingOrProvisioning()
    {
        ScriptedLedger? ledger = null;
        ScriptedProvisioner? provisioner = null;
        var f = new HandlerFixture(
            new ReplicaRequestHandlerOptions { CompletedRequestMemory = 0 },
            wrap: p => provisioner = new ScriptedProvisioner(p),
            wrapLedger: l => ledger = new ScriptedLedger(l));
        var first = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        Assert.True(first.IsProvisioned, first.Message);
        var (reserves, provisions) = (ledger!.ReserveCalls, provisioner!.ProvisionCalls);

        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"));

        Assert.True(again.IsProvisioned, again.Message);
        Assert.Equal(first.ReplicaIds, again.ReplicaIds);
        Assert.Equal(first.Shape, again.Shape);
        Assert.Equal(first.Reservation, again.Reservation);
        Assert.Equal("eu", again.Region);
        Assert.Equal(0, again.Attempts);
        Assert.Null(again.Profile); // the inventory does not keep what chose the shape
        Assert.StartsWith("A resubmission of a request that already completed", again.Message, StringComparison.Ordinal);
        Assert.Equal(reserves, ledger.ReserveCalls); // nothing reserved
        Assert.Equal(provisions, provisioner.ProvisionCalls); // nor asked of the region
        Assert.Equal(1, f.Eu.TotalProvisionEffects);
        f.AssertConsistent();
    }

    // Provisioned in the failover region: the resubmission names it among its regions, so it is the same request.
    [Fact]
    public async Task HandleAsync_ForgottenRequestTrackedInItsFailoverRegion_AnswersItsReplicas()
    {
        var f = new HandlerFixture(new ReplicaRequestHandlerOptions { CompletedRequestMemory = 0 });
        f.Ledger.SetRegionCapacity("eu", HandlerFixture.RegionTotal with { CpuCores = 1 }); // no shape fits in eu
        var first = await f.Handler.HandleAsync(HandlerFixture.Request("A", failover: "us"));
        Assert.Equal("us", first.Region);

        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A", failover: "us"));

        Assert.True(again.IsProvisioned, again.Message);
        Assert.Equal("us", again.Region);
        Assert.Equal(first.ReplicaIds, again.ReplicaIds);
        Assert.Equal(0, again.Attempts);
        Assert.Equal(1, f.Us.TotalProvisionEffects);
    }

    // The host released one of the request's two replicas: the resubmission gets the one that runs, and says so.
    [Fact]
    public async Task HandleAsync_ForgottenRequestWithOneReplicaReleased_AnswersTheReplicaStillTracked()
    {
        var f = new HandlerFixture(new ReplicaRequestHandlerOptions { CompletedRequestMemory = 0 });
        var first = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        await f.Eu.ReleaseAsync("eu", first.ReplicaIds[1]);
        Assert.Null(f.Inventory.Remove(first.ReplicaIds[1]));

        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"));

        Assert.True(again.IsProvisioned, again.Message);
        Assert.Equal([first.ReplicaIds[0]], again.ReplicaIds);
        Assert.Contains("1 of the 2 replica(s) requested are tracked", again.Message, StringComparison.Ordinal);
        Assert.Equal(1, f.Eu.TotalProvisionEffects);
    }

    // The key names tracked replicas that the request can't have provisioned: another request reuses it, a caller bug.
    [Theory]
    [InlineData("us", 2)] // another region
    [InlineData("eu", 1)] // fewer replicas than are tracked
    public async Task HandleAsync_KeyOfTrackedReplicasReusedForAnotherRequest_ThrowsAndProvisionsNothing(string region, int replicas)
    {
        var f = new HandlerFixture(new ReplicaRequestHandlerOptions { CompletedRequestMemory = 0 });
        Assert.True((await f.Handler.HandleAsync(HandlerFixture.Request("A"))).IsProvisioned);

        var other = HandlerFixture.Request("A", replicas: replicas) with { Region = region };
        var error = await Assert.ThrowsAsync<ArgumentException>(() => f.Handler.HandleAsync(other).AsTask());

        Assert.Equal("request", error.ParamName);
        Assert.Contains("'A'", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, f.Eu.TotalProvisionEffects + f.Us.TotalProvisionEffects);
        Assert.Equal(2, f.Inventory.Count);
    }

    // Cancelled after the replay answered: the rollback must not release replicas another request's reservation
    // accounts for (they ran on, tracked, with nothing running under their committed reservation).
    [Fact]
    public async Task HandleAsync_ForgottenRequestResubmittedAndCancelledAfterTheAnswer_KeepsTheFirstRequestsReplicas()
    {
        using var cts = new CancellationTokenSource();
        ScriptedProvisioner? scripted = null;
        var f = new HandlerFixture(
            new ReplicaRequestHandlerOptions { CompletedRequestMemory = 0 },
            wrap: p => scripted = new ScriptedProvisioner(p) { CancelOnStep = cts });
        var first = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        Assert.True(first.IsProvisioned);
        f.RestartWithoutRequestKeys();

        scripted!.Then(Step.CancelAfterEffect);
        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"), cts.Token);

        AssertTheFirstRequestsReplicasKept(f, first, again);
    }

    // Cancelled while the replay was in flight: the rollback settles the key (the region answers the first request's
    // replicas) and must not release them either.
    [Fact]
    public async Task HandleAsync_ForgottenRequestResubmittedAndCancelledDuringTheCall_KeepsTheFirstRequestsReplicas()
    {
        var f = new HandlerFixture(new ReplicaRequestHandlerOptions { CompletedRequestMemory = 0 });
        var first = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        Assert.True(first.IsProvisioned);
        f.RestartWithoutRequestKeys();

        f.Eu.Latency = TimeSpan.FromSeconds(1);
        using var cts = new CancellationTokenSource();
        var pending = f.Handler.HandleAsync(HandlerFixture.Request("A"), cts.Token).AsTask();
        await cts.CancelAsync();
        var again = await f.Time.RunUntilDone(pending);

        AssertTheFirstRequestsReplicasKept(f, first, again);
    }

    // The commit after the replay goes unanswered and a new reservation can't be had: the replicas are the first
    // request's, accounted by its reservation, and must not be released for want of capacity.
    [Fact]
    public async Task HandleAsync_ForgottenRequestResubmittedAndItsCommitUnanswered_KeepsTheFirstRequestsReplicas()
    {
        ScriptedLedger? ledger = null;
        var f = new HandlerFixture(
            new ReplicaRequestHandlerOptions { CompletedRequestMemory = 0 },
            wrapLedger: l => ledger = new ScriptedLedger(l));
        var first = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        Assert.True(first.IsProvisioned);
        f.RestartWithoutRequestKeys();

        ledger!.Commits(LedgerStep.Unavailable, LedgerStep.Unavailable, LedgerStep.Unavailable)
            .Reserves(LedgerStep.Through, LedgerStep.Unavailable, LedgerStep.Unavailable, LedgerStep.Unavailable);
        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"));

        AssertTheFirstRequestsReplicasKept(f, first, again);
    }

    // A partial overlap: the host stopped tracking one of the first request's replicas (it still runs), then the
    // forgotten request is resubmitted and cancelled after the replay answered both. The rollback releases only the
    // untracked one: the tracked one is accounted for by the first request's reservation and runs on.
    [Fact]
    public async Task HandleAsync_ForgottenRequestPartlyTrackedResubmittedAndCancelled_ReleasesOnlyTheUntrackedReplica()
    {
        using var cts = new CancellationTokenSource();
        ScriptedProvisioner? scripted = null;
        var f = new HandlerFixture(
            new ReplicaRequestHandlerOptions { CompletedRequestMemory = 0 },
            wrap: p => scripted = new ScriptedProvisioner(p) { CancelOnStep = cts });
        var first = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        var (tracked, untracked) = (first.ReplicaIds[0], first.ReplicaIds[1]);
        Assert.Null(f.Inventory.Remove(untracked)); // the tracked one still occupies the reservation
        f.RestartWithoutRequestKeys();

        scripted!.Then(Step.CancelAfterEffect);
        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"), cts.Token);

        AssertOnlyTheUntrackedReleased(f, tracked, untracked);
        Assert.Equal(ReplicaOutcome.Cancelled, again.Outcome);

        // The key still names the tracked replica: a later resubmission is answered with it alone.
        var later = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        Assert.True(later.IsProvisioned, later.Message);
        Assert.Equal([tracked], later.ReplicaIds);
        Assert.Equal(1, f.Eu.TotalProvisionEffects);
    }

    // The same overlap when the commit goes unanswered and no new reservation can be had: the untracked replica is
    // released for want of capacity, the tracked one is not.
    [Fact]
    public async Task HandleAsync_ForgottenRequestPartlyTrackedResubmittedAndItsCommitUnanswered_ReleasesOnlyTheUntrackedReplica()
    {
        ScriptedLedger? ledger = null;
        var f = new HandlerFixture(
            new ReplicaRequestHandlerOptions { CompletedRequestMemory = 0, MaxAttempts = 1 },
            wrapLedger: l => ledger = new ScriptedLedger(l));
        var first = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        var (tracked, untracked) = (first.ReplicaIds[0], first.ReplicaIds[1]);
        Assert.Null(f.Inventory.Remove(untracked));
        f.RestartWithoutRequestKeys();

        ledger!.Commits(LedgerStep.Unavailable, LedgerStep.Unavailable, LedgerStep.Unavailable)
            .Reserves(LedgerStep.Through, LedgerStep.Unavailable, LedgerStep.Unavailable, LedgerStep.Unavailable);
        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"));

        AssertOnlyTheUntrackedReleased(f, tracked, untracked);
        Assert.Equal(ReplicaOutcome.NoCapacity, again.Outcome);
    }

    private static void AssertOnlyTheUntrackedReleased(HandlerFixture f, string tracked, string untracked)
    {
        Assert.Equal([tracked], f.Eu.GetReplicas().Keys);
        Assert.True(f.Inventory.TryGet(tracked, out var record));
        Assert.True(f.Ledger.TryGetReservation(record.Reservation, out var reservation));
        Assert.Equal(ReservationState.Committed, reservation.State);
        Assert.False(f.Inventory.TryGet(untracked, out _));
        Assert.Equal(0, f.Ledger.CountHeld());
    }

    // The resubmission answered with the first request's replicas, which still run, once, accounted for exactly.
    private static void AssertTheFirstRequestsReplicasKept(HandlerFixture f, ReplicaResult first, ReplicaResult again)
    {
        Assert.Equal(first.ReplicaIds.Order(StringComparer.Ordinal), f.Eu.GetReplicas().Keys.Order(StringComparer.Ordinal));
        Assert.True(again.IsProvisioned, $"{again.Outcome}: {again.Message}");
        Assert.Equal(first.ReplicaIds, again.ReplicaIds);
        Assert.Equal(1, f.Eu.TotalProvisionEffects);
        f.AssertConsistent();
    }

    // Tracked without their request key, the replicas are found only when a resubmission reaches the region under the
    // same provisioning key. That resubmission must give them the key, or every later one is served afresh again, and
    // after the forecast moves (another shape ranks first) it would provision a second set of replicas.
    [Fact]
    public async Task HandleAsync_ForgottenRequestTrackedWithoutItsKey_TheResubmissionGivesTheKeySoTheNextIsAnsweredFromTheInventory()
    {
        var f = new HandlerFixture(new ReplicaRequestHandlerOptions { CompletedRequestMemory = 0 });
        var first = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        Assert.True(first.IsProvisioned, first.Message);
        f.RestartWithoutRequestKeys();
        Assert.False(f.Inventory.TryGetRequestReplicas("A", out _));
        var version = f.Inventory.Version;

        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"));

        Assert.True(again.IsProvisioned, again.Message);
        Assert.Equal(1, again.Attempts); // served through the region, which answered the first replicas
        Assert.True(f.Inventory.TryGetRequestReplicas("A", out var tagged));
        Assert.Equal(first.ReplicaIds, tagged.Select(r => r.ReplicaId));
        Assert.True(f.Inventory.Version > version); // so the host persists the keys
        Assert.All(f.Inventory.Snapshot(), r => Assert.Equal("A", r.RequestKey));

        // The next restart restores the snapshot that now carries the key; meanwhile another shape ranks first.
        f.Predictor.Set("eu", TestShapes.RegionProfile(7, replicas: 2));
        f.Restart(new ReplicaInventory(f.Inventory.Snapshot()));
        var later = await f.Handler.HandleAsync(HandlerFixture.Request("A"));

        Assert.True(later.IsProvisioned, later.Message);
        Assert.Equal(0, later.Attempts);
        Assert.Equal(first.ReplicaIds, later.ReplicaIds);
        Assert.Equal(1, f.Eu.TotalProvisionEffects);
        f.AssertConsistent();
    }

    // Partly tracked without the key (the host stopped tracking one replica, which runs on): the resubmission accounts
    // for the untracked one with its own reservation, and both are the request's afterwards, in the region's order.
    [Fact]
    public async Task HandleAsync_ForgottenRequestPartlyTrackedWithoutItsKey_BothReplicasGetTheKeyInTheRegionsOrder()
    {
        var f = new HandlerFixture(new ReplicaRequestHandlerOptions { CompletedRequestMemory = 0 });
        var first = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        Assert.Null(f.Inventory.Remove(first.ReplicaIds[1])); // the first replica still occupies the reservation
        f.RestartWithoutRequestKeys();

        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"));

        Assert.True(again.IsProvisioned, again.Message);
        Assert.Equal(first.ReplicaIds, again.ReplicaIds);
        Assert.True(f.Inventory.TryGetRequestReplicas("A", out var tagged));
        Assert.Equal(first.ReplicaIds, tagged.Select(r => r.ReplicaId));
        var later = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        Assert.Equal(0, later.Attempts);
        Assert.Equal(first.ReplicaIds, later.ReplicaIds);
        Assert.Equal(1, f.Eu.TotalProvisionEffects);
    }

    // Cancelled after the region answered: the rollback keeps the first request's replicas, and they are the request's.
    [Fact]
    public async Task HandleAsync_ForgottenRequestTrackedWithoutItsKeyResubmittedAndCancelled_TheReplicasGetTheKey()
    {
        using var cts = new CancellationTokenSource();
        ScriptedProvisioner? scripted = null;
        var f = new HandlerFixture(
            new ReplicaRequestHandlerOptions { CompletedRequestMemory = 0 },
            wrap: p => scripted = new ScriptedProvisioner(p) { CancelOnStep = cts });
        var first = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        f.RestartWithoutRequestKeys();

        scripted!.Then(Step.CancelAfterEffect);
        _ = await f.Handler.HandleAsync(HandlerFixture.Request("A"), cts.Token);

        Assert.True(f.Inventory.TryGetRequestReplicas("A", out var tagged));
        Assert.Equal(first.ReplicaIds, tagged.Select(r => r.ReplicaId));
    }

    // A key reused for more replicas once only the inventory knows it is answered with the tracked ones; that answer must
    // not be remembered as the reusing request's, or the original request's own resubmission would then throw.
    [Fact]
    public async Task HandleAsync_KeyReusedOnceOnlyTheInventoryKnowsIt_TheOriginalResubmissionStillGetsItsReplicas()
    {
        var f = new HandlerFixture(new ReplicaRequestHandlerOptions { CompletedRequestMemory = 1 });
        var first = await f.Handler.HandleAsync(HandlerFixture.Request("A", replicas: 2));
        await f.Handler.HandleAsync(HandlerFixture.Request("B", replicas: 1)); // A leaves the completed-request memory

        var reused = await f.Handler.HandleAsync(HandlerFixture.Request("A", replicas: 3));
        var original = await f.Handler.HandleAsync(HandlerFixture.Request("A", replicas: 2));

        Assert.Equal(first.ReplicaIds, reused.ReplicaIds);
        Assert.True(original.IsProvisioned, original.Message);
        Assert.Equal(first.ReplicaIds, original.ReplicaIds);
        f.AssertConsistent();
    }
}
