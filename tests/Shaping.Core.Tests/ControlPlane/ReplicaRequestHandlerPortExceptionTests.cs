using Shaping.Core.ControlPlane;
using LedgerStep = Shaping.Core.Tests.ScriptedLedger.Step;
using Step = Shaping.Core.Tests.ScriptedProvisioner.Step;

namespace Shaping.Core.Tests.ControlPlane;

/// <summary>
/// A port that throws (an adapter bug, not the caller's cancellation) once a provisioning call was made: replicas may
/// exist, so the request is left unsettled, with its key and reservation, before the exception reaches the caller; a
/// resubmission or <see cref="ReplicaRequestHandler.ReconcileAsync"/> settles it by replaying the key.
/// </summary>
public sealed class ReplicaRequestHandlerPortExceptionTests
{
    // The provisioner's answer is lost, and its retry throws: the first call created the replicas.
    [Fact]
    public async Task HandleAsync_ProvisionerThrowsOnTheRetry_LeavesTheRequestUnsettled_AndTheResubmissionSettlesIt()
    {
        var f = new HandlerFixture(wrap: inner => new ScriptedProvisioner(inner).Then(Step.LostAnswer, Step.Throw));

        await Assert.ThrowsAsync<InvalidOperationException>(() => f.Handler.HandleAsync(HandlerFixture.Request("A")).AsTask());
        AssertUnsettled(f, "A");
        Assert.Equal(2, f.Eu.ReplicaCount);

        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        AssertSettledOnTheFirstReplicas(f, again);
    }

    // The first call reaches the region and creates the replicas, then the adapter throws.
    [Fact]
    public async Task HandleAsync_ProvisionerThrowsAfterTheEffect_LeavesTheRequestUnsettled_AndReconcileSettlesIt()
    {
        var f = new HandlerFixture(wrap: inner => new ScriptedProvisioner(inner).Then(Step.ThrowAfterEffect));

        await Assert.ThrowsAsync<InvalidOperationException>(() => f.Handler.HandleAsync(HandlerFixture.Request("A")).AsTask());
        AssertUnsettled(f, "A");

        var settled = await f.Handler.ReconcileAsync("A");
        AssertSettledOnTheFirstReplicas(f, settled!);
    }

    // The replicas exist and the ledger's commit throws, before or after it took effect.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HandleAsync_LedgerCommitThrows_LeavesTheRequestUnsettled_AndReconcileSettlesIt(bool afterTheEffect)
    {
        var commit = afterTheEffect ? LedgerStep.ThrowAfterEffect : LedgerStep.Throw;
        var f = new HandlerFixture(wrapLedger: l => new ScriptedLedger(l).Commits(commit));

        await Assert.ThrowsAsync<InvalidOperationException>(() => f.Handler.HandleAsync(HandlerFixture.Request("A")).AsTask());
        AssertUnsettled(f, "A");

        var settled = await f.Handler.ReconcileAsync("A");
        AssertSettledOnTheFirstReplicas(f, settled!);
    }

    // The commit goes unanswered, so a second reservation accounts for the replicas and is committed; then releasing the
    // first throws. The request must be left unsettled on the second reservation, or it stays committed forever while
    // the settlement commits the first (or a third) for the same replicas.
    [Fact]
    public async Task HandleAsync_CommitReplacedThenReleaseThrows_SettlesOnTheReplacementWithoutCountingTwice()
    {
        var f = new HandlerFixture(wrapLedger: l => new ScriptedLedger(l)
            .Commits(LedgerStep.Unavailable, LedgerStep.Unavailable, LedgerStep.Unavailable)
            .Releases(LedgerStep.Throw));

        await Assert.ThrowsAsync<InvalidOperationException>(() => f.Handler.HandleAsync(HandlerFixture.Request("A")).AsTask());
        AssertUnsettled(f, "A");

        var settled = await f.Handler.ReconcileAsync("A");
        Assert.True(settled!.IsProvisioned, settled.Message);
        Assert.Equal(0, f.Handler.UnsettledRequestCount);
        await ExpireTheHoldWhoseReleaseThrewAsync(f);
        f.AssertConsistent();
    }

