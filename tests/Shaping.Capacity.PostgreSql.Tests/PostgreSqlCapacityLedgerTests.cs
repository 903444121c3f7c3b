using Microsoft.Extensions.Time.Testing;
using Shaping.Capacity.PostgreSql.Tests.Infrastructure;
using Shaping.Core.Capacity;
using Shaping.Core.Resources;

namespace Shaping.Capacity.PostgreSql.Tests;

public sealed class PostgreSqlCapacityLedgerTests(PostgresSchemaFixture db) : IClassFixture<PostgresSchemaFixture>
{
    private static readonly ResourceVector Capacity = new(16, 64, 512, 10);
    private static readonly ResourceVector Small = new(2, 4, 20, 0.5);

    private static ReservationRequest Request(string region, string? id = null, ResourceVector? perReplica = null, int replicas = 1, double ttlMinutes = 5) =>
        new(ReservationId.Create(id ?? Guid.NewGuid().ToString("N")), region, "m.small", perReplica ?? Small, replicas, TimeSpan.FromMinutes(ttlMinutes));

    private async Task<(PostgreSqlCapacityLedger Ledger, FakeTimeProvider Time, string Region)> NewRegionAsync(ResourceVector? capacity = null)
    {
        var time = new FakeTimeProvider();
        var ledger = db.CreateLedger(time);
        var region = "r-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(RegionCapacityStatus.Succeeded, await ledger.SetRegionCapacityAsync(region, capacity ?? Capacity));
        return (ledger, time, region);
    }

    [PostgresFact]
    public async Task TryReserve_Fits_HoldsAndTakesCapacity()
    {
        var (ledger, time, region) = await NewRegionAsync();
        var request = Request(region, replicas: 3);

        var result = await ledger.TryReserveAsync(request);

        Assert.Equal(ReservationStatus.Succeeded, result.Status);
        Assert.Equal(ReservationState.Held, result.Reservation!.State);
        Assert.Equal(time.GetUtcNow() + request.TimeToLive, result.Reservation.ExpiresAt);
        Assert.Equal(Capacity - (Small * 3), await ledger.GetFreeCapacityAsync(region));
        Assert.Equal(0, await db.ViolationsAsync());
    }

    [PostgresFact]
    public async Task TryReserve_Replayed_SucceedsAgainAndTakesOnce()
    {
        var (ledger, _, region) = await NewRegionAsync();
        var request = Request(region, replicas: 2);

        var first = await ledger.TryReserveAsync(request);
        var replay = await ledger.TryReserveAsync(request);

        Assert.Equal(ReservationStatus.Succeeded, replay.Status);
        Assert.Equal(first.Reservation, replay.Reservation);
        Assert.Equal(Capacity - (Small * 2), await ledger.GetFreeCapacityAsync(region));
    }

    [PostgresFact]
    public async Task TryReserve_ConcurrentSameIdFromFourInstances_TakesOnce()
    {
        var (_, time, region) = await NewRegionAsync();
        var ledgers = Enumerable.Range(0, 4).Select(_ => db.CreateLedger(time)).ToArray();
        var request = Request(region, replicas: 2);

        var results = await Task.WhenAll(ledgers.Select(l => l.TryReserveAsync(request).AsTask()));

        Assert.All(results, r => Assert.Equal(ReservationStatus.Succeeded, r.Status));
        Assert.Equal(Capacity - (Small * 2), await ledgers[0].GetFreeCapacityAsync(region));
        Assert.Equal(0, await db.ViolationsAsync());
    }

    [PostgresFact]
    public async Task TryReserve_DoesNotFitInOneDimension_InsufficientAndNothingTaken()
    {
        var (ledger, _, region) = await NewRegionAsync();
        var before = await db.SnapshotAsync();

        var result = await ledger.TryReserveAsync(Request(region, perReplica: new ResourceVector(1, 1, 1, 10.001)));

        Assert.Equal(ReservationStatus.InsufficientCapacity, result.Status);
        Assert.Equal(before, await db.SnapshotAsync());
    }

