using Shaping.Core.Capacity;
using Shaping.Core.ControlPlane;
using Step = Shaping.Core.Tests.ScriptedProvisioner.Step;

namespace Shaping.Core.Tests.ControlPlane;

/// <summary>Rolling back after cancellation, and recording replicas a provisioner answers again.</summary>
public sealed class ReplicaRequestHandlerRollbackTests
{
    [Fact]
    public async Task HandleAsync_CancelledAndNoReplicaCanBeReleased_KeepsTheirCapacityFromConcurrentRequests()
    {
        using var cts = new CancellationTokenSource();
        ScriptedLedger? ledger = null;
        var f = new HandlerFixture(
            wrap: p => new ScriptedProvisioner(p) { CancelOnStep = cts, CannotRelease = _ => true }.Then(Step.CancelAfterEffect),
            wrapLedger: l => ledger = new ScriptedLedger(l));
        f.Ledger.SetRegionCapacity("eu", TestShapes.Medium.Capacity * 2); // room for this request alone
        var competitor = new Competitor(f);
        ledger!.AfterRelease = _ => competitor.GrabAllAsync();

        var result = await f.Handler.HandleAsync(HandlerFixture.Request(), cts.Token);

        Assert.True(result.IsProvisioned);
        Assert.Equal(2, result.Replicas);
        Assert.Contains("could not be released", result.Message, StringComparison.Ordinal);
        Assert.Equal(0, competitor.Taken);
        f.AssertConsistent();
    }

    [Fact]
    public async Task HandleAsync_CancelledAndOneReplicaCannotBeReleased_AccountsForItBeforeFreeingTheRest()
    {
        using var cts = new CancellationTokenSource();
        ScriptedLedger? ledger = null;
        string? stuck = null;
        var f = new HandlerFixture(
            wrap: p => new ScriptedProvisioner(p) { CancelOnStep = cts, CannotRelease = id => id == stuck }.Then(Step.CancelAfterEffect),
            wrapLedger: l => ledger = new ScriptedLedger(l));
        f.Ledger.SetRegionCapacity("eu", TestShapes.Medium.Capacity * 3); // this request's two replicas and one more
        stuck = "eu-1"; // the region's first replica
        var competitor = new Competitor(f);
        ledger!.AfterRelease = _ => competitor.GrabAllAsync();

        var result = await f.Handler.HandleAsync(HandlerFixture.Request(), cts.Token);

        Assert.True(result.IsProvisioned);
        Assert.Equal(["eu-1"], result.ReplicaIds);
        Assert.Equal(["eu-1"], f.Eu.GetReplicas().Keys);
        Assert.True(f.Inventory.TryGet("eu-1", out var record));
        Assert.True(f.Ledger.TryGetReservation(record.Reservation, out var reservation));
        Assert.Equal(ReservationState.Committed, reservation.State);
        Assert.Equal(1, reservation.Request.Replicas); // exactly the kept replica
        Assert.Equal(2, competitor.Taken); // what the released replica and the request's rollback freed
        Assert.Equal(TestShapes.Medium.Capacity, f.Capacity("eu").Committed);
    }

    [Fact]
    public async Task HandleAsync_ProvisionerAnswersSomeTrackedReplicas_RecordsTheUntrackedOnes()
    {
        var f = new HandlerFixture(new ReplicaRequestHandlerOptions { CompletedRequestMemory = 0 });
        var first = await f.Handler.HandleAsync(HandlerFixture.Request(key: "k"));
        var dropped = first.ReplicaIds[1];
        Assert.Null(f.Inventory.Remove(dropped)); // the host stops tracking it (it still runs); the other replica keeps the reservation
        f.RestartWithoutRequestKeys(); // so that the tracked replica is not found by the request's key

        var again = await f.Handler.HandleAsync(HandlerFixture.Request(key: "k")); // forgotten: served again, same key, same replicas

        Assert.True(again.IsProvisioned);
        Assert.Equal(first.ReplicaIds, again.ReplicaIds);
        Assert.Equal(1, f.Eu.TotalProvisionEffects);
        Assert.True(f.Inventory.TryGet(dropped, out var record)); // accounted for again, not taken for a replay
        Assert.True(f.Ledger.TryGetReservation(record.Reservation, out var reservation));
        Assert.Equal(ReservationState.Committed, reservation.State);
        Assert.Equal(0, f.Ledger.CountHeld());
    }

    /// <summary>A concurrent request that reserves single replicas of m in eu while any fits.</summary>
    private sealed class Competitor(HandlerFixture f)
    {
        public int Taken { get; private set; }

        public async ValueTask GrabAllAsync()
        {
            while ((await f.Ledger.TryReserveAsync(new ReservationRequest(
                new ReservationId($"other-{Taken}"), "eu", TestShapes.Medium.Name, TestShapes.Medium.Capacity, 1, TimeSpan.FromMinutes(5)))).IsSuccess)
            {
                Taken++;
            }
        }
    }
}
