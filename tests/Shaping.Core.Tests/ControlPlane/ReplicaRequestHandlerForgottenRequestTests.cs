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
