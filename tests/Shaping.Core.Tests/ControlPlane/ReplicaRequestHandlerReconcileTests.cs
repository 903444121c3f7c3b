using Shaping.Core.ControlPlane;
using Shaping.Core.Resources;
using Step = Shaping.Core.Tests.ScriptedProvisioner.Step;

namespace Shaping.Core.Tests.ControlPlane;

/// <summary>
/// <see cref="ReplicaRequestHandler.ReconcileAsync"/> settles a request whose outcome was unknown by replaying only its
/// remembered provisioning key, and only if the key is still unsettled in its turn: a reconciliation job racing the
/// callers never provisions a request twice, or one its caller was told failed or was cancelled.
/// </summary>
public sealed class ReplicaRequestHandlerReconcileTests
{
    [Fact]
    public async Task ReconcileAsync_AfterLostAnswers_FindsTheReplicasAndTheCallersResubmissionGetsThem()
    {
        var f = new HandlerFixture();
        f.Eu.LostResponseRate = 1;
        Assert.True((await f.Handler.HandleAsync(HandlerFixture.Request("A"))).IsOutcomeUnknown);
        f.Eu.LostResponseRate = 0;

        var settled = await f.Handler.ReconcileAsync("A");

        Assert.NotNull(settled);
        Assert.True(settled.IsProvisioned);
        Assert.Empty(f.Handler.GetUnsettledRequests());
        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        Assert.True(again.IsProvisioned);
        Assert.Equal(0, again.Attempts); // remembered: nothing reserved or provisioned again
        Assert.Equal(settled.ReplicaIds.Order(StringComparer.Ordinal), again.ReplicaIds.Order(StringComparer.Ordinal));
        Assert.Equal(1, f.Eu.TotalProvisionEffects);
        f.AssertConsistent();
    }

    [Fact]
    public async Task ReconcileAsync_ReplayRejected_SettlesAsNotProvisionedWithoutServingTheRequestAfresh()
    {
        var f = new HandlerFixture(wrap: p => new ScriptedProvisioner(p).Then(Step.Transient, Step.Transient, Step.Transient, Step.Reject));
        Assert.True((await f.Handler.HandleAsync(HandlerFixture.Request("A"))).IsOutcomeUnknown);

        var settled = await f.Handler.ReconcileAsync("A");

        Assert.NotNull(settled);
        Assert.False(settled.IsProvisioned);
        Assert.False(settled.IsOutcomeUnknown);
        Assert.Equal(0, f.Eu.ReplicaCount);
        Assert.Equal(ResourceVector.Zero, f.Capacity("eu").Held); // its reservation is released
        Assert.Empty(f.Handler.GetUnsettledRequests());
        f.AssertConsistent();

        // The caller's later resubmission is served as a new request.
        Assert.True((await f.Handler.HandleAsync(HandlerFixture.Request("A"))).IsProvisioned);
        Assert.Equal(2, f.Eu.ReplicaCount);
        f.AssertConsistent();
    }

    [Fact]
    public async Task ReconcileAsync_OutcomeStillUnknown_KeepsTheRequestUnsettled()
    {
        var f = new HandlerFixture();
        f.Eu.LostResponseRate = 1;
        Assert.True((await f.Handler.HandleAsync(HandlerFixture.Request("A"))).IsOutcomeUnknown);

        var settled = await f.Handler.ReconcileAsync("A");

        Assert.NotNull(settled);
        Assert.True(settled.IsOutcomeUnknown);
        Assert.Equal(["A"], f.Handler.GetUnsettledRequests().Select(r => r.IdempotencyKey));
        Assert.Equal(1, f.Eu.TotalProvisionEffects); // the same key replayed: still one request's replicas
    }

    [Fact]
    public async Task ReconcileAsync_KeyNeverUnsettled_DoesNothing()
    {
        var f = new HandlerFixture();
        Assert.True((await f.Handler.HandleAsync(HandlerFixture.Request("A"))).IsProvisioned);

        Assert.Null(await f.Handler.ReconcileAsync("A"));
        Assert.Null(await f.Handler.ReconcileAsync("never-seen"));
        Assert.Equal(1, f.Eu.TotalProvisionEffects);
        f.AssertConsistent();
    }

