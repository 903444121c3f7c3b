using Shaping.Core.ControlPlane;
using Shaping.Core.Shapes;
using LedgerStep = Shaping.Core.Tests.ScriptedLedger.Step;
using Step = Shaping.Core.Tests.ScriptedProvisioner.Step;

namespace Shaping.Core.Tests.ControlPlane;

/// <summary>
/// A provisioning key answers its first replicas forever, released or not, and the handler's memory of what it
/// released is lost with its process: after a restart, a resubmission must still get replicas that run, because the
/// region says which of a key's replicas it has released.
/// </summary>
public sealed class ReplicaRequestHandlerRestartTests
{
    [Fact]
    public async Task HandleAsync_RolledBackThenResubmittedAfterARestart_ProvisionsNewReplicasOfTheSameShape()
    {
        using var cts = new CancellationTokenSource();
        var f = new HandlerFixture(wrap: inner => new ScriptedProvisioner(inner) { CancelOnStep = cts }.Then(Step.CancelAfterEffect));
        var first = await f.Handler.HandleAsync(HandlerFixture.Request("A"), cts.Token);
        Assert.Equal(ReplicaOutcome.Cancelled, first.Outcome);
        Assert.Equal(0, f.Eu.ReplicaCount); // rolled back: both replicas released

        f.Restart();
        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"));

        AssertProvisionedOnRunningReplicas(f, again);
        var shape = TopRanked(f);
        Assert.Equal(shape.Name, again.Shape!.Name); // the same shape under the next generation, not the next-ranked shape
        Assert.Equal(1, f.Eu.GetProvisionEffects(Key("A", shape) + "~2"));
        Assert.Equal(1, again.Attempts);
    }

    // The first commit and the re-reserve go unanswered, so the handler releases the replicas (NoCapacity; one attempt
    // only, so no other shape is tried). After the restart the one attempt allowed provisions under the next generation.
    [Fact]
    public async Task HandleAsync_ReleasedForWantOfCapacityThenResubmittedAfterARestart_ProvisionsNewReplicas()
    {
        var f = new HandlerFixture(
            options: new ReplicaRequestHandlerOptions { MaxAttempts = 1 },
            wrapLedger: l => new ScriptedLedger(l)
            .Commits(LedgerStep.Unavailable, LedgerStep.Unavailable, LedgerStep.Unavailable)
            .Reserves(LedgerStep.Through, LedgerStep.Unavailable, LedgerStep.Unavailable, LedgerStep.Unavailable));
        var first = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        Assert.Equal(ReplicaOutcome.NoCapacity, first.Outcome);
        Assert.Equal(0, f.Eu.ReplicaCount);

        f.Restart();
        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"));

        AssertProvisionedOnRunningReplicas(f, again);
        Assert.Equal(TopRanked(f).Name, again.Shape!.Name);
    }

    // Two generations spent before the restart: the new handler walks past both, to the third.
    [Fact]
    public async Task HandleAsync_RolledBackTwiceThenResubmittedAfterARestart_SkipsEverySpentGeneration()
    {
        ScriptedProvisioner? p = null;
        var f = new HandlerFixture(wrap: inner => p = new ScriptedProvisioner(inner));
        for (var i = 0; i < 2; i++)
        {
            using var cts = new CancellationTokenSource();
            p!.CancelOnStep = cts;
            p.Then(Step.CancelAfterEffect);
            Assert.Equal(ReplicaOutcome.Cancelled, (await f.Handler.HandleAsync(HandlerFixture.Request("A"), cts.Token)).Outcome);
        }

        f.Restart();
        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"));

        AssertProvisionedOnRunningReplicas(f, again);
        var shape = TopRanked(f);
        Assert.Equal(shape.Name, again.Shape!.Name);
        Assert.Equal(1, f.Eu.GetProvisionEffects(Key("A", shape) + "~3"));
    }

    // A rollback released eu-1 and kept eu-2 (it could not be released): A was provisioned with eu-2 alone. After a
    // restart whose inventory can't find eu-2 by A's key (its record lacks it), the key's replay answers both; only eu-2
    // runs, and only eu-2 is the request's.
    [Fact]
    public async Task HandleAsync_PartlyRolledBackThenResubmittedAfterARestart_CountsOnlyTheRunningReplica()
    {
        using var cts = new CancellationTokenSource();
        var f = new HandlerFixture(
            wrap: inner => new ScriptedProvisioner(inner) { CancelOnStep = cts, CannotRelease = id => id == "eu-2" }.Then(Step.CancelAfterEffect));
        var first = await f.Handler.HandleAsync(HandlerFixture.Request("A"), cts.Token);
        Assert.True(first.IsProvisioned, first.Message);
        Assert.Equal(["eu-2"], first.ReplicaIds);

        f.RestartWithoutRequestKeys(); // the resubmission reaches the region, which answers eu-1 and eu-2 for the key
        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"));

        AssertProvisionedOnRunningReplicas(f, again);
        Assert.Equal(["eu-2"], again.ReplicaIds);
        Assert.Equal(1, f.Eu.ReplicaCount); // nothing provisioned again
    }

