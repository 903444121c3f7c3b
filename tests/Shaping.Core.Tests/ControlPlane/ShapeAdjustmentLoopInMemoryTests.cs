using Microsoft.Extensions.Time.Testing;
using Shaping.Core.Capacity;
using Shaping.Core.ControlPlane;
using Shaping.Core.Provisioning;
using Shaping.Core.Resources;
using Shaping.Core.Scaling;
using Shaping.Core.Shapes;

namespace Shaping.Core.Tests.ControlPlane;

/// <summary>The loop against the in-memory ledger and region: what the ledger counts matches what the region runs.</summary>
public sealed class ShapeAdjustmentLoopInMemoryTests : IDisposable
{
    private static readonly ResourceShape Small = new("s", new ResourceVector(2, 8, 50, 1), new ShapeProfile(0.1));
    private static readonly ResourceShape Large = new("l", new ResourceVector(8, 32, 200, 4), new ShapeProfile(0.4));

    private readonly FakeTimeProvider _time = new(HandlerFixture.Epoch);
    private readonly InMemoryCapacityLedger _ledger;
    private readonly InMemoryRegion _region;
    private readonly ReplicaInventory _inventory = new();
    private readonly FakeUtilizationSource _source = new();
    private readonly ShapeAdjustmentLoop _loop;
    private readonly string _replica;
    private readonly ReservationId _original = new("res-1");

    public ShapeAdjustmentLoopInMemoryTests()
    {
        _ledger = new InMemoryCapacityLedger([new("eu", new ResourceVector(64, 256, 2048, 32))], _time);
        _region = new InMemoryRegion("eu", 0, _time);
        var provisioned = _region.ProvisionAsync(new ProvisionRequest("k", "eu", Small, 1)).AsTask().GetAwaiter().GetResult();
        _replica = provisioned.ReplicaIds[0];
        _ = _ledger.TryReserveAsync(new ReservationRequest(_original, "eu", "s", Small.Capacity, 1, TimeSpan.FromMinutes(5))).AsTask().GetAwaiter().GetResult();
        _ = _ledger.CommitAsync(_original).AsTask().GetAwaiter().GetResult();
        _inventory.AddProvisioned("eu", provisioned.ReplicaIds, Small, _original);
        _loop = NewLoop(_region);
    }

    public void Dispose() => _loop.Dispose();

    [Fact]
    public async Task RunOnceAsync_ResizeActsButItsAnswersAreLost_CountsBothShapesUntilAReplaySettlesIt()
    {
        _region.LostResponseRate = 1;

        var move = await PressUntilMoveAsync(_loop);

        Assert.Equal(ShapeMoveOutcome.ResizeOutcomeUnknown, move.Outcome);
        Assert.Equal("l", _region.GetReplicas()[_replica].Name); // it did resize
        Assert.Equal(2 + 8, Capacity().Committed.CpuCores); // the old and the new shape: over-reserved, not oversubscribed
        Assert.True(_inventory.TryGet(_replica, out var record));
        Assert.Equal("s", record.Shape.Name);

        _region.LostResponseRate = 0;
        var settled = await _loop.RunOnceAsync();

        Assert.Equal(ShapeMoveOutcome.Applied, Assert.Single(settled.Moves).Outcome);
        Assert.True(_inventory.TryGet(_replica, out record));
        Assert.Equal("l", record.Shape.Name);
        Assert.Equal(8, Capacity().Committed.CpuCores);
        Assert.Equal(0, _ledger.CountHeld());
    }

    [Fact]
    public async Task RunOnceAsync_ResizeOutlastsItsReservation_ReservesAgainAndCommits()
    {
        using var loop = NewLoop(new SlowResize(_region, _time, TimeSpan.FromMinutes(3))); // the hold lives 2 minutes

        var move = await PressUntilMoveAsync(loop);

        Assert.Equal(ShapeMoveOutcome.Applied, move.Outcome);
        Assert.True(_inventory.TryGet(_replica, out var record));
        Assert.Equal("l", record.Shape.Name);
        Assert.True(_ledger.TryGetReservation(record.Reservation, out var reservation));
        Assert.Equal(ReservationState.Committed, reservation.State);
        Assert.Equal(8, Capacity().Committed.CpuCores); // what the region runs
        Assert.Equal(0, _ledger.CountHeld());
        Assert.True(_ledger.TryGetReservation(_original, out var original));
        Assert.Equal(ReservationState.Released, original.State);
    }

