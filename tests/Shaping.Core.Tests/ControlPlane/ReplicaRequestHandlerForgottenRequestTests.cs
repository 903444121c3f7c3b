using Shaping.Core.Capacity;
using Shaping.Core.ControlPlane;
using LedgerStep = Shaping.Core.Tests.ScriptedLedger.Step;
using Step = Shaping.Core.Tests.ScriptedProvisioner.Step;

namespace Shaping.Core.Tests.ControlPlane;

/// <summary>
/// A resubmission of a completed request that the handler no longer remembers is served again, and the provisioner
/// answers its key with the first request's replicas, which the inventory tracks: whatever happens to the
/// resubmission, those replicas are the first request's and keep running.
/// </summary>
public sealed class ReplicaRequestHandlerForgottenRequestTests
{
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

        f.Eu.Latency = TimeSpan.FromSeconds(1);
        using var cts = new CancellationTokenSource();
        var pending = f.Handler.HandleAsync(HandlerFixture.Request("A"), cts.Token).AsTask();
        await cts.CancelAsync();
        var again = await f.Time.RunUntilDone(pending, TimeSpan.FromSeconds(1));

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
}