    [PostgresFact]
    public async Task TryReserve_ExactlyTheRest_Succeeds_ThenNextFails()
    {
        var (ledger, _, region) = await NewRegionAsync();

        var all = await ledger.TryReserveAsync(Request(region, perReplica: Capacity));
        var more = await ledger.TryReserveAsync(Request(region, perReplica: new ResourceVector(0.001, 0, 0, 0)));

        Assert.Equal(ReservationStatus.Succeeded, all.Status);
        Assert.Equal(ReservationStatus.InsufficientCapacity, more.Status);
        Assert.Equal(ResourceVector.Zero, await ledger.GetFreeCapacityAsync(region));
    }

    [PostgresFact]
    public async Task Commit_HeldThenReplayed_SucceedsBothTimes()
    {
        var (ledger, _, region) = await NewRegionAsync();
        var request = Request(region);
        await ledger.TryReserveAsync(request);

        var first = await ledger.CommitAsync(request.Id);
        var replay = await ledger.CommitAsync(request.Id);

        Assert.Equal(ReservationStatus.Succeeded, first.Status);
        Assert.Equal(ReservationStatus.Succeeded, replay.Status);
        Assert.Equal(ReservationState.Committed, replay.Reservation!.State);
    }

    [PostgresFact]
    public async Task Commit_AfterExpiry_ExpiredAndSweepReclaims()
    {
        var (ledger, time, region) = await NewRegionAsync();
        var request = Request(region, ttlMinutes: 1);
        await ledger.TryReserveAsync(request);
        time.Advance(TimeSpan.FromMinutes(1));

        var commit = await ledger.CommitAsync(request.Id);
        var swept = await ledger.ReclaimExpiredAsync();
        var again = await ledger.CommitAsync(request.Id);

        Assert.Equal(ReservationStatus.Expired, commit.Status);
        Assert.True(swept >= 1);
        Assert.Equal(ReservationStatus.Expired, again.Status);
        Assert.Equal(ReservationState.Expired, again.Reservation!.State);
        Assert.Equal(Capacity, await ledger.GetFreeCapacityAsync(region));
    }

    [PostgresFact]
    public async Task Commit_UnknownId_NotFound()
    {
        var (ledger, _, _) = await NewRegionAsync();

        var result = await ledger.CommitAsync(ReservationId.Create("nobody-" + Guid.NewGuid()));

        Assert.Equal(ReservationStatus.NotFound, result.Status);
    }

    [PostgresFact]
    public async Task Commit_Released_Conflict()
    {
        var (ledger, _, region) = await NewRegionAsync();
        var request = Request(region);
        await ledger.TryReserveAsync(request);
        await ledger.ReleaseAsync(request.Id);

        var result = await ledger.CommitAsync(request.Id);

        Assert.Equal(ReservationStatus.Conflict, result.Status);
    }

    [PostgresFact]
    public async Task Release_CommittedTwice_GivesCapacityBackOnce()
    {
        var (ledger, _, region) = await NewRegionAsync();
        var request = Request(region, replicas: 4);
        await ledger.TryReserveAsync(request);
        await ledger.CommitAsync(request.Id);
        var other = await ledger.TryReserveAsync(Request(region));

        var first = await ledger.ReleaseAsync(request.Id);
        var replay = await ledger.ReleaseAsync(request.Id);

        Assert.Equal(ReservationStatus.Succeeded, first.Status);
        Assert.Equal(ReservationStatus.Succeeded, replay.Status);
        Assert.Equal(ReservationState.Released, replay.Reservation!.State);
        Assert.Equal(Capacity - other.Reservation!.Request.Total, await ledger.GetFreeCapacityAsync(region));
        Assert.Equal(0, await db.ViolationsAsync());
    }

