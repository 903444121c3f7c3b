using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using Shaping.Core.Capacity;
using Shaping.Core.Resources;

namespace Shaping.Core.Tests.Capacity;

public sealed class InMemoryCapacityLedgerStressTests
{
    private static readonly string[] Regions = ["eu", "us", "ap"];

    // Totals and amounts deliberately include values that are not exact in binary (0.1, 0.3, 2.7): the ledger's
    // fixed-point accounting must still return to the start exactly.
    private static readonly ResourceVector[] Totals =
    [
        new(64, 256, 1024, 40),
        new(32.5, 100.3, 512, 10.1),
        new(16, 64.7, 300, 2.7),
    ];

    private static readonly ResourceVector[] Amounts =
    [
        new(0.5, 2, 10, 0.1),
        new(1, 4, 25, 0.3),
        new(2.7, 8.1, 50, 1),
        new(4, 16, 100, 2),
    ];

    [Fact]
    public async Task RandomOperations_ManyThreads_NeverExceedCapacityAndReturnToStartExactly()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero));
        var ledger = new InMemoryCapacityLedger(Regions.Select((r, i) => new KeyValuePair<string, ResourceVector>(r, Totals[i])), time);
        var known = new ConcurrentBag<ReservationId>();
        var committed = new ConcurrentDictionary<ReservationId, bool>();
        var violations = new ConcurrentQueue<string>();
        const int Threads = 8;
        const int OperationsPerThread = 2_000;
        var successes = 0;
        var refused = 0;

        var workers = Enumerable.Range(0, Threads).Select(t => Task.Run(async () =>
        {
            var random = new Random(1000 + t);
            var mine = new List<ReservationId>();
            for (var op = 0; op < OperationsPerThread; op++)
            {
                var roll = random.Next(100);
                if (roll < 45 || mine.Count == 0)
                {
                    var id = new ReservationId($"t{t}-{op}");
                    var request = new ReservationRequest(
                        id, Regions[random.Next(Regions.Length)], "shape", Amounts[random.Next(Amounts.Length)],
                        random.Next(1, 4), TimeSpan.FromSeconds(random.Next(1, 120)));
                    var result = await ledger.TryReserveAsync(request);
                    if (result.Status == ReservationStatus.InsufficientCapacity)
                    {
                        Interlocked.Increment(ref refused);
                    }

                    if (result.IsSuccess)
                    {
                        Interlocked.Increment(ref successes);
                        mine.Add(id);
                        known.Add(id);
                    }
                }
                else if (roll < 65)
                {
                    var id = mine[random.Next(mine.Count)];
                    if ((await ledger.CommitAsync(id)).IsSuccess)
                    {
                        committed[id] = true;
                    }
                }
                else if (roll < 90)
                {
                    var id = mine[random.Next(mine.Count)];
                    await ledger.ReleaseAsync(id);
                    committed.TryRemove(id, out _);
                }
                else if (roll < 97)
                {
                    time.Advance(TimeSpan.FromSeconds(random.Next(1, 20)));
                }
                else
                {
                    await ledger.ReclaimExpiredAsync();
                }

                // After every operation: no region is ever oversubscribed in any dimension.
                foreach (var region in Regions)
                {
                    Assert.True(ledger.TryGetRegionCapacity(region, out var capacity));
                    if (!capacity.Used.FitsWithin(capacity.Total) || !capacity.Free.IsValidAmount)
                    {
                        violations.Enqueue($"{region}: used {capacity.Used} exceeds total {capacity.Total}");
                    }
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);

        Assert.Empty(violations);
        Assert.True(successes > 500, $"Only {successes} reservations succeeded; the test exercises too little.");
        Assert.True(refused > 50, $"Only {refused} reservations were refused; the regions were never near full.");
        Assert.Contains(Regions, r => ledger.TryGetRegionCapacity(r, out var c) && c.Committed != ResourceVector.Zero);

        // Release what was committed, let every hold expire: free capacity is exactly the start.
        foreach (var id in known)
        {
            if (ledger.TryGetReservation(id, out var reservation) && reservation.State == ReservationState.Committed)
            {
                Assert.True((await ledger.ReleaseAsync(id)).IsSuccess);
            }
        }

        time.Advance(TimeSpan.FromMinutes(5));
        await ledger.ReclaimExpiredAsync();
        Assert.Equal(0, ledger.CountHeld());
        for (var i = 0; i < Regions.Length; i++)
        {
            Assert.True(ledger.TryGetRegionCapacity(Regions[i], out var capacity));
            Assert.Equal(Totals[i], capacity.Free);
            Assert.Equal(ResourceVector.Zero, capacity.Held);
            Assert.Equal(ResourceVector.Zero, capacity.Committed);
            Assert.Equal(Totals[i], await ledger.GetFreeCapacityAsync(Regions[i]));
        }
    }
}
