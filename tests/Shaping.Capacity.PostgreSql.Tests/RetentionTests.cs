using Microsoft.Extensions.Time.Testing;
using Shaping.Capacity.PostgreSql.Tests.Infrastructure;
using Shaping.Core.Capacity;
using Shaping.Core.Resources;

namespace Shaping.Capacity.PostgreSql.Tests;

/// <summary>
/// <see cref="PostgreSqlLedgerOptions.FinishedRetention"/>: finished reservations are remembered for the retention,
/// then forgotten (a replay of the id reserves again, as in the in-memory ledger) and purged by the sweep in batches.
/// </summary>
public sealed class RetentionTests(PostgresSchemaFixture db) : IClassFixture<PostgresSchemaFixture>
{
    private static readonly ResourceVector Capacity = new(16, 64, 512, 10);
    private static readonly ResourceVector Small = new(2, 4, 20, 0.5);
    private static readonly TimeSpan Retention = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Microsecond = TimeSpan.FromTicks(10);

    private static ReservationRequest Request(string region, string? id = null, double ttlMinutes = 5) =>
        new(ReservationId.Create(id ?? Guid.NewGuid().ToString("N")), region, "m.small", Small, 1, TimeSpan.FromMinutes(ttlMinutes));

    private async Task<(PostgreSqlCapacityLedger Ledger, FakeTimeProvider Time, string Region)> NewRegionAsync(TimeSpan retention)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        var ledger = db.CreateLedger(time, o => o.FinishedRetention = retention);
        var region = "r-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(RegionCapacityStatus.Succeeded, await ledger.SetRegionCapacityAsync(region, Capacity));
        return (ledger, time, region);
    }

    [PostgresFact]
    public async Task ReleasedId_ConflictUntilTheRetentionPasses_ThenForgottenAndReservesAgain()
    {
        var (ledger, time, region) = await NewRegionAsync(Retention);
        var request = Request(region);
        var other = Request(region);
        await ledger.TryReserveAsync(request);
        await ledger.TryReserveAsync(other);
        await ledger.ReleaseAsync(request.Id);
        await ledger.ReleaseAsync(other.Id);

        time.Advance(Retention - Microsecond);
        Assert.Equal(ReservationStatus.Conflict, (await ledger.TryReserveAsync(request)).Status);
        Assert.Equal(ReservationState.Released, (await ledger.GetReservationAsync(other.Id)).Reservation!.State);

        time.Advance(Microsecond);
        Assert.Equal(ReservationStatus.NotFound, (await ledger.GetReservationAsync(other.Id)).Status);
        Assert.Equal(ReservationStatus.NotFound, (await ledger.CommitAsync(other.Id)).Status);
        Assert.Equal(ReservationStatus.NotFound, (await ledger.ReleaseAsync(other.Id)).Status);
        var again = await ledger.TryReserveAsync(request);
        Assert.Equal(ReservationStatus.Succeeded, again.Status);
        Assert.Equal(ReservationState.Held, again.Reservation!.State);
        Assert.Equal(time.GetUtcNow() + request.TimeToLive, again.Reservation.ExpiresAt);
        Assert.Equal(Capacity - Small, await ledger.GetFreeCapacityAsync(region));
        Assert.Equal(0, await db.ViolationsAsync());
    }

    [PostgresFact]
    public async Task ExpiredId_ExpiredUntilTheRetentionPassesFromTheSweep_ThenReservesAgain()
    {
        var (ledger, time, region) = await NewRegionAsync(Retention);
        var request = Request(region, ttlMinutes: 1);
        await ledger.TryReserveAsync(request);
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await ledger.ReclaimExpiredAsync()); // records the expiry now: the retention starts here

        time.Advance(Retention - Microsecond);
        Assert.Equal(ReservationStatus.Expired, (await ledger.TryReserveAsync(request)).Status);

        time.Advance(Microsecond);
        Assert.Equal(ReservationStatus.Succeeded, (await ledger.TryReserveAsync(request)).Status);
        Assert.Equal(Capacity - Small, await ledger.GetFreeCapacityAsync(region));
    }

    [PostgresFact]
    public async Task ZeroRetention_ForgetsAtOnce_MaxValueKeepsForGood()
    {
        var (zero, _, region) = await NewRegionAsync(TimeSpan.Zero);
        var request = Request(region);
        await zero.TryReserveAsync(request);
        await zero.ReleaseAsync(request.Id);
        Assert.Equal(ReservationStatus.Succeeded, (await zero.TryReserveAsync(request)).Status);

        var (kept, time, region2) = await NewRegionAsync(TimeSpan.MaxValue);
        var request2 = Request(region2);
        await kept.TryReserveAsync(request2);
        await kept.ReleaseAsync(request2.Id);
        time.Advance(TimeSpan.FromDays(3650));
        await kept.ReclaimExpiredAsync();
        Assert.Equal(ReservationStatus.Conflict, (await kept.TryReserveAsync(request2)).Status);
        Assert.Equal(1, await db.ScalarAsync<long>($"SELECT count(*) FROM {{s}}.reservations WHERE region = '{region2}'"));
    }

    [PostgresFact]
    public async Task Sweep_DeletesOnlyFinishedRowsPastTheRetention_AtMostABatchPerSweep()
    {
        // A schema of its own: the purge is schema-wide, so other tests' rows would change the counts.
        var schema = "t_purge_" + Guid.NewGuid().ToString("N")[..10];
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        var ledger = db.CreateLedger(time, o => { o.Schema = schema; o.FinishedRetention = Retention; o.ExpiryBatchSize = 2; });
        try
        {
            await ledger.SetRegionCapacityAsync("r", Capacity);
            for (var i = 0; i < 5; i++)
            {
                var old = Request("r", "old-" + i);
                await ledger.TryReserveAsync(old);
                await ledger.ReleaseAsync(old.Id);
            }

            var expiring = Request("r", "expiring", ttlMinutes: 1);
            await ledger.TryReserveAsync(expiring);
            var committed = Request("r", "committed", ttlMinutes: 1);
            await ledger.TryReserveAsync(committed);
            await ledger.CommitAsync(committed.Id);
            time.Advance(TimeSpan.FromMinutes(5));
            Assert.Equal(1, await ledger.ReclaimExpiredAsync()); // "expiring" finishes 5 minutes after the "old" ones
            var held = Request("r", "held", ttlMinutes: 60);
            await ledger.TryReserveAsync(held);
            time.Advance(Retention - TimeSpan.FromMinutes(5));

            async Task<string> IdsAsync() => await db.ScalarAsync<string>(
                $"SELECT string_agg(id, ',' ORDER BY id) FROM \"{schema}\".reservations");

            await ledger.ReclaimExpiredAsync();
            Assert.Equal(6, (await IdsAsync()).Split(',').Length); // 2 of the 5 old ones deleted, no more
            await ledger.ReclaimExpiredAsync();
            await ledger.ReclaimExpiredAsync();
            Assert.Equal("committed,expiring,held", await IdsAsync());

            time.Advance(TimeSpan.FromMinutes(5));
            await ledger.ReclaimExpiredAsync();
            Assert.Equal("committed,held", await IdsAsync());
        }
        finally
        {
            await db.ScalarAsync<object>($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE; SELECT 1");
        }
    }

    [PostgresFact]
    public async Task Migration_SchemaAtVersion1WithFinishedRows_UpgradesAndBackfillsTheirFinishingTime()
    {
        var schema = "t_mig_" + Guid.NewGuid().ToString("N")[..10];
        var s = "\"" + schema + "\"";
        var (_, description, sql) = SchemaMigrations.For(s)[0];
        try
        {
            // A schema exactly as version 1 of the library left it, with a region and one reservation in each state.
            await db.ScalarAsync<object>($"""
                CREATE SCHEMA {s};
                CREATE TABLE {s}.schema_version (version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL);
                {sql};
                INSERT INTO {s}.schema_version VALUES (1, '{description}', '2026-12-01T07:00:00Z');
                INSERT INTO {s}.regions VALUES ('r', 16000, 64000, 512000, 10000, 4000, 8000, 40000, 1000, '2026-12-01T07:00:00Z');
                INSERT INTO {s}.reservations (id, region, shape_name, per_cpu, per_mem, per_sto, per_net, replicas,
                    tot_cpu, tot_mem, tot_sto, tot_net, ttl_ticks, state, created_at, expires_at, updated_at)
                SELECT v.id, 'r', 'm.small', 2000, 4000, 20000, 500, 1, 2000, 4000, 20000, 500, 3000000000, v.state,
                       '2026-12-01T07:50:00Z', v.expires, v.updated
                FROM (VALUES ('held', 0, timestamptz '2026-12-01T09:00:00Z', timestamptz '2026-12-01T07:50:00Z'),
                             ('committed', 1, '2026-12-01T09:00:00Z', '2026-12-01T07:51:00Z'),
                             ('released', 2, '2026-12-01T07:55:00Z', '2026-12-01T07:52:00Z'),
                             ('expired', 3, '2026-12-01T07:55:00Z', '2026-12-01T07:56:00Z')) AS v (id, state, expires, updated);
                SELECT 1
                """);
            var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
            var ledger = db.CreateLedger(time, o => { o.Schema = schema; o.FinishedRetention = Retention; });

            await ledger.InitializeAsync();

            Assert.Equal(PostgreSqlCapacityLedger.SchemaVersion, await db.ScalarAsync<int>($"SELECT max(version) FROM {s}.schema_version"));
            Assert.Equal(
                "committed=,expired=2026-12-01 07:56:00+00,held=,released=2026-12-01 07:52:00+00",
                await db.ScalarAsync<string>($"SET TIME ZONE 'UTC'; SELECT string_agg(id || '=' || coalesce(finished_at::text, ''), ',' ORDER BY id) FROM {s}.reservations"));

            // Released at 07:52: forgotten from 08:02; expired at 07:56: remembered until 08:06.
            time.Advance(TimeSpan.FromMinutes(2));
            Assert.Equal(ReservationStatus.NotFound, (await ledger.GetReservationAsync(ReservationId.Create("released"))).Status);
            Assert.Equal(ReservationState.Expired, (await ledger.GetReservationAsync(ReservationId.Create("expired"))).Reservation!.State);
            await ledger.ReclaimExpiredAsync();
            Assert.Equal("committed,expired,held", await db.ScalarAsync<string>($"SELECT string_agg(id, ',' ORDER BY id) FROM {s}.reservations"));
        }
        finally
        {
            await db.ScalarAsync<object>($"DROP SCHEMA IF EXISTS {s} CASCADE; SELECT 1");
        }
    }
}