    [PostgresFact]
    public async Task CommitAndRelease_ExpiredHoldNotSweptYet_ReportItExpiredAsTheInMemoryLedgerDoes()
    {
        var (ledger, time, region) = await NewRegionAsync();
        var request = Request(region, ttlMinutes: 1);
        await ledger.TryReserveAsync(request);
        time.Advance(TimeSpan.FromMinutes(2)); // nothing swept

        var commit = await ledger.CommitAsync(request.Id);
        var release = await ledger.ReleaseAsync(request.Id);
        var replay = await ledger.TryReserveAsync(request);

        Assert.Equal(ReservationStatus.Expired, commit.Status);
        Assert.Equal(ReservationState.Expired, commit.Reservation!.State);
        Assert.Equal(ReservationStatus.Succeeded, release.Status);
        Assert.Equal(ReservationState.Expired, release.Reservation!.State);
        Assert.Equal(ReservationStatus.Expired, replay.Status);
        Assert.Equal(Capacity, await ledger.GetFreeCapacityAsync(region));
        Assert.Equal(0, await ledger.ReclaimExpiredAsync());
        Assert.Equal(0, await db.ViolationsAsync());
    }

    [PostgresFact]
    public async Task GetReservation_ExpiredHoldNotSweptYet_ReportsItExpiredAsCommitAndTheInMemoryLedgerDo()
    {
        // The row still reads Held until a sweep; every operation already treats the hold as expired (a commit answers
        // Expired, the capacity is free to the next reserve). The read reported it Held, a hold that no longer holds.
        var (ledger, time, region) = await NewRegionAsync();
        var request = Request(region, ttlMinutes: 1);
        Assert.True((await ledger.TryReserveAsync(request)).IsSuccess);
        var memory = new InMemoryCapacityLedger([new(region, Capacity)], time);
        Assert.True((await memory.TryReserveAsync(request)).IsSuccess);
        time.Advance(TimeSpan.FromMinutes(1));

        var read = await ledger.GetReservationAsync(request.Id);

        Assert.Equal(ReservationStatus.Succeeded, read.Status);
        Assert.True(memory.TryGetReservation(request.Id, out var expected));
        Assert.Equal(expected, read.Reservation);
        Assert.Equal(ReservationState.Expired, read.Reservation!.State);
        Assert.Equal(ReservationStatus.Expired, (await ledger.CommitAsync(request.Id)).Status);

        // The release reclaims it (other tests of the class sweep the whole schema and count what they sweep).
        Assert.Equal(ReservationState.Expired, (await ledger.ReleaseAsync(request.Id)).Reservation!.State);
        Assert.Equal(expected, (await ledger.GetReservationAsync(request.Id)).Reservation);
    }

    [PostgresFact]
    public async Task Release_Expired_SucceedsAndChangesNothing()
    {
        var (ledger, time, region) = await NewRegionAsync();
        var request = Request(region, ttlMinutes: 1);
        await ledger.TryReserveAsync(request);
        time.Advance(TimeSpan.FromMinutes(2));
        await ledger.ReclaimExpiredAsync();
        var before = await db.SnapshotAsync();

        var result = await ledger.ReleaseAsync(request.Id);

        Assert.Equal(ReservationStatus.Succeeded, result.Status);
        Assert.Equal(ReservationState.Expired, result.Reservation!.State);
        Assert.Equal(before, await db.SnapshotAsync());
    }

