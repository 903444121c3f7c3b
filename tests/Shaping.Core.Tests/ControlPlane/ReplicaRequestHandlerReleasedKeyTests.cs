using Shaping.Core.ControlPlane;
using Shaping.Core.Resources;
using LedgerStep = Shaping.Core.Tests.ScriptedLedger.Step;
using Step = Shaping.Core.Tests.ScriptedProvisioner.Step;

namespace Shaping.Core.Tests.ControlPlane;

/// <summary>
/// A reconciliation that is cancelled leaves the request unsettled, and a provisioning key whose replicas were released
/// is never sent again (the region would answer it with the released replicas).
/// </summary>
public sealed class ReplicaRequestHandlerReleasedKeyTests
{
    private static async Task<HandlerFixture> UnknownA()
    {
        var f = new HandlerFixture();
        f.Eu.LostResponseRate = 1;
        Assert.True((await f.Handler.HandleAsync(HandlerFixture.Request("A"))).IsOutcomeUnknown);
        f.Eu.LostResponseRate = 0;
        Assert.Equal(2, f.Eu.ReplicaCount); // replicas exist under the key
        return f;
    }

    // Doc: "Cancels waiting for the key's turn, or the replay (which keeps the request unsettled)".
    [Fact]
    public async Task ReconcileAsync_CancelledDuringTheReplay_KeepsTheRequestUnsettledAndItsReplicas()
    {
        var f = await UnknownA();
        f.Eu.Latency = TimeSpan.FromSeconds(1);
        using var cts = new CancellationTokenSource();
        var job = f.Handler.ReconcileAsync("A", cts.Token).AsTask();
        await cts.CancelAsync(); // e.g. the host shuts the job down
        var result = await f.Time.RunUntilDone(job);

        Assert.Contains(f.Handler.GetUnsettledRequests(), r => r.IdempotencyKey == "A");
        Assert.True(result!.IsOutcomeUnknown, $"{result.Outcome}: {result.Message}");
        Assert.Equal(2, f.Eu.ReplicaCount); // the caller's replicas were not torn down by the job's cancellation
    }

    [Fact]
    public async Task ReconcileAsync_TokenAlreadyCancelled_DoesNotTouchTheRequest()
    {
        var f = await UnknownA();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var result = await f.Handler.ReconcileAsync("A", cts.Token);

        Assert.Contains(f.Handler.GetUnsettledRequests(), r => r.IdempotencyKey == "A");
        Assert.True(result!.IsOutcomeUnknown, $"{result.Outcome}: {result.Message}");
    }

    // The job's cancellation leaves A unsettled; the caller's resubmission settles it with the replicas that run.
    [Fact]
    public async Task ReconcileAsync_Cancelled_ThenTheCallersResubmission_GetsRunningReplicas()
    {
        var f = await UnknownA();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        _ = await f.Handler.ReconcileAsync("A", cts.Token);

        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        AssertProvisionedOnRunningReplicas(f, again);
    }

    // Reconcile after the reservation expired and capacity went: the replicas are released, settled NoCapacity. The
    // caller's later resubmission is served as a new request, under a new generation of the key (the region would
    // answer the released key with the released replicas).
    [Fact]
    public async Task ReconcileAsync_SettledNoCapacity_ThenTheCallersResubmission_ProvisionsUnderANewKey()
    {
        var f = await UnknownA();
        f.Time.Advance(TimeSpan.FromMinutes(6)); // past ReservationTimeToLive
        f.Ledger.SetRegionCapacity("eu", ResourceVector.Zero);
        var settled = await f.Handler.ReconcileAsync("A");
        Assert.Equal(ReplicaOutcome.NoCapacity, settled!.Outcome);
        Assert.Equal(0, f.Eu.ReplicaCount);
        f.AssertConsistent();

        f.Ledger.SetRegionCapacity("eu", HandlerFixture.RegionTotal);
        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        AssertProvisionedOnRunningReplicas(f, again);
    }

    // The same through HandleAsync only: a resubmission settles NoCapacity, and a later one must not replay the released key.
    [Fact]
    public async Task HandleAsync_ResubmissionSettledNoCapacity_ThenAnotherResubmission_ProvisionsUnderANewKey()
    {
        var f = await UnknownA();
        f.Time.Advance(TimeSpan.FromMinutes(6));
        f.Ledger.SetRegionCapacity("eu", ResourceVector.Zero);
        var first = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        Assert.False(first.IsProvisioned);
        Assert.False(first.IsOutcomeUnknown);

        f.Ledger.SetRegionCapacity("eu", HandlerFixture.RegionTotal);
        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        AssertProvisionedOnRunningReplicas(f, again);
    }