    [Fact]
    public async Task ReconcileAsync_AfterTheCallerSettledWithAFailure_ProvisionsNothing()
    {
        // A's outcome is unknown (nothing was created, though); the job takes its snapshot.
        var f = new HandlerFixture(wrap: p => new ScriptedProvisioner(p).Then(Step.Transient, Step.Transient, Step.Transient, Step.Reject));
        Assert.True((await f.Handler.HandleAsync(HandlerFixture.Request("A"))).IsOutcomeUnknown);
        var listed = f.Handler.GetUnsettledRequests();

        // The caller comes back: the replay is rejected, A is served afresh and finds no capacity: a settled failure.
        f.Ledger.SetRegionCapacity("eu", ResourceVector.Zero);
        var callers = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        Assert.False(callers.IsProvisioned);
        Assert.False(callers.IsOutcomeUnknown);

        // Capacity comes back; the job works through its stale snapshot.
        f.Ledger.SetRegionCapacity("eu", HandlerFixture.RegionTotal);
        foreach (var request in listed)
        {
            Assert.Null(await f.Handler.ReconcileAsync(request.IdempotencyKey));
        }

        Assert.Equal(0, f.Eu.ReplicaCount);
        f.AssertConsistent();
    }

    [Fact]
    public async Task ReconcileAsync_QueuedBehindTheCallersResubmissionThatIsCancelled_ProvisionsNothing()
    {
        var f = new HandlerFixture();
        f.Eu.LostResponseRate = 1;
        Assert.True((await f.Handler.HandleAsync(HandlerFixture.Request("A"))).IsOutcomeUnknown);

        // The caller resubmits (its replay is in flight) and will cancel; the job, seeing A listed, waits for the turn.
        f.Eu.LostResponseRate = 0;
        f.Eu.Latency = TimeSpan.FromSeconds(1);
        using var cts = new CancellationTokenSource();
        var caller = f.Handler.HandleAsync(HandlerFixture.Request("A"), cts.Token).AsTask();
        Assert.Contains(f.Handler.GetUnsettledRequests(), r => r.IdempotencyKey == "A");
        var job = f.Handler.ReconcileAsync("A").AsTask();

        await cts.CancelAsync();
        var callers = await f.Time.RunUntilDone(caller);
        Assert.Equal(ReplicaOutcome.Cancelled, callers.Outcome);
        Assert.False(callers.IsOutcomeUnknown); // settled: rolled back, and the caller was told nothing runs

        var jobs = await f.Time.RunUntilDone(job);

        Assert.Null(jobs);
        Assert.Equal(0, f.Eu.ReplicaCount);
        f.AssertConsistent();
    }

    [Fact]
    public async Task ReconcileAsync_AfterTheCallersSettledResultWasForgotten_ProvisionsNothingMore()
    {
        // CompletedRequestMemory 1 stands for the default 10,000 under load: completions between the job's snapshot and
        // its call evict the key from the completed requests' memory.
        var f = new HandlerFixture(new ReplicaRequestHandlerOptions { CompletedRequestMemory = 1 });
        f.Eu.LostResponseRate = 1;
        Assert.True((await f.Handler.HandleAsync(HandlerFixture.Request("A", replicas: 1))).IsOutcomeUnknown);
        var listed = f.Handler.GetUnsettledRequests();

        f.Eu.LostResponseRate = 0;
        Assert.True((await f.Handler.HandleAsync(HandlerFixture.Request("A", replicas: 1))).IsProvisioned); // the caller settles A
        Assert.True((await f.Handler.HandleAsync(HandlerFixture.Request("B", replicas: 1))).IsProvisioned); // evicts A from memory
        f.Predictor.Set("eu", TestShapes.RegionProfile(1)); // another shape would rank first now

        foreach (var request in listed)
        {
            Assert.Null(await f.Handler.ReconcileAsync(request.IdempotencyKey));
        }

        Assert.Equal(2, f.Eu.ReplicaCount);
        f.AssertConsistent();
    }

    [Fact]
    public async Task ReconcileAsync_BlankKey_Throws()
    {
        var f = new HandlerFixture();

        await Assert.ThrowsAsync<ArgumentException>(() => f.Handler.ReconcileAsync(" ").AsTask());
    }
}