    [PostgresFact]
    public async Task ReclaimExpired_FourInstancesAtOnce_ReclaimEachExactlyOnceAndLeaveCommitted()
    {
        var (ledger, time, region) = await NewRegionAsync(new ResourceVector(1000, 1000, 1000, 1000));
        var small = new ResourceVector(1, 1, 1, 1);
        for (var i = 0; i < 60; i++)
        {
            var r = await ledger.TryReserveAsync(Request(region, perReplica: small, ttlMinutes: 1));
            Assert.True(r.IsSuccess);
            if (i % 4 == 0)
            {
                await ledger.CommitAsync(r.Reservation!.Id);
            }
        }

        time.Advance(TimeSpan.FromMinutes(1));
        var sweepers = Enumerable.Range(0, 4).Select(_ => db.CreateLedger(time, o => o.ExpiryBatchSize = 7)).ToArray();

        var counts = await Task.WhenAll(sweepers.Select(s => s.ReclaimExpiredAsync().AsTask()));

        Assert.Equal(45, counts.Sum());
        Assert.Equal(new ResourceVector(985, 985, 985, 985), await ledger.GetFreeCapacityAsync(region));
        Assert.Equal(0, await db.ViolationsAsync());
    }

    [PostgresFact]
    public async Task GetFreeCapacity_DecimalAmountsReservedAndReleased_ExactlyTheStart()
    {
        var capacity = new ResourceVector(10.3, 7.7, 2.1, 0.9);
        var (ledger, _, region) = await NewRegionAsync(capacity);
        var per = new ResourceVector(0.1, 0.3, 0.07, 0.01);
        var ids = new List<ReservationId>();
        for (var i = 0; i < 9; i++)
        {
            var r = await ledger.TryReserveAsync(Request(region, perReplica: per, replicas: 1 + (i % 3)));
            Assert.True(r.IsSuccess);
            ids.Add(r.Reservation!.Id);
        }

        foreach (var id in ids)
        {
            await ledger.ReleaseAsync(id);
        }

        Assert.Equal(capacity, await ledger.GetFreeCapacityAsync(region));
    }

    [PostgresFact]
    public async Task GetFreeCapacity_UnknownRegion_Null()
    {
        var (ledger, _, _) = await NewRegionAsync();

        Assert.Null(await ledger.GetFreeCapacityAsync("nowhere-" + Guid.NewGuid()));
    }