    // An adapter's exception during the replay: the turn is released and the request stays unsettled.
    [Fact]
    public async Task ReconcileAsync_PortThrowsDuringTheReplay_ReleasesTheTurnAndKeepsTheRequestUnsettled()
    {
        var thrower = new ThrowOnce();
        var f = new HandlerFixture(wrap: p => thrower.Wrap(p));
        f.Eu.LostResponseRate = 1;
        Assert.True((await f.Handler.HandleAsync(HandlerFixture.Request("A"))).IsOutcomeUnknown);
        f.Eu.LostResponseRate = 0;
        thrower.Armed = true;
        await Assert.ThrowsAsync<InvalidOperationException>(() => f.Handler.ReconcileAsync("A").AsTask());
        Assert.Contains(f.Handler.GetUnsettledRequests(), r => r.IdempotencyKey == "A");
        var settled = await f.Handler.ReconcileAsync("A").AsTask().WaitAsync(TimeSpan.FromMinutes(1)); // a hang guard if the turn was kept
        Assert.True(settled!.IsProvisioned);
        f.AssertConsistent();
    }

    [Fact]
    public async Task HandleAsync_CancelledAfterTheEffect_ThenAResubmission_ProvisionsUnderANewKey()
    {
        using var cts = new CancellationTokenSource();
        var f = new HandlerFixture(wrap: p => new ScriptedProvisioner(p) { CancelOnStep = cts }.Then(ScriptedProvisioner.Step.CancelAfterEffect));
        var first = await f.Handler.HandleAsync(HandlerFixture.Request("A"), cts.Token);
        Assert.Equal(ReplicaOutcome.Cancelled, first.Outcome);
        Assert.False(first.IsOutcomeUnknown);
        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        AssertProvisionedOnRunningReplicas(f, again);
    }

    // A rollback keeps the one replica it could not release (Provisioned, remembered). The key, which still names it,
    // is not burnt: once the completed memory forgets A, its resubmission replays the key (as an ordinary provisioned
    // request's does) instead of provisioning A a second time under a new generation.
    [Fact]
    public async Task HandleAsync_KeptAfterAPartialRollback_ResubmittedAfterItLeftTheCompletedMemory_IsNotProvisionedAgain()
    {
        using var cts = new CancellationTokenSource();
        var f = new HandlerFixture(
            options: new ReplicaRequestHandlerOptions { CompletedRequestMemory = 1 },
            wrap: inner => new ScriptedProvisioner(inner) { CancelOnStep = cts, CannotRelease = id => id == "eu-2" }.Then(Step.CancelAfterEffect));

        var first = await f.Handler.HandleAsync(HandlerFixture.Request("A"), cts.Token);
        Assert.True(first.IsProvisioned, first.Message);
        Assert.Equal(["eu-2"], first.ReplicaIds);
        Assert.True((await f.Handler.HandleAsync(HandlerFixture.Request("B"))).IsProvisioned); // A leaves the completed memory
        var running = f.Eu.ReplicaCount;

        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        Assert.True(again.IsProvisioned, again.Message);
        Assert.Equal(running, f.Eu.ReplicaCount); // nothing provisioned again for A

        // Control: an ordinary provisioned request, forgotten the same way, is not provisioned again.
        Assert.True((await f.Handler.HandleAsync(HandlerFixture.Request("C"))).IsProvisioned);
        Assert.True((await f.Handler.HandleAsync(HandlerFixture.Request("D"))).IsProvisioned);
        var before = f.Eu.ReplicaCount;
        Assert.True((await f.Handler.HandleAsync(HandlerFixture.Request("C"))).IsProvisioned);
        Assert.Equal(before, f.Eu.ReplicaCount);
    }

    // A key burnt twice (base, then ~2) is remembered from its last burn: after 1,023 other burns the base's first burn
    // is the oldest, but the request's keys are forgotten together, from the last, so it gets ~3, not the released base.
    [Fact]
    public async Task HandleAsync_KeyBurntTwice_IsForgottenFromItsLastBurn()
    {
        ScriptedProvisioner? p = null;
        var f = new HandlerFixture(
            options: new ReplicaRequestHandlerOptions { CompletedRequestMemory = 1 },
            wrap: inner => p = new ScriptedProvisioner(inner));

        async Task CancelAfterEffect(string key)
        {
            using var cts = new CancellationTokenSource();
            p!.CancelOnStep = cts;
            p.Then(Step.CancelAfterEffect);
            var r = await f.Handler.HandleAsync(HandlerFixture.Request(key), cts.Token);
            Assert.Equal(ReplicaOutcome.Cancelled, r.Outcome);
        }

        await CancelAfterEffect("A");
        await CancelAfterEffect("A"); // burns A's ~2
        for (var i = 0; i < 1023; i++)
        {
            await CancelAfterEffect($"B{i}");
        }

        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        Assert.True(again.IsProvisioned, again.Message);
        Assert.All(again.ReplicaIds, id => Assert.True(f.Eu.GetReplicas().ContainsKey(id), $"{id} is recorded but not running"));
        f.AssertConsistent();
    }