    // The same after the restart, with the inventory rebuilt empty (a host that does not keep it): still no released id.
    [Fact]
    public async Task HandleAsync_PartlyRolledBackThenResubmittedAfterARestartWithAnEmptyInventory_ReturnsNoReleasedReplica()
    {
        using var cts = new CancellationTokenSource();
        var f = new HandlerFixture(
            wrap: inner => new ScriptedProvisioner(inner) { CancelOnStep = cts, CannotRelease = id => id == "eu-2" }.Then(Step.CancelAfterEffect));
        Assert.True((await f.Handler.HandleAsync(HandlerFixture.Request("A"), cts.Token)).IsProvisioned);

        var handler = new ReplicaRequestHandler(
            f.Library, f.Predictor, f.HandlerLedger, f.Provisioner, new ReplicaInventory(),
            new ReplicaRequestHandlerOptions { RetryDelay = TimeSpan.Zero }, timeProvider: f.Time);
        var again = await handler.HandleAsync(HandlerFixture.Request("A"));

        Assert.True(again.IsProvisioned, again.Message);
        Assert.Equal(["eu-2"], again.ReplicaIds);
    }

    // An adapter that does not list released replicas is served as before within one process: the handler's own memory
    // of the keys it spent still moves the resubmission to the next generation.
    [Fact]
    public async Task HandleAsync_AdapterDoesNotListReleasedReplicas_ResubmissionInTheSameProcessStillGetsNewReplicas()
    {
        using var cts = new CancellationTokenSource();
        var f = new HandlerFixture(wrap: inner => new ScriptedProvisioner(inner) { CancelOnStep = cts, HidesReleased = true }.Then(Step.CancelAfterEffect));
        Assert.Equal(ReplicaOutcome.Cancelled, (await f.Handler.HandleAsync(HandlerFixture.Request("A"), cts.Token)).Outcome);

        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"));

        AssertProvisionedOnRunningReplicas(f, again);
        Assert.Equal(TopRanked(f).Name, again.Shape!.Name);
    }

    // An adapter that lists every replica of every key as released: each attempt walks a bounded number of generations,
    // then gives the shape up, and the request ends without replicas and without a reservation held.
    [Fact]
    public async Task HandleAsync_AdapterListsEveryKeyAsReleased_WalksABoundedNumberOfGenerationsAndFails()
    {
        var spent = new SpentKeysProvisioner();
        var f = new HandlerFixture(new ReplicaRequestHandlerOptions { MaxAttempts = 1 }, wrap: _ => spent);

        var result = await f.Handler.HandleAsync(HandlerFixture.Request("A"));

        Assert.False(result.IsProvisioned);
        Assert.Equal(ReplicaOutcome.ProvisioningFailed, result.Outcome);
        Assert.Equal(1 + 32, spent.Calls); // one attempt: the first key and 32 spent generations after it
        Assert.Empty(f.Inventory.Snapshot());
        Assert.Equal(0, f.Ledger.CountHeld());
    }

    // The shape a fresh request gets in "eu" (the fixture's predictor and catalog), under its first key.
    private static ResourceShape TopRanked(HandlerFixture f)
    {
        var control = new HandlerFixture();
        var result = control.Handler.HandleAsync(HandlerFixture.Request("control")).AsTask().GetAwaiter().GetResult();
        Assert.True(result.IsProvisioned, result.Message);
        Assert.True(f.Library.Current.TryGetShape(result.Shape!.Name, out var shape));
        return shape;
    }

    private static string Key(string requestKey, ResourceShape shape) => $"{requestKey}/eu/{shape.Name}@{shape.Revision}";

    private static void AssertProvisionedOnRunningReplicas(HandlerFixture f, ReplicaResult again)
    {
        Assert.True(again.IsProvisioned, again.Message);
        Assert.All(again.ReplicaIds, id => Assert.True(f.Eu.GetReplicas().ContainsKey(id), $"{id} is recorded but not running"));
        f.AssertConsistent();
    }

    private sealed class SpentKeysProvisioner : Shaping.Core.Provisioning.IProvisioner
    {
        public int Calls { get; private set; }

        public ValueTask<Shaping.Core.Provisioning.ProvisionResult> ProvisionAsync(Shaping.Core.Provisioning.ProvisionRequest request, CancellationToken cancellationToken = default)
        {
            Calls++;
            var ids = Enumerable.Range(1, request.Replicas).Select(i => $"gone-{Calls}-{i}").ToArray(); // as many as asked
            return ValueTask.FromResult(Shaping.Core.Provisioning.ProvisionResult.Success(ids, ids));
        }

        public ValueTask<Shaping.Core.Provisioning.ProvisionResult> ResizeAsync(Shaping.Core.Provisioning.ResizeRequest request, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public ValueTask<Shaping.Core.Provisioning.ProvisionResult> ReleaseAsync(string region, string replicaId, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Shaping.Core.Provisioning.ProvisionResult.Success([replicaId]));
    }
}