    [PostgresFact]
    public async Task InitializeAsync_FourInstancesOnANewSchemaAtOnce_OneVersionRow()
    {
        var schema = "t_init_" + Guid.NewGuid().ToString("N")[..10];
        var ledgers = Enumerable.Range(0, 4).Select(_ => db.CreateLedger(configure: o => o.Schema = schema)).ToArray();
        try
        {
            await Task.WhenAll(ledgers.Select(l => l.InitializeAsync()));
            await ledgers[0].InitializeAsync();

            var rows = await db.ScalarAsync<long>($"SELECT count(*) FROM \"{schema}\".schema_version");
            var version = await db.ScalarAsync<int>($"SELECT max(version) FROM \"{schema}\".schema_version");
            Assert.Equal((long)PostgreSqlCapacityLedger.SchemaVersion, rows); // one row per version
            Assert.Equal(PostgreSqlCapacityLedger.SchemaVersion, version);
        }
        finally
        {
            await db.ScalarAsync<object>($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE; SELECT 1");
        }
    }

    [PostgresTheory]
    [InlineData(false)] // a schema a DBA created, empty
    [InlineData(true)] // a schema already at the current version
    public async Task FirstOperation_RoleMayNotCreateSchemasButTheSchemaExists_Works(bool migrated)
    {
        // Least privilege: the role may create tables in its schema but not schemas in the database. CreateSchema (the
        // default) must then create what is missing without a CREATE SCHEMA the role is refused even when the schema exists.
        var schema = "t_priv_" + Guid.NewGuid().ToString("N")[..10];
        await db.ScalarAsync<object>($"CREATE SCHEMA \"{schema}\"; SELECT 1");
        if (migrated)
        {
            await db.CreateLedger(configure: o => o.Schema = schema).InitializeAsync();
        }

        await db.ScalarAsync<object>("SELECT 1; REVOKE CREATE ON DATABASE \"" + await db.ScalarAsync<string>("SELECT current_database()") + "\" FROM CURRENT_USER");
        try
        {
            var ledger = db.CreateLedger(configure: o => o.Schema = schema);

            Assert.Equal(RegionCapacityStatus.Succeeded, await ledger.SetRegionCapacityAsync("r", Capacity));
            Assert.Equal(ReservationStatus.Succeeded, (await ledger.TryReserveAsync(Request("r"))).Status);
            Assert.Equal(PostgreSqlCapacityLedger.SchemaVersion, await db.ScalarAsync<int>($"SELECT max(version) FROM \"{schema}\".schema_version"));
        }
        finally
        {
            await db.ScalarAsync<object>("SELECT 1; GRANT CREATE ON DATABASE \"" + await db.ScalarAsync<string>("SELECT current_database()") + "\" TO CURRENT_USER");
            await db.ScalarAsync<object>($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE; SELECT 1");
        }
    }

    [PostgresFact]
    public async Task InitializeAsync_SchemaNewerThanLibrary_Throws()
    {
        var schema = "t_newer_" + Guid.NewGuid().ToString("N")[..10];
        var ledger = db.CreateLedger(configure: o => o.Schema = schema);
        try
        {
            await ledger.InitializeAsync();
            await db.ScalarAsync<object>($"INSERT INTO \"{schema}\".schema_version VALUES (99, 'future', now()); SELECT 1");

            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => db.CreateLedger(configure: o => o.Schema = schema).InitializeAsync());
            Assert.Contains("version 99", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await db.ScalarAsync<object>($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE; SELECT 1");
        }
    }

    [PostgresFact]
    public async Task TryReserve_ReplayedAfterRelease_ConflictAndNothingTaken()
    {
        var (ledger, _, region) = await NewRegionAsync();
        var request = Request(region);
        await ledger.TryReserveAsync(request);
        await ledger.ReleaseAsync(request.Id);

        var replay = await ledger.TryReserveAsync(request);

        Assert.Equal(ReservationStatus.Conflict, replay.Status); // as the in-memory ledger: a released id holds nothing
        Assert.Equal(ReservationState.Released, replay.Reservation!.State);
        Assert.Equal(Capacity, await ledger.GetFreeCapacityAsync(region));
    }

    [PostgresFact]
    public async Task TryReserve_AmountsBelowAMilliUnit_RoundUpSoTheRegionCannotBeOversubscribed()
    {
        // 0.0004 cores used to round to 0: free and unlimited. Rounded up to 0.001, one core takes 1,000 of them.
        var (ledger, _, region) = await NewRegionAsync(new ResourceVector(1, 1, 1, 1));
        var tiny = new ResourceVector(0.0004, 0, 0, 0);

        var thousand = await ledger.TryReserveAsync(Request(region, perReplica: tiny, replicas: 1000));
        var more = await ledger.TryReserveAsync(Request(region, perReplica: tiny, replicas: 1));

        Assert.Equal(ReservationStatus.Succeeded, thousand.Status);
        Assert.Equal(0.001, thousand.Reservation!.Request.PerReplica.CpuCores);
        Assert.Equal(ReservationStatus.InsufficientCapacity, more.Status);
    }

    [PostgresFact]
    public async Task Rounding_AtLargeMagnitudes_StillRoundsReservationsUpAndCapacitiesDown()
    {
        // A relative tolerance once snapped 1,000,000.0004 down and 1,000,000.0006 up at this magnitude.
        var (ledger, _, region) = await NewRegionAsync(new ResourceVector(1_000_000, 1, 1, 1));
        var (_, _, odd) = await NewRegionAsync(new ResourceVector(1_000_000.0006, 1, 1, 1));

        var over = await ledger.TryReserveAsync(Request(region, perReplica: new ResourceVector(1_000_000.0004, 0, 0, 0)));
        var tiny = await ledger.TryReserveAsync(Request(region, perReplica: new ResourceVector(1e-12, 0, 0, 0)));

        Assert.Equal(ReservationStatus.InsufficientCapacity, over.Status);
        Assert.Equal(0.001, tiny.Reservation!.Request.PerReplica.CpuCores);
        Assert.Equal(1_000_000, (await ledger.GetFreeCapacityAsync(odd))!.Value.CpuCores);
    }

    [PostgresFact]
    public async Task SetRegionCapacity_BetweenMilliUnits_RoundsDown()
    {
        var (ledger, _, region) = await NewRegionAsync(new ResourceVector(0.0015, 1, 1, 1));

        Assert.Equal(0.001, (await ledger.GetFreeCapacityAsync(region))!.Value.CpuCores);
        Assert.Equal(ReservationStatus.InsufficientCapacity, (await ledger.TryReserveAsync(Request(region, perReplica: new ResourceVector(0.002, 0, 0, 0)))).Status);
    }

    [PostgresFact]
    public async Task TryReserve_AfterAnotherHoldExpired_GetsItsCapacityWithoutASweep()
    {
        // Nothing calls ReclaimExpiredAsync here: an expired hold must not keep its capacity.
        var (ledger, time, region) = await NewRegionAsync(Small);
        Assert.Equal(ReservationStatus.Succeeded, (await ledger.TryReserveAsync(Request(region, ttlMinutes: 1))).Status);
        time.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(Small, await ledger.GetFreeCapacityAsync(region));
        Assert.Equal(ReservationStatus.Succeeded, (await ledger.TryReserveAsync(Request(region))).Status);
        Assert.Equal(0, await db.ViolationsAsync());
    }

    [PostgresFact]
    public async Task SetRegionCapacity_BelowAnExpiredHoldNotYetSwept_Succeeds()
    {
        // An expired hold uses nothing (every other operation reclaims it first): it must not refuse a smaller capacity.
        var (ledger, time, region) = await NewRegionAsync();
        Assert.Equal(ReservationStatus.Succeeded, (await ledger.TryReserveAsync(Request(region, perReplica: new ResourceVector(10, 10, 10, 1), ttlMinutes: 1))).Status);
        time.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(RegionCapacityStatus.Succeeded, await ledger.SetRegionCapacityAsync(region, new ResourceVector(4, 4, 4, 0.5)));
        Assert.Equal(new ResourceVector(4, 4, 4, 0.5), await ledger.GetFreeCapacityAsync(region));
        Assert.Equal(0, await db.ViolationsAsync());
    }

    [PostgresFact]
    public async Task TryReserve_TimeToLiveBelowAMicrosecond_IsStillHeldNow()
    {
        var (ledger, _, region) = await NewRegionAsync();
        var request = Request(region) with { TimeToLive = TimeSpan.FromTicks(5) };

        await ledger.TryReserveAsync(request);
        var commit = await ledger.CommitAsync(request.Id);

        Assert.Equal(ReservationStatus.Succeeded, commit.Status);
    }

    [PostgresFact]
    public async Task Dispose_Synchronously_ClosesTheOwnedPool()
    {
        var application = "shaping-dispose-" + Guid.NewGuid().ToString("N")[..8];
        var ledger = db.CreateLedger(new FakeTimeProvider(), applicationName: application);
        var region = "r-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(RegionCapacityStatus.Succeeded, await ledger.SetRegionCapacityAsync(region, Capacity));
        Assert.True(await SessionsAsync(application) > 0, "the ledger's pool kept no connection open: nothing to close");

        ledger.Dispose(); // a container disposed with Dispose() needs this
        ledger.Dispose();

        // The pool's idle connections are closed (the server ends their sessions) and the pool takes no more work. The
        // server ends them on its own schedule, so this polls real time; the bound is generous for a loaded 2-core CI
        // machine (it was 10 s) and is reached only when sessions stay open.
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60);
        while (await SessionsAsync(application) > 0 && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(0, await SessionsAsync(application));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await ledger.GetFreeCapacityAsync(region));
    }

    private Task<long> SessionsAsync(string application) =>
        db.ScalarAsync<long>($"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{application}'");
}