    // A cycle cancelled during a resize that took effect, then a region that answers the replays TransientFailure for
    // longer than the hold lives: the loop counts more rather than less, so the new shape must stay counted (the
    // replay that is still unknown commits it, as a lost answer within the cycle does), not expire while the replica
    // runs on it.
    [Fact]
    public async Task RunOnceAsync_CancelledDuringAResizeThatActed_ThenStillUnknown_KeepsTheNewShapeCountedPastItsHold()
    {
        var region = new CancelDuringResize(_region);
        using var loop = NewLoop(region);
        await CancelDuringAResizeThatActsAsync(loop, region);
        Assert.Equal("l", _region.GetReplicas()[_replica].Name); // it did resize

        region.Unanswered = true;
        Assert.Empty((await loop.RunOnceAsync()).Moves); // the replay is still unanswered
        _time.Advance(TimeSpan.FromMinutes(3)); // past the hold's 2 minutes

        var capacity = Capacity();
        Assert.Equal(2 + 8, (capacity.Committed + capacity.Held).CpuCores); // both shapes, as for a lost answer

        region.Unanswered = false;
        var settled = Assert.Single((await loop.RunOnceAsync()).Moves);
        Assert.Equal(ShapeMoveOutcome.Applied, settled.Outcome);
        Assert.Equal(8, Capacity().Committed.CpuCores);
        Assert.Equal(0, _ledger.CountHeld());
    }

    // The same, but the hold expires before the next cycle replays the key: the replay that is still unanswered can no
    // longer commit it, so the loop must count the new shape with a new reservation rather than leave the replica,
    // which may run on it, counted on its old shape alone.
    [Fact]
    public async Task RunOnceAsync_CancelledDuringAResizeThatActed_HoldExpiredBeforeTheReplay_CountsTheNewShapeAgain()
    {
        var region = new CancelDuringResize(_region);
        using var loop = NewLoop(region);
        await CancelDuringAResizeThatActsAsync(loop, region);
        Assert.Equal("l", _region.GetReplicas()[_replica].Name); // it did resize

        _time.Advance(TimeSpan.FromMinutes(3)); // past the hold's 2 minutes, before the next cycle
        region.Unanswered = true;
        Assert.Empty((await loop.RunOnceAsync()).Moves); // the replay is still unanswered

        var capacity = Capacity();
        Assert.Equal(2 + 8, capacity.Committed.CpuCores); // both shapes, committed: nothing left to expire
        _time.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(2 + 8, Capacity().Committed.CpuCores);

        region.Unanswered = false;
        var settled = Assert.Single((await loop.RunOnceAsync()).Moves);
        Assert.Equal(ShapeMoveOutcome.Applied, settled.Outcome);
        Assert.Equal(8, Capacity().Committed.CpuCores);
        Assert.Equal(0, _ledger.CountHeld());
        Assert.True(_inventory.TryGet(_replica, out var record));
        Assert.Equal("l", record.Shape.Name);
        Assert.True(_ledger.TryGetReservation(record.Reservation, out var reservation));
        Assert.Equal(ReservationState.Committed, reservation.State);
    }

    // The same after the ledger has forgotten the expired hold (NotFound: the in-memory ledger keeps finished
    // reservations for an hour by default): the new shape must still be counted.
    [Fact]
    public async Task RunOnceAsync_CancelledDuringAResizeThatActed_HoldExpiredAndForgotten_CountsTheNewShapeAgain()
    {
        var region = new CancelDuringResize(_region);
        using var loop = NewLoop(region);
        await CancelDuringAResizeThatActsAsync(loop, region);

        _time.Advance(TimeSpan.FromMinutes(3));
        await _ledger.ReclaimExpiredAsync();
        _time.Advance(TimeSpan.FromHours(2));
        await _ledger.ReclaimExpiredAsync(); // past the finished reservations' retention: forgotten
        region.Unanswered = true;
        Assert.Empty((await loop.RunOnceAsync()).Moves);

        Assert.Equal(2 + 8, Capacity().Committed.CpuCores);
        region.Unanswered = false;
        Assert.Equal(ShapeMoveOutcome.Applied, Assert.Single((await loop.RunOnceAsync()).Moves).Outcome);
        Assert.Equal(8, Capacity().Committed.CpuCores);
        Assert.Equal(0, _ledger.CountHeld());
    }

