using FsCheck.Xunit;
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
    public async Task CommitAndRelease_ExpiredHoldNotReclaimedYet_ReportItExpired()
    {
        // The PostgreSQL ledger's CommitAndRelease_ExpiredHoldNotSweptYet_ReportItExpiredAsTheInMemoryLedgerDoes is the
        // same sequence: both ledgers must answer it alike.
        var ledger = NewLedger();
        var request = Request("a");
        await ledger.TryReserveAsync(request);
        _time.Advance(Ttl * 2);

        var commit = await ledger.CommitAsync(request.Id);
        var release = await ledger.ReleaseAsync(request.Id);
        var replay = await ledger.TryReserveAsync(request);

        Assert.Equal(ReservationStatus.Expired, commit.Status);
        Assert.Equal(ReservationState.Expired, commit.Reservation!.State);
        Assert.Equal(ReservationStatus.Succeeded, release.Status);
        Assert.Equal(ReservationState.Expired, release.Reservation!.State);
        Assert.Equal(ReservationStatus.Expired, replay.Status);
        Assert.Equal(RegionTotal, await ledger.GetFreeCapacityAsync("eu"));
        Assert.Equal(0, await ledger.ReclaimExpiredAsync());
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
    public async Task FinishedRetention_Passed_ReplayOfTheIdReservesAgainWithoutASweepInBetween()
    {
        // "After that a replay of their id reserves again": the replay looked the id up before anything forgot what was
        // due, so it answered Conflict (released) or Expired for as long as no other reserve, read or sweep ran.
        var ledger = new InMemoryCapacityLedger([new("eu", RegionTotal)], _time, TimeSpan.FromMinutes(30));
        await ledger.TryReserveAsync(Request("released"));
        await ledger.ReleaseAsync(new ReservationId("released"));
        await ledger.TryReserveAsync(Request("expired", ttl: TimeSpan.FromMinutes(1)));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(ReservationStatus.Expired, (await ledger.CommitAsync(new ReservationId("expired"))).Status);
        _time.Advance(TimeSpan.FromMinutes(30));

        Assert.Equal(ReservationStatus.NotFound, (await ledger.CommitAsync(new ReservationId("expired"))).Status);
        Assert.Equal(ReservationStatus.NotFound, (await ledger.ReleaseAsync(new ReservationId("released"))).Status);
        var again = await ledger.TryReserveAsync(Request("released"));
        Assert.Equal(ReservationStatus.Succeeded, again.Status);
        Assert.Equal(ReservationState.Held, again.Reservation!.State);
        Assert.Equal(ReservationStatus.Succeeded, (await ledger.TryReserveAsync(Request("expired", ttl: TimeSpan.FromMinutes(1)))).Status);
        Assert.True(ledger.TryGetRegionCapacity("eu", out var capacity));
        Assert.Equal(PerReplica * 4, capacity.Held);
    }

    // A retention the constructor accepts, up to TimeSpan.MaxValue ("remember finished reservations for good"), reaches
    // past the last representable time: every operation that reclaims (each reserve, each capacity read) threw
    // ArgumentOutOfRangeException once one reservation had finished, so the ledger could reserve nothing more.
    [Fact]
    public async Task FinishedRetention_BeyondTheLastRepresentableTime_RemembersForGoodAndKeepsWorking()
    {
        var ledger = new InMemoryCapacityLedger([new("eu", RegionTotal)], _time, TimeSpan.MaxValue);
        await ledger.TryReserveAsync(Request("a"));
        await ledger.ReleaseAsync(new ReservationId("a"));
        _time.Advance(TimeSpan.FromDays(3650));

        Assert.Equal(ReservationStatus.Succeeded, (await ledger.TryReserveAsync(Request("b"))).Status);
        Assert.Equal(0, await ledger.ReclaimExpiredAsync());
        Assert.True(ledger.TryGetRegionCapacity("eu", out var capacity));
        Assert.Equal(PerReplica * 2, capacity.Held);
        Assert.True(ledger.TryGetReservation(new ReservationId("a"), out var released));
        Assert.Equal(ReservationState.Released, released.State);
        Assert.Equal(ReservationStatus.Conflict, (await ledger.TryReserveAsync(Request("a"))).Status); // still remembered
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
    public async Task TryReserve_TwoAmountsNearMaxAmountOverflowingLong_SecondIsInsufficient()
    {
        // 5e9 + 5e9 cores is 1e19 nano-cores, past long.MaxValue: the sum used to wrap negative and "fit".
        var ledger = new InMemoryCapacityLedger([new("big", new ResourceVector(CapacityLimits.MaxAmount, 1, 1, 1))], _time);
        var half = new ResourceVector(5e9, 0, 0, 0);
        var a = await ledger.TryReserveAsync(new ReservationRequest(new ReservationId("a"), "big", "x", half, 1, Ttl));
        var b = await ledger.TryReserveAsync(new ReservationRequest(new ReservationId("b"), "big", "x", half, 1, Ttl));
        Assert.Equal(ReservationStatus.Succeeded, a.Status);
        Assert.Equal(ReservationStatus.InsufficientCapacity, b.Status);
        Assert.True(ledger.TryGetRegionCapacity("big", out var capacity));
        Assert.Equal(5e9, capacity.Held.CpuCores);
        Assert.Equal(4e9, capacity.Free.CpuCores);

        // The same with the first amount committed rather than held.
        await ledger.CommitAsync(new ReservationId("a"));
        b = await ledger.TryReserveAsync(new ReservationRequest(new ReservationId("b"), "big", "x", half, 1, Ttl));
        Assert.Equal(ReservationStatus.InsufficientCapacity, b.Status);
        Assert.True(ledger.TryGetRegionCapacity("big", out capacity));
        Assert.Equal(5e9, capacity.Committed.CpuCores);
        Assert.Equal(0, capacity.Held.CpuCores);
    }

    /// <summary>
    /// Random reserves, commits, releases and capacity changes with CPU amounts up to <see cref="CapacityLimits.MaxAmount"/>
    /// against a model in whole cores: a reservation succeeds exactly when it fits what is left, and what the ledger
    /// reports as used is exactly the model's. Amounts are multiples of 1024 cores so that they are exact in nano-cores
    /// too, and the model has no rounding to argue about.
    /// </summary>
    [Property(MaxTest = 200)]
    public bool TryReserve_AmountsNearMaxAmount_AcceptsExactlyWhatFits(int seed)
    {
        const long Step = 1024;
        const long MaxSteps = (long)(CapacityLimits.MaxAmount / Step);
        var random = new Random(seed);
        long Draw(long maxSteps) => Step * (random.Next(2) == 0
            ? random.NextInt64(0, maxSteps + 1)                              // anywhere
            : Math.Max(0, maxSteps - random.NextInt64(0, (maxSteps / 8) + 1))); // near the top

        var total = Draw(MaxSteps);
        var ledger = new InMemoryCapacityLedger([new("big", new ResourceVector(total, 1, 1, 1))], _time);
        var live = new Dictionary<string, long>();
        var next = 0;
        for (var op = 0; op < 40; op++)
        {
            var kind = random.Next(10);
            if (kind < 6)
            {
                var amount = Draw(MaxSteps);
                var id = $"r{next++}";
                var result = ledger.TryReserveAsync(new ReservationRequest(
                    new ReservationId(id), "big", "x", new ResourceVector(amount, 0, 0, 0), 1, Ttl)).AsTask().GetAwaiter().GetResult();
                var fits = live.Values.Sum() + amount <= total;
                if (result.IsSuccess != fits)
                {
                    return false;
                }

                if (fits)
                {
                    live.Add(id, amount);
                }
            }
            else if (kind < 8 && live.Count > 0)
            {
                var id = live.Keys.ElementAt(random.Next(live.Count));
                ledger.CommitAsync(new ReservationId(id)).AsTask().GetAwaiter().GetResult();
            }
            else if (kind < 9 && live.Count > 0)
            {
                var id = live.Keys.ElementAt(random.Next(live.Count));
                ledger.ReleaseAsync(new ReservationId(id)).AsTask().GetAwaiter().GetResult();
                live.Remove(id);
            }
            else
            {
                total = Draw(MaxSteps);
                ledger.SetRegionCapacity("big", new ResourceVector(total, 1, 1, 1));
            }

            if (!ledger.TryGetRegionCapacity("big", out var capacity)
                || capacity.Held.CpuCores < 0
                || capacity.Committed.CpuCores < 0
                || (long)(capacity.Held.CpuCores + capacity.Committed.CpuCores) != live.Values.Sum()
                || capacity.Free.CpuCores != Math.Max(0, total - live.Values.Sum()))
            {
                return false;
            }
        }

        return true;
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
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await ledger.TryReserveAsync(Request("a", replicas: 0)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await ledger.TryReserveAsync(Request("a", ttl: TimeSpan.Zero)));
        await Assert.ThrowsAsync<ArgumentException>(async () => await ledger.TryReserveAsync(Request("")));
    }

    [Theory]
    [InlineData(null, "eu", "m", "ReservationRequest.Id")]
    [InlineData("a", null, "m", "ReservationRequest.Region")]
    [InlineData("a", "eu", null, "ReservationRequest.ShapeName")]
    [InlineData("a", " ", "m", "ReservationRequest.Region")]
    [InlineData("a", "eu", "", "ReservationRequest.ShapeName")]
    public async Task TryReserve_BlankMember_MessageNamesTheMember(string? id, string? region, string? shape, string member)
    {
        var ledger = NewLedger();
        var request = new ReservationRequest(new ReservationId(id!), region!, shape!, PerReplica, 1, Ttl);
        var error = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await ledger.TryReserveAsync(request));
        Assert.Equal("request", error.ParamName);
        Assert.Contains(member, error.Message, StringComparison.Ordinal);
        Assert.Equal(RegionTotal, await ledger.GetFreeCapacityAsync("eu"));
    }

    [Fact]
    public async Task TryReserve_InvalidAmounts_MessageNamesTheMember()
    {
        var ledger = NewLedger();
        var negative = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            async () => await ledger.TryReserveAsync(Request("a") with { PerReplica = new ResourceVector(-1, 0, 0, 0) }));
        Assert.Equal("request", negative.ParamName);
        Assert.Contains("ReservationRequest.PerReplica", negative.Message, StringComparison.Ordinal);

        var tooLarge = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            async () => await ledger.TryReserveAsync(Request("a", replicas: 2) with { PerReplica = new ResourceVector(5e9, 0, 0, 0) }));
        Assert.Contains("ReservationRequest.Total", tooLarge.Message, StringComparison.Ordinal);

        var ttl = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await ledger.TryReserveAsync(Request("a", ttl: TimeSpan.Zero)));
        Assert.Contains("ReservationRequest.TimeToLive", ttl.Message, StringComparison.Ordinal);

        // Used to throw the BCL's "un-representable DateTime" from now + TimeToLive, naming no member.
        var endless = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await ledger.TryReserveAsync(Request("a", ttl: TimeSpan.MaxValue)));
        Assert.Contains("ReservationRequest.TimeToLive", endless.Message, StringComparison.Ordinal);
        Assert.Equal("request", endless.ParamName);
    }

    [Fact]
    public async Task TryReserve_ExactlyAtTheSharedLimits_Succeeds()
    {
        var max = CapacityLimits.MaxAmount;
        var all = new ResourceVector(max, max, max, max);
        var ledger = new InMemoryCapacityLedger([new("big", all)], _time);

        var whole = await ledger.TryReserveAsync(new ReservationRequest(new ReservationId("whole"), "big", "x", all, 1, CapacityLimits.MaxTimeToLive));

        Assert.Equal(ReservationStatus.Succeeded, whole.Status);
        Assert.Equal(_time.GetUtcNow() + CapacityLimits.MaxTimeToLive, whole.Reservation!.ExpiresAt);
        Assert.Equal(ResourceVector.Zero, await ledger.GetFreeCapacityAsync("big"));

        // A total exactly at the limit, made of two replicas.
        await ledger.ReleaseAsync(new ReservationId("whole"));
        var halves = await ledger.TryReserveAsync(new ReservationRequest(new ReservationId("halves"), "big", "x", all * 0.5, 2, Ttl));
        Assert.Equal(ReservationStatus.Succeeded, halves.Status);
        Assert.Equal(ResourceVector.Zero, await ledger.GetFreeCapacityAsync("big"));
    }

    [Fact]
    public async Task TryReserveOrSetCapacity_JustAboveTheSharedLimits_ThrowsNamingTheParameterAndMember()
    {
        var max = CapacityLimits.MaxAmount;
        var above = Math.BitIncrement(max);
        var ledger = new InMemoryCapacityLedger([new("big", new ResourceVector(max, max, max, max))], _time);
        var request = new ReservationRequest(new ReservationId("a"), "big", "x", new ResourceVector(1, 1, 1, 1), 1, Ttl);

        var perReplica = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            async () => await ledger.TryReserveAsync(request with { PerReplica = new ResourceVector(1, 1, above, 1) }));
        var total = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            async () => await ledger.TryReserveAsync(request with { PerReplica = new ResourceVector((max / 2) + 1, 1, 1, 1), Replicas = 2 }));
        var ttl = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            async () => await ledger.TryReserveAsync(request with { TimeToLive = CapacityLimits.MaxTimeToLive + TimeSpan.FromTicks(1) }));
        var capacity = Assert.Throws<ArgumentOutOfRangeException>(() => ledger.SetRegionCapacity("big", new ResourceVector(above, 1, 1, 1)));

        Assert.All([perReplica, total, ttl], e => Assert.Equal("request", e.ParamName));
        Assert.StartsWith("ReservationRequest.PerReplica must be at most 9e9 units in every dimension (CapacityLimits.MaxAmount)", perReplica.Message, StringComparison.Ordinal);
        Assert.StartsWith("ReservationRequest.Total (PerReplica × Replicas) must be at most 9e9 units", total.Message, StringComparison.Ordinal);
        Assert.StartsWith("ReservationRequest.TimeToLive must be positive and at most 365 days (CapacityLimits.MaxTimeToLive)", ttl.Message, StringComparison.Ordinal);
        Assert.Equal("total", capacity.ParamName);
        Assert.StartsWith("total must be at most 9e9 units in every dimension (CapacityLimits.MaxAmount)", capacity.Message, StringComparison.Ordinal);
        Assert.True(ledger.TryGetRegionCapacity("big", out var after));
        Assert.Equal(new ResourceVector(max, max, max, max), after.Free);
        Assert.Equal(0, ledger.CountHeld());
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
