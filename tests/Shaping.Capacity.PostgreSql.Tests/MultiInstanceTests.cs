using Microsoft.Extensions.Time.Testing;
using Shaping.Capacity.PostgreSql.Tests.Infrastructure;
using Shaping.Core.Capacity;
using Shaping.Core.Resources;

namespace Shaping.Capacity.PostgreSql.Tests;

/// <summary>
/// Four ledger instances, each with its own connection pool, hammer one region with random operations; after every
/// step the tables are checked, and at the end the free capacity is exactly the start.
/// </summary>
public sealed class MultiInstanceTests(PostgresSchemaFixture db) : IClassFixture<PostgresSchemaFixture>
{
    private const int Instances = 4;
    private const int StepsPerInstance = 150;

    [PostgresFact]
    public async Task RandomLoad_FourInstancesOnOneRegion_NeverOversubscribedAndFreeReturnsExactly()
    {
        var time = new FakeTimeProvider();
        var ledgers = Enumerable.Range(0, Instances).Select(_ => db.CreateLedger(time)).ToArray();
        const string Region = "hot";
        // Amounts are multiples of 1/8 so they are exact in binary too; the region fits about a dozen reservations.
        var capacity = new ResourceVector(24, 96, 400, 12.5);
        Assert.Equal(RegionCapacityStatus.Succeeded, await ledgers[0].SetRegionCapacityAsync(Region, capacity));

        var counts = new int[7];
        var workers = ledgers.Select((ledger, index) => Task.Run(() => WorkAsync(ledger, index, time, Region, counts)));
        var committed = (await Task.WhenAll(workers)).SelectMany(ids => ids).ToArray();

        Assert.True(counts[(int)ReservationStatus.Succeeded] > 100, "too little succeeded to mean anything");
        Assert.True(counts[(int)ReservationStatus.InsufficientCapacity] > 0, "the region was never full: no contention was tested");
        Assert.Equal(0, counts[(int)ReservationStatus.Unavailable]);
        Assert.Equal(0, await db.ViolationsAsync());

        // Wind down: release what is committed, let every held reservation expire, sweep from all instances at once.
        foreach (var id in committed)
        {
            Assert.True((await ledgers[0].ReleaseAsync(id)).IsSuccess);
        }

        var held = await db.ScalarAsync<long>("SELECT count(*) FROM {s}.reservations WHERE state = 0");
        time.Advance(TimeSpan.FromDays(1));
        var swept = await Task.WhenAll(ledgers.Select(l => l.ReclaimExpiredAsync().AsTask()));

        Assert.Equal(held, swept.Sum());
        Assert.Equal(capacity, await ledgers[3].GetFreeCapacityAsync(Region));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT used_cpu + used_mem + used_sto + used_net FROM {s}.regions WHERE name = 'hot'"));
        Assert.Equal(0, await db.ViolationsAsync());
    }

    private async Task<List<ReservationId>> WorkAsync(PostgreSqlCapacityLedger ledger, int index, FakeTimeProvider time, string region, int[] counts)
    {
        var random = new Random(1234 + index);
        var mine = new List<ReservationRequest>();
        var committed = new List<ReservationId>();
        for (var step = 0; step < StepsPerInstance; step++)
        {
            var roll = random.Next(100);
            LedgerResult? result = null;
            if (roll < 45 || mine.Count == 0)
            {
                var per = new ResourceVector(random.Next(1, 9) * 0.5, random.Next(1, 17) * 0.75, random.Next(1, 33) * 1.25, random.Next(1, 5) * 0.125);
                var request = new ReservationRequest(ReservationId.Create($"w{index}-{step}"), region, "s", per, random.Next(1, 3), TimeSpan.FromMinutes(random.Next(1, 10)));
                result = await ledger.TryReserveAsync(request);
                if (result.Value.IsSuccess)
                {
                    mine.Add(request);
                }
            }
            else if (roll < 65)
            {
                var pick = mine[random.Next(mine.Count)];
                result = await ledger.CommitAsync(pick.Id);
                if (result.Value.IsSuccess && !committed.Contains(pick.Id))
                {
                    committed.Add(pick.Id);
                }
            }
            else if (roll < 85)
            {
                var pick = mine[random.Next(mine.Count)];
                result = await ledger.ReleaseAsync(pick.Id);
                Assert.True(result.Value.IsSuccess);
                committed.Remove(pick.Id);
                mine.Remove(pick);
            }
            else if (roll < 91)
            {
                // Replay of an earlier reservation: never a conflict, never a second take.
                result = await ledger.TryReserveAsync(mine[random.Next(mine.Count)]);
                Assert.NotEqual(ReservationStatus.Conflict, result.Value.Status);
            }
            else if (roll < 96)
            {
                await ledger.ReclaimExpiredAsync();
            }
            else
            {
                time.Advance(TimeSpan.FromMinutes(1));
            }

            if (result is { } r)
            {
                Interlocked.Increment(ref counts[(int)r.Status]);
            }

            Assert.Equal(0, await db.ViolationsAsync());
        }

        return committed;
    }
}