    [Fact]
    public async Task ReconcileAsync_SuccessAnswerAfterCancellation_IsCommitted()
    {
        using var cts = new CancellationTokenSource();
        ScriptedProvisioner? p = null;
        var f = new HandlerFixture(wrap: inner => p = new ScriptedProvisioner(inner) { CancelOnStep = cts }.Then(Step.LostAnswer, Step.LostAnswer, Step.LostAnswer));
        Assert.True((await f.Handler.HandleAsync(HandlerFixture.Request("A"))).IsOutcomeUnknown);
        p!.Then(Step.CancelAfterEffect);
        var settled = await f.Handler.ReconcileAsync("A", cts.Token);
        Assert.True(settled!.IsProvisioned, settled.Message);
        Assert.Empty(f.Handler.GetUnsettledRequests());
        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        Assert.Equal(0, again.Attempts);
        f.AssertConsistent();
    }

    [Fact]
    public async Task ReconcileAsync_CancelledAfterATransientFailure_StaysUnsettled_ThenAResubmissionSettles()
    {
        using var cts = new CancellationTokenSource();
        ScriptedProvisioner? p = null;
        var f = new HandlerFixture(
            options: new ReplicaRequestHandlerOptions(),
            wrap: inner => p = new ScriptedProvisioner(inner).Then(Step.LostAnswer, Step.LostAnswer, Step.LostAnswer));
        Assert.True((await f.Handler.HandleAsync(HandlerFixture.Request("A"))).IsOutcomeUnknown);
        p!.CancelOnStep = cts;
        p.Then(Step.Transient, Step.Transient, Step.Transient);
        var r = await f.Handler.ReconcileAsync("A", cts.Token);
        Assert.True(r!.IsOutcomeUnknown);
        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        Assert.True(again.IsProvisioned, again.Message);
        Assert.Equal(2, f.Eu.ReplicaCount);
        f.AssertConsistent();
    }

    // Commit unanswered, re-reserve unanswered, one of the two replicas cannot be released: the attempt is left
    // unsettled on the key. Its replay is answered with both replicas; only the one still running is recorded, under a
    // reservation of its own size.
    [Fact]
    public async Task HandleAsync_CommitFoundCapacityGoneAndOneReplicaCouldNotBeReleased_TheResubmissionCountsOnlyTheRunningOne()
    {
        ScriptedProvisioner? p = null;
        var stuck = true;
        var f = new HandlerFixture(
            wrap: inner => p = new ScriptedProvisioner(inner) { CannotRelease = id => stuck && id == "eu-2" },
            wrapLedger: CommitAndReReserveUnanswered);

        var first = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        Assert.True(first.IsOutcomeUnknown, $"{first.Outcome}: {first.Message}");
        Assert.Equal(1, f.Eu.ReplicaCount); // eu-1 released, eu-2 stuck

        stuck = false;
        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        Assert.True(again.IsProvisioned, again.Message);
        Assert.All(again.ReplicaIds, id => Assert.True(f.Eu.GetReplicas().ContainsKey(id), $"{id} is recorded but not running"));
        f.AssertConsistent();
    }

    // The same through ReconcileAsync.
    [Fact]
    public async Task ReconcileAsync_CommitFoundCapacityGoneAndOneReplicaCouldNotBeReleased_CountsOnlyTheRunningOne()
    {
        var stuck = true;
        var f = new HandlerFixture(
            wrap: inner => new ScriptedProvisioner(inner) { CannotRelease = id => stuck && id == "eu-2" },
            wrapLedger: CommitAndReReserveUnanswered);

        Assert.True((await f.Handler.HandleAsync(HandlerFixture.Request("A"))).IsOutcomeUnknown);
        stuck = false;
        var settled = await f.Handler.ReconcileAsync("A");
        Assert.True(settled!.IsProvisioned, settled.Message);
        Assert.All(settled.ReplicaIds, id => Assert.True(f.Eu.GetReplicas().ContainsKey(id), $"{id} is recorded but not running"));
        f.AssertConsistent();
    }

