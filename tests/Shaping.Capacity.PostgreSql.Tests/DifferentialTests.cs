using Microsoft.Extensions.Time.Testing;
using Shaping.Capacity.PostgreSql.Tests.Infrastructure;
using Shaping.Core.Capacity;
using Shaping.Core.Resources;
using Xunit.Abstractions;

namespace Shaping.Capacity.PostgreSql.Tests;

/// <summary>
/// The same random operation sequence (fixed seed) against the in-memory ledger and against three PostgreSQL ledger
/// instances on one schema: every result, every reservation returned and every free capacity must agree.
/// </summary>
/// <remarks>
/// Amounts are multiples of 1/8 (exact in binary and in both ledgers' resolutions), times move in whole microseconds
/// (PostgreSQL's resolution). Most runs keep finished reservations for good in both ledgers. The runs with a finite
/// retention compare forgetting (a replay after the retention reserves again, a read or change answers NotFound);
/// their holds never expire within the run, since the two ledgers start an expired hold's retention at different
/// moments (the in-memory one when any operation first meets it, the PostgreSQL one when a sweep or release records
/// it), so only releases finish reservations there, at the same moment in both.
/// Regions and ids carry quotes, backslashes, SQL comment markers, unicode (composed and decomposed, astral) and
/// names at the longest the PostgreSQL ledger stores.
/// </remarks>
public sealed class DifferentialTests(PostgresSchemaFixture db, ITestOutputHelper output) : IClassFixture<PostgresSchemaFixture>
{
    private static readonly string[] Regions =
    [
        "plain",
        "it's \"quoted\"",
        "back\\slash;-- drop",
        "Case",
        "case",
        "trailing ",
        "\u00e9t\u00e9",
        "e\u0301te\u0301",
        "\u533a\u57df-\U0001F680",
        "", // the longest region name stored, built per seed
    ];

    private static readonly TimeSpan[] TimesToLive =
    [
        TimeSpan.FromTicks(1),
        TimeSpan.FromTicks(10),
        TimeSpan.FromSeconds(1),
        TimeSpan.FromMinutes(1),
        TimeSpan.FromMinutes(7),
        TimeSpan.FromHours(1),
        CapacityLimits.MaxTimeToLive,
    ];

    private static readonly TimeSpan[] Steps =
    [
        TimeSpan.FromTicks(10),
        TimeSpan.FromSeconds(1),
        TimeSpan.FromSeconds(30),
        TimeSpan.FromMinutes(1),
        TimeSpan.FromMinutes(5),
        TimeSpan.FromHours(1),
        CapacityLimits.MaxTimeToLive,
    ];

