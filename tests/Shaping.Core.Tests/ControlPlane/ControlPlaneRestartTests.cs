using Shaping.Core.ControlPlane;
using Shaping.Core.Prediction;
using Shaping.Core.Provisioning;
using Shaping.Core.Resources;
using Shaping.Core.Scaling;

namespace Shaping.Core.Tests.ControlPlane;

/// <summary>
/// A restart of the control plane process: a new handler and a new adjustment loop over the same (durable) ledger and
/// the same regions, with the inventory either restored from the old one's snapshot or, as a host that does not keep
/// it would have it, fresh.
/// </summary>
public sealed class ControlPlaneRestartTests
{
    // The handler forgets completed requests with its process. The restored inventory still knows which replicas the
    // request's key was provisioned for, so the resubmission after the restart is answered with them.
    [Fact]
    public async Task Restart_InventoryRestored_ResubmittingACompletedRequestDoesNotCountItsReplicasTwice()
    {
        var f = new HandlerFixture();
        var first = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        Assert.True(first.IsProvisioned, first.Message);
        var committed = f.Capacity("eu").Committed;

        f.Restart(new ReplicaInventory(f.Inventory.Snapshot()));
        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"));

        Assert.True(again.IsProvisioned, again.Message);
        Assert.Equal(first.ReplicaIds, again.ReplicaIds);
        Assert.Equal(0, again.Attempts);
        Assert.Equal(2, f.Eu.ReplicaCount); // nothing provisioned again
        Assert.Equal(committed, f.Capacity("eu").Committed); // nor counted again
        f.AssertConsistent();
    }

    // Inventories restored from records without their request key (persisted before records carried it): the
    // resubmission reaches the region under the same provisioning key, and the inventory tells the handler that the
    // replicas the region answers are accounted for already, so that it gives the new reservation back.
    [Fact]
    public async Task Restart_InventoryRestoredWithoutRequestKeys_ResubmissionOnTheSameShapeGivesItsReservationBack()
    {
        var f = new HandlerFixture();
        var first = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        var committed = f.Capacity("eu").Committed;

        f.RestartWithoutRequestKeys();
        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"));

        Assert.True(again.IsProvisioned, again.Message);
        Assert.Equal(first.ReplicaIds, again.ReplicaIds);
        Assert.Equal(1, again.Attempts);
        Assert.Equal(committed, f.Capacity("eu").Committed);
        f.AssertConsistent();
    }

    // The forecast rose across the restart, so a larger shape ranks first now: served afresh, the resubmission would
    // provision two more replicas under that shape's key (eu-3 and eu-4 beside eu-1 and eu-2).
    [Fact]
    public async Task Restart_InventoryRestoredAndAnotherShapeRanksFirstNow_ResubmissionGetsTheOriginalReplicas()
    {
        var f = new HandlerFixture();
        var first = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        Assert.True(first.IsProvisioned, first.Message);
        var committed = f.Capacity("eu").Committed;

        f.Predictor.Set("eu", TestShapes.RegionProfile(7, replicas: 2)); // 7 cores per replica: beyond the first shape
        var control = await new HandlerFixture(predictor: f.Predictor).Handler.HandleAsync(HandlerFixture.Request("A"));
        Assert.NotEqual(first.Shape!.Name, control.Shape!.Name); // a fresh request now gets another shape
        f.Restart(new ReplicaInventory(f.Inventory.Snapshot()));
        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"));

        AssertTheOriginalReplicas(f, first, again, committed);
    }

    // The region has no room for a second reservation of the request's size: served afresh, the resubmission would
    // answer NoCapacity although its replicas run.
    [Fact]
    public async Task Restart_InventoryRestoredAndNoRoomForASecondReservation_ResubmissionGetsTheOriginalReplicas()
    {
        var f = new HandlerFixture();
        var first = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        Assert.True(first.IsProvisioned, first.Message);
        var committed = f.Capacity("eu").Committed;
        f.Ledger.SetRegionCapacity("eu", HandlerFixture.RegionTotal with { CpuCores = committed.CpuCores * 1.5 });

        f.Restart(new ReplicaInventory(f.Inventory.Snapshot()));
        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"));

        AssertTheOriginalReplicas(f, first, again, committed);
    }