    // The same, but the first commit took effect and only its answers were lost: the first reservation is committed, so
    // keeping the replacement for the settlement would leave the first committed with nothing to release it.
    [Fact]
    public async Task HandleAsync_CommitTookEffectUnansweredThenReleaseThrows_SettlesWithoutCountingTwice()
    {
        var f = new HandlerFixture(wrapLedger: l => new ScriptedLedger(l)
            .Commits(LedgerStep.LostAnswer, LedgerStep.LostAnswer, LedgerStep.LostAnswer)
            .Releases(LedgerStep.Throw));

        await Assert.ThrowsAsync<InvalidOperationException>(() => f.Handler.HandleAsync(HandlerFixture.Request("A")).AsTask());
        AssertUnsettled(f, "A");

        var settled = await f.Handler.ReconcileAsync("A");
        Assert.True(settled!.IsProvisioned, settled.Message);
        await ExpireTheHoldWhoseReleaseThrewAsync(f);
        f.AssertConsistent();
    }

    // Cancelled after the effect with one replica that cannot be released: the kept one gets a reservation of its own
    // size, committed; then releasing the original throws. The settlement must not count the kept replica twice.
    [Fact]
    public async Task HandleAsync_KeptReplicaReservedExactlyThenReleaseThrows_SettlesWithoutCountingTwice()
    {
        using var cts = new CancellationTokenSource();
        var f = new HandlerFixture(
            wrap: inner => new ScriptedProvisioner(inner) { CancelOnStep = cts, CannotRelease = id => id == "eu-2" }.Then(Step.CancelAfterEffect),
            wrapLedger: l => new ScriptedLedger(l).Releases(LedgerStep.Throw));

        await Assert.ThrowsAsync<InvalidOperationException>(() => f.Handler.HandleAsync(HandlerFixture.Request("A"), cts.Token).AsTask());

        var settled = await f.Handler.ReconcileAsync("A");
        Assert.True(settled!.IsProvisioned, settled.Message);
        await ExpireTheHoldWhoseReleaseThrewAsync(f);
        f.AssertConsistent();
    }

    // The first commit is refused (the ledger lost the hold), so a second reservation is taken for the replicas; its
    // commit takes effect and then throws. The request is left unsettled; the second reservation must not stay committed
    // beside the one the settlement commits for the same replicas.
    [Fact]
    public async Task HandleAsync_ReplacementsCommitThrowsAfterTheEffect_SettlesWithoutCountingTwice()
    {
        var f = new HandlerFixture(wrapLedger: l => new ScriptedLedger(l).Commits(LedgerStep.NotFound, LedgerStep.ThrowAfterEffect));

        await Assert.ThrowsAsync<InvalidOperationException>(() => f.Handler.HandleAsync(HandlerFixture.Request("A")).AsTask());
        AssertUnsettled(f, "A");

        var settled = await f.Handler.ReconcileAsync("A");
        Assert.True(settled!.IsProvisioned, settled.Message);
        Assert.Equal(0, f.Handler.UnsettledRequestCount);
        await ExpireTheHoldWhoseReleaseThrewAsync(f);
        f.AssertConsistent();
    }

    // Cancelled after the effect with one replica that cannot be released: the kept one gets a reservation of its own
    // size, whose commit takes effect and then throws. That reservation must not stay committed beside the one the
    // settlement accounts for the kept replica with.
    [Fact]
    public async Task HandleAsync_KeptReplicasExactReservationCommitThrowsAfterTheEffect_SettlesWithoutCountingTwice()
    {
        using var cts = new CancellationTokenSource();
        var f = new HandlerFixture(
            wrap: inner => new ScriptedProvisioner(inner) { CancelOnStep = cts, CannotRelease = id => id == "eu-2" }.Then(Step.CancelAfterEffect),
            wrapLedger: l => new ScriptedLedger(l).Commits(LedgerStep.ThrowAfterEffect));

        await Assert.ThrowsAsync<InvalidOperationException>(() => f.Handler.HandleAsync(HandlerFixture.Request("A"), cts.Token).AsTask());
        AssertUnsettled(f, "A");

        var settled = await f.Handler.ReconcileAsync("A");
        Assert.True(settled!.IsProvisioned, settled.Message);
        Assert.Equal(["eu-2"], settled.ReplicaIds);
        await ExpireTheHoldWhoseReleaseThrewAsync(f);
        f.AssertConsistent();
    }

    // The first reservation, whose release threw, is still held (never committed): it goes back when it expires.
    private static async Task ExpireTheHoldWhoseReleaseThrewAsync(HandlerFixture f)
    {
        f.Time.Advance(TimeSpan.FromHours(1));
        await f.Ledger.ReclaimExpiredAsync();
    }