    // The hold expired before the replay, so the new shape is counted by a recount, committed. If the ledger then
    // answers NotFound for that recount (a ledger that lost it, against the contract: it still counts it), the loop
    // recounts again; the first recount must be released, or the new shape is counted twice and the first recount
    // stays committed after the move settles, released by nothing.
    [Fact]
    public async Task RunOnceAsync_RecountCommittedThenAnsweredNotFound_CountsTheNewShapeOnceAndLeaksNoReservation()
    {
        var ledger = new ScriptedLedger(_ledger);
        var region = new CancelDuringResize(_region);
        using var loop = NewLoop(region, ledger);
        await CancelDuringAResizeThatActsAsync(loop, region);
        _time.Advance(TimeSpan.FromMinutes(3)); // past the hold's 2 minutes
        region.Unanswered = true;

        Assert.Empty((await loop.RunOnceAsync()).Moves); // the hold's commit answers Expired: recounted
        Assert.Equal(2 + 8, Capacity().Committed.CpuCores);

        ledger.Commits(ScriptedLedger.Step.NotFound); // the recount's commit on the next replay
        Assert.Empty((await loop.RunOnceAsync()).Moves);
        Assert.Equal(2 + 8, Capacity().Committed.CpuCores); // the new shape once, by the second recount

        region.Unanswered = false;
        Assert.Equal(ShapeMoveOutcome.Applied, Assert.Single((await loop.RunOnceAsync()).Moves).Outcome);
        Assert.Equal(8, Capacity().Committed.CpuCores); // only what the replica runs on
        Assert.Equal(0, _ledger.CountHeld());
        Assert.True(_inventory.TryGet(_replica, out var record));
        Assert.Equal("l", record.Shape.Name);
        Assert.True(_ledger.TryGetReservation(record.Reservation, out var reservation));
        Assert.Equal(ReservationState.Committed, reservation.State);
    }

    // The region resizes the replica, then the ledger throws while the loop commits the new shape's reservation (before
    // or after the commit took effect). The resize happened, so the move must not be lost with the exception: the
    // replica ran on the large shape while the inventory kept it on the small one, and the new reservation was
    // forgotten (its hold expired, leaving 8 cores in use counted as 2; or, committed, it was released by nothing).
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RunOnceAsync_LedgerThrowsCommittingAResizeThatHappened_KeepsTheMoveUnknownAndSettlesIt(bool afterTheEffect)
    {
        var ledger = new ScriptedLedger(_ledger).Commits(afterTheEffect ? ScriptedLedger.Step.ThrowAfterEffect : ScriptedLedger.Step.Throw);
        using var loop = NewLoop(_region, ledger);

        var move = await PressUntilMoveAsync(loop);

        Assert.Equal(ShapeMoveOutcome.ResizeOutcomeUnknown, move.Outcome);
        Assert.IsType<InvalidOperationException>(loop.LastError);
        Assert.Equal("l", _region.GetReplicas()[_replica].Name); // it did resize
        Assert.Equal(2 + 8, (Capacity().Committed + Capacity().Held).CpuCores); // both shapes, meanwhile

        var settled = Assert.Single((await loop.RunOnceAsync()).Moves);

        Assert.Equal(ShapeMoveOutcome.Applied, settled.Outcome);
        AssertOnTheLargeShape();
    }

    // The same when the resize's answers were lost and the loop commits the new reservation to count both shapes: a
    // ledger that throws there must not lose the move either (the hold would expire while the replica runs on it).
    [Fact]
    public async Task RunOnceAsync_LedgerThrowsCommittingAnUnknownResize_KeepsTheMoveUnknownAndSettlesIt()
    {
        var ledger = new ScriptedLedger(_ledger).Commits(ScriptedLedger.Step.Throw);
        using var loop = NewLoop(_region, ledger);
        _region.LostResponseRate = 1;

        var move = await PressUntilMoveAsync(loop);

        Assert.Equal(ShapeMoveOutcome.ResizeOutcomeUnknown, move.Outcome);
        Assert.IsType<InvalidOperationException>(loop.LastError);
        Assert.Equal("l", _region.GetReplicas()[_replica].Name);

        _region.LostResponseRate = 0;
        _time.Advance(TimeSpan.FromMinutes(3)); // past the hold's 2 minutes: the settlement counts the new shape anew
        var settled = Assert.Single((await loop.RunOnceAsync()).Moves);

        Assert.Equal(ShapeMoveOutcome.Applied, settled.Outcome);
        AssertOnTheLargeShape();
    }

