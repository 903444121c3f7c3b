using Microsoft.Extensions.Time.Testing;
using Shaping.Core.Capacity;
using Shaping.Core.Resources;

namespace Shaping.Core.Tests.Capacity;

public sealed class InMemoryCapacityLedgerTests
{
    private static readonly ResourceVector RegionTotal = new(64, 256, 1024, 40);
    private static readonly ResourceVector PerReplica = new(4, 16, 100, 2);
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(5);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero));

    private InMemoryCapacityLedger NewLedger() => new([new("eu", RegionTotal)], _time);

    private static ReservationRequest Request(string id, int replicas = 2, string region = "eu", TimeSpan? ttl = null) =>
        new(new ReservationId(id), region, "m-4x16", PerReplica, replicas, ttl ?? Ttl);

    [Fact]
    public async Task TryReserve_Enough_HoldsAndReducesFree()
    {
        var ledger = NewLedger();
        var result = await ledger.TryReserveAsync(Request("a"));
        Assert.Equal(ReservationStatus.Succeeded, result.Status);
        Assert.Equal(ReservationState.Held, result.Reservation!.State);
        Assert.Equal(_time.GetUtcNow() + Ttl, result.Reservation.ExpiresAt);
        Assert.True(ledger.TryGetRegionCapacity("eu", out var capacity));
        Assert.Equal(PerReplica * 2, capacity.Held);
        Assert.Equal(RegionTotal - (PerReplica * 2), capacity.Free);
        Assert.Equal(RegionTotal - (PerReplica * 2), await ledger.GetFreeCapacityAsync("eu"));
    }

    [Fact]
    public async Task TryReserve_OneDimensionShort_InsufficientAndNothingHeld()
    {
        var ledger = new InMemoryCapacityLedger([new("eu", RegionTotal with { NetworkGbps = 3 })], _time);
        var result = await ledger.TryReserveAsync(Request("a"));
        Assert.Equal(ReservationStatus.InsufficientCapacity, result.Status);
        Assert.True(ledger.TryGetRegionCapacity("eu", out var capacity));
        Assert.Equal(ResourceVector.Zero, capacity.Used);
    }

    [Fact]
    public async Task TryReserve_UnknownRegion_UnknownRegion()
    {
        var result = await NewLedger().TryReserveAsync(Request("a", region: "us"));
        Assert.Equal(ReservationStatus.UnknownRegion, result.Status);
    }

    [Fact]
    public async Task TryReserve_SameIdSameContent_ReturnsSameReservationOnce()
    {
        var ledger = NewLedger();
        var first = await ledger.TryReserveAsync(Request("a"));
        var second = await ledger.TryReserveAsync(Request("a"));
        Assert.Equal(ReservationStatus.Succeeded, second.Status);
        Assert.Equal(first.Reservation, second.Reservation);
        Assert.True(ledger.TryGetRegionCapacity("eu", out var capacity));
        Assert.Equal(PerReplica * 2, capacity.Held);
    }

    [Fact]
    public async Task TryReserve_SameIdDifferentContent_Conflict()
    {
        var ledger = NewLedger();
        await ledger.TryReserveAsync(Request("a"));
        var result = await ledger.TryReserveAsync(Request("a", replicas: 3));
        Assert.Equal(ReservationStatus.Conflict, result.Status);
        Assert.True(ledger.TryGetRegionCapacity("eu", out var capacity));
        Assert.Equal(PerReplica * 2, capacity.Held);
    }

    [Fact]
    public async Task Commit_Held_CommitsAndNeverExpires()
    {
        var ledger = NewLedger();
        await ledger.TryReserveAsync(Request("a"));
        var committed = await ledger.CommitAsync(new ReservationId("a"));
        Assert.Equal(ReservationStatus.Succeeded, committed.Status);
        Assert.Equal(ReservationState.Committed, committed.Reservation!.State);
        Assert.Equal(ReservationStatus.Succeeded, (await ledger.CommitAsync(new ReservationId("a"))).Status);

        _time.Advance(Ttl * 10);
        Assert.Equal(0, await ledger.ReclaimExpiredAsync());
        Assert.True(ledger.TryGetRegionCapacity("eu", out var capacity));
        Assert.Equal(PerReplica * 2, capacity.Committed);
        Assert.Equal(ResourceVector.Zero, capacity.Held);
    }

    [Fact]
    public async Task Commit_AfterExpiry_ExpiredAndCapacityReturned()
    {
        var ledger = NewLedger();
        await ledger.TryReserveAsync(Request("a"));
        _time.Advance(Ttl);
        var result = await ledger.CommitAsync(new ReservationId("a"));
        Assert.Equal(ReservationStatus.Expired, result.Status);
        Assert.Equal(ReservationState.Expired, result.Reservation!.State);
        Assert.Equal(RegionTotal, await ledger.GetFreeCapacityAsync("eu"));
    }

    [Fact]
    public async Task Commit_Unknown_NotFound()
    {
        Assert.Equal(ReservationStatus.NotFound, (await NewLedger().CommitAsync(new ReservationId("nope"))).Status);
    }

    [Fact]
    public async Task Commit_Released_Conflict()
    {
        var ledger = NewLedger();
        await ledger.TryReserveAsync(Request("a"));
        await ledger.ReleaseAsync(new ReservationId("a"));
        Assert.Equal(ReservationStatus.Conflict, (await ledger.CommitAsync(new ReservationId("a"))).Status);
    }

    [Fact]
    public async Task Release_HeldOrCommitted_ReturnsCapacityAndIsIdempotent()
    {
        var ledger = NewLedger();
        await ledger.TryReserveAsync(Request("a"));
        await ledger.TryReserveAsync(Request("b"));
        await ledger.CommitAsync(new ReservationId("b"));

        Assert.Equal(ReservationStatus.Succeeded, (await ledger.ReleaseAsync(new ReservationId("a"))).Status);
        Assert.Equal(ReservationStatus.Succeeded, (await ledger.ReleaseAsync(new ReservationId("b"))).Status);
        var again = await ledger.ReleaseAsync(new ReservationId("b"));
        Assert.Equal(ReservationStatus.Succeeded, again.Status);
        Assert.Equal(ReservationState.Released, again.Reservation!.State);
        Assert.Equal(RegionTotal, await ledger.GetFreeCapacityAsync("eu"));
    }

    [Fact]
    public async Task TryReserve_ReplayAfterRelease_ConflictAndNothingHeld()
    {
        var ledger = NewLedger();
        await ledger.TryReserveAsync(Request("a"));
        await ledger.ReleaseAsync(new ReservationId("a"));
        Assert.Equal(ReservationStatus.Conflict, (await ledger.TryReserveAsync(Request("a"))).Status);
        Assert.Equal(RegionTotal, await ledger.GetFreeCapacityAsync("eu"));
    }

    [Fact]
    public async Task ReclaimExpired_PastExpiry_CountsAndFrees()
    {
        var ledger = NewLedger();
        await ledger.TryReserveAsync(Request("a", ttl: TimeSpan.FromMinutes(1)));
        await ledger.TryReserveAsync(Request("b", ttl: TimeSpan.FromMinutes(10)));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await ledger.ReclaimExpiredAsync());
        Assert.Equal(0, await ledger.ReclaimExpiredAsync());
        Assert.Equal(1, ledger.CountHeld());
        Assert.True(ledger.TryGetReservation(new ReservationId("a"), out var expired));
        Assert.Equal(ReservationState.Expired, expired.State);
    }

    [Fact]
    public async Task TryReserve_FullOfExpiredHolds_ReclaimsThenSucceeds()
    {
        var ledger = new InMemoryCapacityLedger([new("eu", PerReplica * 2)], _time);
        await ledger.TryReserveAsync(Request("a"));
        Assert.Equal(ReservationStatus.InsufficientCapacity, (await ledger.TryReserveAsync(Request("b"))).Status);
        _time.Advance(Ttl);
        Assert.Equal(ReservationStatus.Succeeded, (await ledger.TryReserveAsync(Request("b"))).Status);
    }

    [Fact]
    public async Task FinishedRetention_Passed_ForgetsFinishedReservation()
    {
        var ledger = new InMemoryCapacityLedger([new("eu", RegionTotal)], _time, TimeSpan.FromMinutes(30));
        await ledger.TryReserveAsync(Request("a"));
        await ledger.ReleaseAsync(new ReservationId("a"));
        _time.Advance(TimeSpan.FromMinutes(30));
        await ledger.ReclaimExpiredAsync();
        Assert.False(ledger.TryGetReservation(new ReservationId("a"), out _));
        Assert.Equal(ReservationStatus.NotFound, (await ledger.ReleaseAsync(new ReservationId("a"))).Status);
    }

    [Fact]
    public async Task SetRegionCapacity_Lowered_NoNewReservationUntilFreed()
    {
        var ledger = NewLedger();
        await ledger.TryReserveAsync(Request("a"));
        ledger.SetRegionCapacity("eu", PerReplica);
        Assert.True(ledger.TryGetRegionCapacity("eu", out var capacity));
        Assert.Equal(ResourceVector.Zero, capacity.Free);
        Assert.Equal(ReservationStatus.InsufficientCapacity, (await ledger.TryReserveAsync(Request("b", replicas: 1))).Status);
        await ledger.ReleaseAsync(new ReservationId("a"));
        Assert.Equal(ReservationStatus.Succeeded, (await ledger.TryReserveAsync(Request("b", replicas: 1))).Status);
    }

    [Fact]
    public void SetRegionCapacity_Invalid_Throws()
    {
        var ledger = NewLedger();
        Assert.Throws<ArgumentOutOfRangeException>(() => ledger.SetRegionCapacity("x", new ResourceVector(-1, 0, 0, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ledger.SetRegionCapacity("x", new ResourceVector(1e10, 0, 0, 0)));
        Assert.Throws<ArgumentException>(() => ledger.SetRegionCapacity(" ", RegionTotal));
    }

    [Fact]
    public async Task TryReserve_InvalidRequest_Throws()
    {
        var ledger = NewLedger();
        await Assert.ThrowsAsync<ArgumentException>(async () => await ledger.TryReserveAsync(Request("a", replicas: 0)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await ledger.TryReserveAsync(Request("a", ttl: TimeSpan.Zero)));
        await Assert.ThrowsAsync<ArgumentException>(async () => await ledger.TryReserveAsync(Request("")));
    }

    [Fact]
    public async Task TryReserve_Cancelled_ThrowsAndTakesNothing()
    {
        var ledger = NewLedger();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await ledger.TryReserveAsync(Request("a"), new CancellationToken(true)));
        Assert.Equal(RegionTotal, await ledger.GetFreeCapacityAsync("eu"));
    }

    [Fact]
    public async Task TryReserve_ConcurrentForLastCapacity_ExactlyCapacityWins()
    {
        // Room for exactly 10 single-replica reservations; 64 racers.
        var ledger = new InMemoryCapacityLedger([new("eu", PerReplica * 10)], _time);
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, 64).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await ledger.TryReserveAsync(Request($"r{i}", replicas: 1));
        })).ToArray();
        start.Set();
        var results = await Task.WhenAll(tasks);
        Assert.Equal(10, results.Count(r => r.IsSuccess));
        Assert.Equal(ResourceVector.Zero, await ledger.GetFreeCapacityAsync("eu"));
    }
}