    // The adapter answers one id twice, so the inventory refuses the replicas after the commit.
    [Fact]
    public async Task HandleAsync_InventoryThrowsAfterTheCommit_LeavesTheRequestUnsettled_AndTheResubmissionSettlesIt()
    {
        var f = new HandlerFixture(wrap: inner => new ScriptedProvisioner(inner).Then(Step.DuplicateIds));

        await Assert.ThrowsAsync<ArgumentException>(() => f.Handler.HandleAsync(HandlerFixture.Request("A")).AsTask());
        AssertUnsettled(f, "A");

        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        AssertSettledOnTheFirstReplicas(f, again);
    }

    // The caller cancels after the effect; the rollback releases eu-1, then releasing eu-2 throws. The resubmission
    // replays the key and keeps only eu-2, which still runs, at its own size: told apart from eu-1 by the region's
    // answer, or, from an adapter that does not list released replicas, by the handler's memory of what it released.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HandleAsync_ReleaseThrowsDuringTheRollback_LeavesTheRequestUnsettled_AndTheResubmissionCountsTheRunningReplica(bool adapterHidesReleased)
    {
        using var cts = new CancellationTokenSource();
        ScriptedProvisioner? p = null;
        var f = new HandlerFixture(
            wrap: inner => p = new ScriptedProvisioner(inner)
            {
                CancelOnStep = cts,
                ThrowOnRelease = id => id == "eu-2",
                HidesReleased = adapterHidesReleased,
            }.Then(Step.CancelAfterEffect));

        await Assert.ThrowsAsync<InvalidOperationException>(() => f.Handler.HandleAsync(HandlerFixture.Request("A"), cts.Token).AsTask());
        AssertUnsettled(f, "A");
        Assert.Equal(["eu-2"], f.Eu.GetReplicas().Keys);

        p!.ThrowOnRelease = null;
        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        Assert.True(again.IsProvisioned, again.Message);
        Assert.Equal(["eu-2"], again.ReplicaIds);
        Assert.Empty(f.Handler.GetUnsettledRequests());
        f.AssertConsistent();
    }

    // Control: a ledger that throws while reserving, before any provisioning call, leaves nothing to settle.
    [Fact]
    public async Task HandleAsync_LedgerReserveThrowsBeforeProvisioning_LeavesNothingUnsettled()
    {
        var f = new HandlerFixture(wrapLedger: l => new ScriptedLedger(l).Reserves(LedgerStep.Throw));

        await Assert.ThrowsAsync<InvalidOperationException>(() => f.Handler.HandleAsync(HandlerFixture.Request("A")).AsTask());

        Assert.Empty(f.Handler.GetUnsettledRequests());
        Assert.Equal(0, f.Eu.ReplicaCount);
    }

    // Control: the region rejected the call (nothing created, by the port's contract), then the ledger throws while the
    // reservation is given back: nothing to settle either.
    [Fact]
    public async Task HandleAsync_LedgerReleaseThrowsAfterARejection_LeavesNothingUnsettled()
    {
        var f = new HandlerFixture(
            wrap: inner => new ScriptedProvisioner(inner).Then(Step.Reject),
            wrapLedger: l => new ScriptedLedger(l).Releases(LedgerStep.Throw));

        await Assert.ThrowsAsync<InvalidOperationException>(() => f.Handler.HandleAsync(HandlerFixture.Request("A")).AsTask());

        Assert.Empty(f.Handler.GetUnsettledRequests());
        Assert.Equal(0, f.Eu.ReplicaCount);
    }

    private static void AssertUnsettled(HandlerFixture f, string key)
    {
        Assert.Equal([key], f.Handler.GetUnsettledRequests().Select(r => r.IdempotencyKey));
        Assert.Equal(1, f.Handler.UnsettledRequestCount);
    }

    // Settled on the replicas the first call created, none provisioned twice, nothing held, the books agree.
    private static void AssertSettledOnTheFirstReplicas(HandlerFixture f, ReplicaResult settled)
    {
        Assert.True(settled.IsProvisioned, settled.Message);
        Assert.Equal(["eu-1", "eu-2"], settled.ReplicaIds.Order(StringComparer.Ordinal));
        Assert.Equal(2, f.Eu.ReplicaCount);
        Assert.All(f.Eu.GetProvisionEffects().Values, effects => Assert.Equal(1, effects));
        Assert.Empty(f.Handler.GetUnsettledRequests());
        f.AssertConsistent();
    }
}