    // A resize whose answers were lost settles on the next cycle, which records the move and then fails releasing the
    // old reservation (the ledger throws). The move is recorded, so a later cycle must not finish it again: it did, and
    // with the commit unanswered and no room for a recount it released the reservation the replica was recorded on,
    // leaving it counted by nothing.
    [Fact]
    public async Task RunOnceAsync_SettledMoveWhoseOldReleaseThrew_IsNotFinishedAgain()
    {
        var ledger = new ScriptedLedger(_ledger)
            .Commits(ScriptedLedger.Step.Through, ScriptedLedger.Step.Through, ScriptedLedger.Step.Unavailable, ScriptedLedger.Step.Unavailable, ScriptedLedger.Step.Unavailable)
            .Releases(ScriptedLedger.Step.Throw);
        using var loop = NewLoop(_region, ledger);
        _region.LostResponseRate = 1;
        Assert.Equal(ShapeMoveOutcome.ResizeOutcomeUnknown, (await PressUntilMoveAsync(loop)).Outcome);

        _region.LostResponseRate = 0;
        await Assert.ThrowsAsync<InvalidOperationException>(() => loop.RunOnceAsync()); // recorded, then the old release threw
        Assert.True(_inventory.TryGet(_replica, out var recorded));
        Assert.Equal("l", recorded.Shape.Name);
        _ledger.SetRegionCapacity("eu", new ResourceVector(10, 40, 250, 5)); // no room for another 8 cores

        await loop.RunOnceAsync();

        Assert.True(_inventory.TryGet(_replica, out var record));
        Assert.Equal(recorded.Reservation, record.Reservation);
        Assert.True(_ledger.TryGetReservation(record.Reservation, out var reservation));
        Assert.Equal(ReservationState.Committed, reservation.State);
    }

    // The resize outlasts its hold, so the loop counts the new shape with a second reservation; the ledger commits that
    // one and then throws. The move stays unknown and the next cycle finishes it with a third; the second, which
    // accounts for nothing, must not stay committed beside it.
    [Fact]
    public async Task RunOnceAsync_ReplacementCommitThrowsAfterTheEffect_LeavesNoReservationCommittedForNothing()
    {
        var ledger = new ScriptedLedger(_ledger).Commits(ScriptedLedger.Step.Through, ScriptedLedger.Step.ThrowAfterEffect);
        using var loop = NewLoop(new SlowResize(_region, _time, TimeSpan.FromMinutes(3)), ledger); // the hold lives 2 minutes

        Assert.Equal(ShapeMoveOutcome.ResizeOutcomeUnknown, (await PressUntilMoveAsync(loop)).Outcome);

        Assert.Equal(ShapeMoveOutcome.Applied, Assert.Single((await loop.RunOnceAsync()).Moves).Outcome);
        AssertOnTheLargeShape();
    }

    // The move settled: the inventory names the shape the region runs, on a committed reservation, and the ledger counts
    // exactly that, with nothing held.
    private void AssertOnTheLargeShape()
    {
        Assert.True(_inventory.TryGet(_replica, out var record));
        Assert.Equal("l", record.Shape.Name);
        Assert.True(_ledger.TryGetReservation(record.Reservation, out var reservation));
        Assert.Equal(ReservationState.Committed, reservation.State);
        Assert.Equal(8, Capacity().Committed.CpuCores);
        Assert.Equal(0, _ledger.CountHeld());
    }