    // Released (the host released the replicas and removed them from the inventory): the request is not found by its
    // key, and a resubmission is served afresh, on new replicas.
    [Fact]
    public async Task Restart_InventoryRestoredAfterTheRequestsReplicasWereReleased_ResubmissionIsServedAfresh()
    {
        var f = new HandlerFixture();
        var first = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        var other = await f.Handler.HandleAsync(HandlerFixture.Request("B"));
        Assert.True(first.IsProvisioned && other.IsProvisioned);
        foreach (var id in first.ReplicaIds)
        {
            Assert.True((await f.Eu.ReleaseAsync("eu", id)).IsSuccess);
            if (f.Inventory.Remove(id) is { } vacated)
            {
                Assert.True((await f.Ledger.ReleaseAsync(vacated)).IsSuccess);
            }
        }

        Assert.False(f.Inventory.TryGetRequestReplicas("A", out _));
        f.Restart(new ReplicaInventory(f.Inventory.Snapshot()));
        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"));

        Assert.True(again.IsProvisioned, again.Message);
        Assert.Equal(1, again.Attempts);
        Assert.NotNull(again.Profile); // ranked afresh
        Assert.Empty(again.ReplicaIds.Intersect(first.ReplicaIds));
        Assert.Equal(3, f.Eu.TotalProvisionEffects); // A, B, then A again (under its key's next generation)
        f.AssertConsistent();
    }

    // What the restore prevents: with a fresh inventory the same resubmission commits a second reservation for the
    // replicas, while the first, committed before the restart, still counts them in the ledger.
    [Fact]
    public async Task Restart_FreshInventory_ResubmittingACompletedRequestCountsItsReplicasTwice()
    {
        var f = new HandlerFixture();
        var first = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        var committed = f.Capacity("eu").Committed;

        f.Restart(new ReplicaInventory());
        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"));

        Assert.Equal(first.ReplicaIds, again.ReplicaIds);
        Assert.Equal(2, f.Eu.ReplicaCount);
        Assert.Equal(committed.CpuCores * 2, f.Capacity("eu").Committed.CpuCores, 9);
    }

    // The loop moves only replicas the inventory tracks. Restored, it moves both replicas the first process provisioned,
    // and gives their shared reservation back when the second leaves it, not before: the ledger then counts exactly
    // what runs.
    [Fact]
    public async Task Restart_InventoryRestored_LoopMovesReplicasProvisionedBeforeIt()
    {
        var f = new HandlerFixture();
        var first = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        Assert.True(first.IsProvisioned, first.Message);
        var shared = first.Reservation!.Value; // set whenever provisioned

        f.Restart(new ReplicaInventory(f.Inventory.Snapshot()));
        var source = new FakeUtilizationSource();
        using var loop = NewLoop(f, source, predictor: null);
        var moves = await PressUntilMovedAsync(f, loop, source, first);

        Assert.Equal(2, moves.Count);
        Assert.All(moves, move => Assert.Equal(ShapeMoveOutcome.Applied, move.Outcome));
        Assert.All(first.ReplicaIds, id => Assert.NotEqual(first.Shape!.Name, f.Eu.GetReplicas()[id].Name));
        Assert.True(f.Ledger.TryGetReservation(shared, out var old));
        Assert.Equal(Shaping.Core.Capacity.ReservationState.Released, old.State);
        f.AssertConsistent(); // committed = what the region runs, nothing held
    }

    [Fact]
    public async Task Restart_FreshInventory_LoopCannotMoveReplicasProvisionedBeforeIt()
    {
        var f = new HandlerFixture();
        var first = await f.Handler.HandleAsync(HandlerFixture.Request("A"));

        f.Restart(new ReplicaInventory());
        var source = new FakeUtilizationSource();
        using var loop = NewLoop(f, source, predictor: null);
        var moves = await PressUntilMovedAsync(f, loop, source, first);

        Assert.Empty(moves);
        Assert.All(first.ReplicaIds, id => Assert.Equal(first.Shape!.Name, f.Eu.GetReplicas()[id].Name));
    }