    [PostgresTheory]
    [InlineData(111, 700, -1)]
    [InlineData(125, 700, -1)]
    [InlineData(7, 700, -1)]
    [InlineData(31, 300, 30)] // finished reservations forgotten after 30 minutes
    [InlineData(43, 300, 0)] // forgotten at once
    public async Task RandomSequence_InMemoryAndThreePostgreSqlInstances_AgreeOnEveryResult(int seed, int steps, int retentionMinutes)
    {
        var counts = new int[8];
        var random = new Random(seed);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        var retention = retentionMinutes < 0 ? TimeSpan.MaxValue : TimeSpan.FromMinutes(retentionMinutes);
        var timesToLive = retentionMinutes < 0 ? TimesToLive : [CapacityLimits.MaxTimeToLive];
        var advances = retentionMinutes < 0 ? Steps : Steps.Where(s => s <= TimeSpan.FromHours(1)).ToArray();
        var memory = new InMemoryCapacityLedger(timeProvider: time, finishedRetention: retention);
        var ledgers = Enumerable.Range(0, 3).Select(_ => db.CreateLedger(time, o => o.FinishedRetention = retention)).ToArray();
        var prefix = "d" + seed + "/";
        var regions = Regions.Select(r => r.Length == 0 ? Longest(prefix) : prefix + r).ToArray();
        var ids = Enumerable.Range(0, 120).Select(i => i switch
        {
            0 => Longest(prefix + "id"),
            1 => prefix + "'; DELETE FROM reservations; --",
            2 => prefix + "\"\\\"",
            3 => prefix + "%_*",
            4 => prefix + "\U0001F600-\u0301",
            5 => prefix + " leading and trailing ",
            _ => prefix + "id-" + i,
        }).ToArray();
        var requests = new Dictionary<string, ReservationRequest>(StringComparer.Ordinal);
        var regionsSet = new HashSet<string>(StringComparer.Ordinal);

        for (var step = 0; step < steps; step++)
        {
            var ledger = ledgers[random.Next(ledgers.Length)];
            var roll = random.Next(100);
            string what;
            if (roll < 8 || regionsSet.Count == 0)
            {
                var region = regions[random.Next(regions.Length)];
                var capacity = Amount(random, 64);
                what = $"set {region} {capacity}";
                var status = await ledger.SetRegionCapacityAsync(region, capacity);
                if (status == RegionCapacityStatus.Succeeded)
                {
                    memory.SetRegionCapacity(region, capacity);
                    regionsSet.Add(region);
                }
                else
                {
                    Assert.Equal(RegionCapacityStatus.BelowCurrentUse, status);
                    Assert.True(memory.TryGetRegionCapacity(region, out var account), what);
                    Assert.False(account.Used.FitsWithin(capacity), what + ": refused though the in-memory use fits");
                }
            }
            else if (roll < 45)
            {
                var id = ids[random.Next(ids.Length)];
                ReservationRequest request;
                if (requests.TryGetValue(id, out var previous) && random.Next(3) > 0)
                {
                    // A replay, now and then with one member changed.
                    request = random.Next(6) switch
                    {
                        0 => previous with { Replicas = previous.Replicas + 1 },
                        1 => previous with { ShapeName = previous.ShapeName + "'" },
                        2 => previous with { Region = regions[random.Next(regions.Length)] },
                        _ => previous,
                    };
                }
                else
                {
                    request = new ReservationRequest(
                        ReservationId.Create(id),
                        random.Next(10) == 0 ? prefix + "unknown" : regions[random.Next(regions.Length)],
                        random.Next(2) == 0 ? "s" : "shape \"\u00fc\"",
                        Amount(random, 8),
                        random.Next(1, 4),
                        timesToLive[random.Next(timesToLive.Length)]);
                }

                what = $"reserve {request}";
                var expected = await memory.TryReserveAsync(request);
                var actual = await ledger.TryReserveAsync(request);
                AssertSame(expected, actual, what);
                counts[(int)expected.Status]++;
                if (expected.IsSuccess && !requests.ContainsKey(id))
                {
                    requests[id] = request;
                }
            }
            else if (roll < 60)
            {
                var id = ReservationId.Create(PickId(random, ids, requests));
                what = $"commit {id}";
                AssertSame(await memory.CommitAsync(id), await ledger.CommitAsync(id), what);
            }
            else if (roll < 72)
            {
                var id = ReservationId.Create(PickId(random, ids, requests));
                what = $"release {id}";
                AssertSame(await memory.ReleaseAsync(id), await ledger.ReleaseAsync(id), what);
            }
            else if (roll < 76)
            {
                var id = ReservationId.Create(PickId(random, ids, requests));
                what = $"get {id}";
                var expected = memory.TryGetReservation(id, out var held)
                    ? new LedgerResult(ReservationStatus.Succeeded, held)
                    : new LedgerResult(ReservationStatus.NotFound, null);
                AssertSame(expected, await ledger.GetReservationAsync(id), what);
            }
            else if (roll < 80)
            {
                what = "reclaim";
                await memory.ReclaimExpiredAsync();
                await ledger.ReclaimExpiredAsync();
            }
            else if (roll < 90)
            {
                var region = random.Next(12) == 0 ? prefix + "unknown" : regions[random.Next(regions.Length)];
                what = $"free {region}";
                var free = (await memory.GetFreeCapacityAsync(region), await ledger.GetFreeCapacityAsync(region));
                Assert.True(free.Item1 == free.Item2, $"{what}: in-memory {free.Item1}, PostgreSQL {free.Item2}");
            }
            else
            {
                var by = advances[random.Next(advances.Length)];
                what = $"advance {by}";
                time.Advance(by);
            }

            if (step % 25 == 0)
            {
                Assert.Equal(0, await db.ViolationsAsync());
            }

        }

        foreach (var region in regionsSet)
        {
            Assert.Equal(await memory.GetFreeCapacityAsync(region), await ledgers[0].GetFreeCapacityAsync(region));
        }

        Assert.Equal(0, await db.ViolationsAsync());
        output.WriteLine($"seed {seed}: {steps} steps agreed; reserve statuses " + string.Join(",", counts));

        // Each instance's pool closes now rather than with the class (a pool keeps its connections open).
        foreach (var ledger in ledgers)
        {
            await ledger.DisposeAsync();
        }

    }