    /// <summary>Presses the replica until the loop moves it up, and cancels the cycle during the resize, which acts.</summary>
    private async Task CancelDuringAResizeThatActsAsync(ShapeAdjustmentLoop loop, CancelDuringResize region)
    {
        using var cancel = new CancellationTokenSource();
        region.Cancel = cancel;
        var at = _time.GetUtcNow();
        _source.Enqueue(new ReplicaUtilization("eu", _replica, "s", at, new ResourceVector(1.9, 1, 1, 0.1)));
        Assert.Empty((await loop.RunOnceAsync()).Moves);
        _source.Enqueue(new ReplicaUtilization("eu", _replica, "s", at.AddSeconds(5), new ResourceVector(1.9, 1, 1, 0.1)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop.RunOnceAsync(cancel.Token));
    }

    private ShapeAdjustmentLoop NewLoop(IProvisioner provisioner, ICapacityLedger? ledger = null)
    {
        var policy = new ScalerPolicy(
            upStabilizationWindow: TimeSpan.FromSeconds(1), downStabilizationWindow: TimeSpan.FromSeconds(1), cooldown: TimeSpan.Zero, smoothingTimeConstant: TimeSpan.Zero);
        return new ShapeAdjustmentLoop(
            _source, ledger ?? _ledger, provisioner, _inventory, new HysteresisScaler(new ShapeCatalog([Small, Large]), policy),
            options: new ShapeAdjustmentOptions(retryBackoff: TimeSpan.Zero), timeProvider: _time);
    }

    /// <summary>Two observations of 95 % CPU, five seconds apart: the second one moves the replica up.</summary>
    private async Task<ShapeMove> PressUntilMoveAsync(ShapeAdjustmentLoop loop)
    {
        var at = _time.GetUtcNow();
        _source.Enqueue(new ReplicaUtilization("eu", _replica, "s", at, new ResourceVector(1.9, 1, 1, 0.1)));
        Assert.Empty((await loop.RunOnceAsync()).Moves);
        _source.Enqueue(new ReplicaUtilization("eu", _replica, "s", at.AddSeconds(5), new ResourceVector(1.9, 1, 1, 0.1)));
        return Assert.Single((await loop.RunOnceAsync()).Moves);
    }

    private RegionCapacity Capacity()
    {
        Assert.True(_ledger.TryGetRegionCapacity("eu", out var capacity));
        return capacity;
    }

    /// <summary>
    /// The first resize calls through, then cancels <see cref="Cancel"/> and throws as a cancelled call does; while
    /// <see cref="Unanswered"/>, resizes answer TransientFailure without calling through.
    /// </summary>
    private sealed class CancelDuringResize(IProvisioner inner) : IProvisioner
    {
        public CancellationTokenSource? Cancel { get; set; }

        public bool Unanswered { get; set; }

        public ValueTask<ProvisionResult> ProvisionAsync(ProvisionRequest request, CancellationToken cancellationToken = default) =>
            inner.ProvisionAsync(request, cancellationToken);

        public async ValueTask<ProvisionResult> ResizeAsync(ResizeRequest request, CancellationToken cancellationToken = default)
        {
            if (Unanswered)
            {
                return ProvisionResult.Failure(ProvisionStatus.TransientFailure, "scripted: unanswered");
            }

            var result = await inner.ResizeAsync(request, cancellationToken);
            if (Cancel is { } cancel)
            {
                Cancel = null;
                await cancel.CancelAsync();
                cancellationToken.ThrowIfCancellationRequested();
            }

            return result;
        }

        public ValueTask<ProvisionResult> ReleaseAsync(string region, string replicaId, CancellationToken cancellationToken = default) =>
            inner.ReleaseAsync(region, replicaId, cancellationToken);
    }

    /// <summary>Resizes through the inner provisioner, then lets <paramref name="take"/> pass on the fake clock.</summary>
    private sealed class SlowResize(IProvisioner inner, FakeTimeProvider time, TimeSpan take) : IProvisioner
    {
        public ValueTask<ProvisionResult> ProvisionAsync(ProvisionRequest request, CancellationToken cancellationToken = default) =>
            inner.ProvisionAsync(request, cancellationToken);

        public async ValueTask<ProvisionResult> ResizeAsync(ResizeRequest request, CancellationToken cancellationToken = default)
        {
            var result = await inner.ResizeAsync(request, cancellationToken);
            time.Advance(take);
            return result;
        }

        public ValueTask<ProvisionResult> ReleaseAsync(string region, string replicaId, CancellationToken cancellationToken = default) =>
            inner.ReleaseAsync(region, replicaId, cancellationToken);
    }
}