    // A region left out of a read while the inventory tracks a replica there is no data (the source is behind), not
    // zero demand. After a restart only a restored inventory knows that replicas run in "eu".
    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task Restart_RegionLeftOutOfARead_IsZeroDemandOnlyWhenTheInventoryWasNotRestored(bool restore, bool zeroExpected)
    {
        var f = new HandlerFixture();
        var first = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        Assert.True(first.IsProvisioned, first.Message);

        f.Restart(restore ? new ReplicaInventory(f.Inventory.Snapshot()) : new ReplicaInventory());
        var source = new FakeUtilizationSource();
        var predictor = new RecordingPredictor();
        using var loop = NewLoop(f, source, predictor);
        var at = f.Time.GetUtcNow();
        source.Enqueue([.. first.ReplicaIds.Select(id => new ReplicaUtilization("eu", id, first.Shape!.Name, at, new ResourceVector(1, 1, 1, 0.1)))]);
        await loop.RunOnceAsync();
        source.Enqueue(new ReplicaUtilization("us", "us-other", first.Shape!.Name, at.AddSeconds(5), new ResourceVector(1, 1, 1, 0.1)));
        await loop.RunOnceAsync();

        var euZeros = predictor.Observed.Count(o => o.Region == "eu" && o.Demand == ResourceVector.Zero);
        Assert.Equal(zeroExpected ? 1 : 0, euZeros);
    }

    // The resubmission got the request's replicas, as the inventory tracks them, without an attempt: the region runs
    // only them, and the ledger counts them once.
    private static void AssertTheOriginalReplicas(HandlerFixture f, ReplicaResult first, ReplicaResult again, ResourceVector committed)
    {
        Assert.True(again.IsProvisioned, $"{again.Outcome}: {again.Message}");
        Assert.Equal(first.ReplicaIds, again.ReplicaIds);
        Assert.Equal(first.Shape, again.Shape);
        Assert.Equal(first.Reservation, again.Reservation);
        Assert.Equal(0, again.Attempts);
        Assert.Equal(first.ReplicaIds.Order(StringComparer.Ordinal), f.Eu.GetReplicas().Keys.Order(StringComparer.Ordinal));
        Assert.Equal(committed, f.Capacity("eu").Committed);
        f.AssertConsistent();
    }

    private static ShapeAdjustmentLoop NewLoop(HandlerFixture f, FakeUtilizationSource source, ILoadPredictor? predictor)
    {
        var policy = new ScalerPolicy(
            upStabilizationWindow: TimeSpan.FromSeconds(1), downStabilizationWindow: TimeSpan.FromSeconds(1), cooldown: TimeSpan.Zero, smoothingTimeConstant: TimeSpan.Zero);
        return new ShapeAdjustmentLoop(
            source, f.Ledger, f.Provisioner, f.Inventory, new HysteresisScaler(f.Library.Current, policy), predictor,
            new ShapeAdjustmentOptions(retryBackoff: TimeSpan.Zero), f.Time, library: f.Library);
    }

    /// <summary>Two cycles in which every replica of <paramref name="provisioned"/> uses 95 % of its CPU, five seconds apart.</summary>
    private static async Task<List<ShapeMove>> PressUntilMovedAsync(HandlerFixture f, ShapeAdjustmentLoop loop, FakeUtilizationSource source, ReplicaResult provisioned)
    {
        var shape = provisioned.Shape!;
        var used = new ResourceVector(shape.Capacity.CpuCores * 0.95, 1, 1, 0.1);
        var at = f.Time.GetUtcNow();
        var moves = new List<ShapeMove>();
        for (var cycle = 0; cycle < 2; cycle++)
        {
            var stamp = at.AddSeconds(5 * cycle);
            source.Enqueue([.. provisioned.ReplicaIds.Select(id => new ReplicaUtilization("eu", id, shape.Name, stamp, used))]);
            moves.AddRange((await loop.RunOnceAsync()).Moves);
        }

        return moves;
    }
}