    // Mostly an id that was reserved (its state is what the step tests), now and then any.
    private static string PickId(Random random, string[] ids, Dictionary<string, ReservationRequest> requests) =>
        requests.Count > 0 && random.Next(3) > 0 ? requests.Keys.ElementAt(random.Next(requests.Count)) : ids[random.Next(ids.Length)];

    // Exactly MaxKeyBytes in UTF-8: the prefix, then two-byte characters, then one 'x' if the prefix's length is odd.
    private static string Longest(string prefix) =>
        prefix + new string('\u00e9', (PostgreSqlCapacityLedger.MaxKeyBytes - prefix.Length) / 2) + ((PostgreSqlCapacityLedger.MaxKeyBytes - prefix.Length) % 2 == 1 ? "x" : "");

    private static ResourceVector Amount(Random random, int max) =>
        new(random.Next(0, max * 8 + 1) / 8.0, random.Next(0, max * 8 + 1) / 8.0, random.Next(0, max * 8 + 1) / 8.0, random.Next(0, max * 8 + 1) / 8.0);

    // The in-memory ledger answers a conflicting replay with the reservation as it was last touched, without expiring
    // it first; the PostgreSQL ledger may have swept the region of the replay. Everything else must be equal. Expiry
    // times are compared at PostgreSQL's resolution (the in-memory ledger keeps the tick).
    private static void AssertSame(LedgerResult expected, LedgerResult actual, string what)
    {
        Assert.True(expected.Status == actual.Status, $"{what}: in-memory {expected.Status}, PostgreSQL {actual.Status} ({actual.Reservation})");
        if (expected.Reservation is null || actual.Reservation is null)
        {
            Assert.True(expected.Reservation is null && actual.Reservation is null, $"{what}: in-memory {expected.Reservation}, PostgreSQL {actual.Reservation}");
            return;
        }

        Assert.True(expected.Reservation.Request == actual.Reservation.Request, $"{what}: in-memory {expected.Reservation.Request}, PostgreSQL {actual.Reservation.Request}");
        var ceiled = expected.Reservation.ExpiresAt.UtcTicks % 10 == 0 ? expected.Reservation.ExpiresAt : expected.Reservation.ExpiresAt.AddTicks(10 - (expected.Reservation.ExpiresAt.UtcTicks % 10));
        Assert.True(ceiled == actual.Reservation.ExpiresAt, $"{what}: expires in-memory {expected.Reservation.ExpiresAt:O}, PostgreSQL {actual.Reservation.ExpiresAt:O}");
        var staleConflict = expected.Status == ReservationStatus.Conflict
            && expected.Reservation.State is ReservationState.Held or ReservationState.Expired
            && actual.Reservation.State is ReservationState.Held or ReservationState.Expired;
        if (!staleConflict)
        {
            Assert.True(expected.Reservation.State == actual.Reservation.State, $"{what}: {expected.Status}: in-memory {expected.Reservation.State}, PostgreSQL {actual.Reservation.State}");
        }
    }
}