    // Cancellation path: rollback releases eu-1, eu-2 is stuck; KeepAsync's exact reserve and the commit fall through to
    // CommitAsync's release, still stuck: unsettled on the burnt key; the resubmission records eu-1.
    [Fact]
    public async Task HandleAsync_RollbackCouldNotReleaseOneReplica_TheResubmissionCountsOnlyTheRunningOne()
    {
        using var cts = new CancellationTokenSource();
        var stuck = true;
        var f = new HandlerFixture(
            wrap: inner => new ScriptedProvisioner(inner) { CancelOnStep = cts, CannotRelease = id => stuck && id == "eu-2" }.Then(Step.CancelAfterEffect),
            wrapLedger: l => new ScriptedLedger(l)
                .Commits(LedgerStep.Unavailable, LedgerStep.Unavailable, LedgerStep.Unavailable)
                .Reserves(
                    LedgerStep.Through,
                    LedgerStep.Unavailable, LedgerStep.Unavailable, LedgerStep.Unavailable, // KeepAsync's exact reserve
                    LedgerStep.Unavailable, LedgerStep.Unavailable, LedgerStep.Unavailable)); // CommitAsync's re-reserve

        var first = await f.Handler.HandleAsync(HandlerFixture.Request("A"), cts.Token);
        Assert.True(first.IsOutcomeUnknown, $"{first.Outcome}: {first.Message}");
        Assert.Equal(1, f.Eu.ReplicaCount);

        stuck = false;
        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        Assert.True(again.IsProvisioned, again.Message);
        Assert.All(again.ReplicaIds, id => Assert.True(f.Eu.GetReplicas().ContainsKey(id), $"{id} is recorded but not running"));
        f.AssertConsistent();
    }

    // A left unsettled with eu-1 released and eu-2 stuck; its resubmission is cancelled after the replay took effect,
    // and the rollback cannot release eu-2 either. The one replica kept is accounted for under a reservation of its
    // own size, not under the original one for two.
    [Fact]
    public async Task HandleAsync_CancelledResubmissionKeepsTheReplicaLeftUnderAPartlyReleasedKey_AtItsOwnSize()
    {
        ScriptedProvisioner? p = null;
        var f = new HandlerFixture(
            wrap: inner => p = new ScriptedProvisioner(inner) { CannotRelease = id => id == "eu-2" },
            wrapLedger: CommitAndReReserveUnanswered);
        Assert.True((await f.Handler.HandleAsync(HandlerFixture.Request("A"))).IsOutcomeUnknown);

        using var cts = new CancellationTokenSource();
        p!.CancelOnStep = cts;
        p.Then(Step.CancelAfterEffect);
        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"), cts.Token);

        Assert.True(again.IsProvisioned, again.Message);
        Assert.Equal(["eu-2"], again.ReplicaIds);
        f.AssertConsistent();
    }

    // The first commit goes unanswered, and so does the re-reserve that would account for the replicas, so the handler
    // releases them (then the ledger answers again).
    private static ScriptedLedger CommitAndReReserveUnanswered(Shaping.Core.Capacity.ICapacityLedger ledger) =>
        new ScriptedLedger(ledger)
            .Commits(LedgerStep.Unavailable, LedgerStep.Unavailable, LedgerStep.Unavailable)
            .Reserves(LedgerStep.Through, LedgerStep.Unavailable, LedgerStep.Unavailable, LedgerStep.Unavailable);

    // The resubmission provisioned, on replicas that run in the region, and the books agree.
    private static void AssertProvisionedOnRunningReplicas(HandlerFixture f, ReplicaResult again)
    {
        Assert.True(again.IsProvisioned, again.Message);
        Assert.All(again.ReplicaIds, id => Assert.True(f.Eu.GetReplicas().ContainsKey(id), $"{id} is not running"));
        f.AssertConsistent();
    }

    private sealed class ThrowOnce
    {
        public bool Armed { get; set; }

        public Shaping.Core.Provisioning.IProvisioner Wrap(Shaping.Core.Provisioning.IProvisioner inner) => new P(this, inner);

        private sealed class P(ThrowOnce owner, Shaping.Core.Provisioning.IProvisioner inner) : Shaping.Core.Provisioning.IProvisioner
        {
            public ValueTask<Shaping.Core.Provisioning.ProvisionResult> ProvisionAsync(Shaping.Core.Provisioning.ProvisionRequest request, CancellationToken cancellationToken = default)
            {
                if (owner.Armed) { owner.Armed = false; throw new InvalidOperationException("adapter bug"); }
                return inner.ProvisionAsync(request, cancellationToken);
            }

            public ValueTask<Shaping.Core.Provisioning.ProvisionResult> ResizeAsync(Shaping.Core.Provisioning.ResizeRequest request, CancellationToken cancellationToken = default) => inner.ResizeAsync(request, cancellationToken);

            public ValueTask<Shaping.Core.Provisioning.ProvisionResult> ReleaseAsync(string region, string replicaId, CancellationToken cancellationToken = default) => inner.ReleaseAsync(region, replicaId, cancellationToken);
        }
    }
}
