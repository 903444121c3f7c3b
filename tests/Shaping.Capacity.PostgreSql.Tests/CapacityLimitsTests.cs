using Microsoft.Extensions.Time.Testing;
using Shaping.Capacity.PostgreSql.Tests.Infrastructure;
using Shaping.Core.Capacity;
using Shaping.Core.Resources;

namespace Shaping.Capacity.PostgreSql.Tests;

/// <summary>
/// The PostgreSQL ledger accepts exactly the <see cref="CapacityLimits"/> the in-memory ledger accepts, and refuses what
/// is beyond them with the same exception and message.
/// </summary>
public sealed class CapacityLimitsTests(PostgresSchemaFixture db) : IClassFixture<PostgresSchemaFixture>
{
    private const double Max = CapacityLimits.MaxAmount;
    private static readonly ResourceVector All = new(Max, Max, Max, Max);
    private static readonly double JustAboveMax = Math.BitIncrement(Max);

    private static ReservationRequest Request(string region, ResourceVector perReplica, int replicas = 1, TimeSpan? ttl = null) =>
        new(ReservationId.Create(Guid.NewGuid().ToString("N")), region, "x", perReplica, replicas, ttl ?? TimeSpan.FromMinutes(5));

    [PostgresFact]
    public async Task TryReserve_ExactlyAtTheSharedLimits_Succeeds()
    {
        var time = new FakeTimeProvider();
        var ledger = db.CreateLedger(time);
        var region = "r-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(RegionCapacityStatus.Succeeded, await ledger.SetRegionCapacityAsync(region, All));
        Assert.Equal(All, await ledger.GetFreeCapacityAsync(region));

        var whole = Request(region, All, ttl: CapacityLimits.MaxTimeToLive);
        var result = await ledger.TryReserveAsync(whole);

        Assert.Equal(ReservationStatus.Succeeded, result.Status);
        Assert.Equal(time.GetUtcNow() + CapacityLimits.MaxTimeToLive, result.Reservation!.ExpiresAt);
        Assert.Equal(whole, (await ledger.GetReservationAsync(whole.Id)).Reservation!.Request);
        Assert.Equal(ResourceVector.Zero, await ledger.GetFreeCapacityAsync(region));

        // A total exactly at the limit, made of two replicas.
        await ledger.ReleaseAsync(whole.Id);
        var halves = await ledger.TryReserveAsync(Request(region, All * 0.5, replicas: 2));
        Assert.Equal(ReservationStatus.Succeeded, halves.Status);
        Assert.Equal(ResourceVector.Zero, await ledger.GetFreeCapacityAsync(region));
        Assert.Equal(0, await db.ViolationsAsync());
    }

    [PostgresFact]
    public async Task TryReserveOrSetCapacity_JustAboveTheSharedLimits_ThrowsNamingTheParameterAndNothingChanged()
    {
        var ledger = db.CreateLedger(new FakeTimeProvider());
        var region = "r-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(RegionCapacityStatus.Succeeded, await ledger.SetRegionCapacityAsync(region, All));
        var before = await db.SnapshotAsync();

        // Rounded to milli-units, the first amount would be exactly the limit: the limit applies before rounding.
        var perReplica = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => ledger.TryReserveAsync(Request(region, new ResourceVector(1, 1, JustAboveMax, 1))).AsTask());
        var total = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => ledger.TryReserveAsync(Request(region, new ResourceVector((Max / 2) + 1, 1, 1, 1), replicas: 2)).AsTask());
        var ttl = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => ledger.TryReserveAsync(Request(region, new ResourceVector(1, 1, 1, 1), ttl: CapacityLimits.MaxTimeToLive + TimeSpan.FromTicks(1))).AsTask());
        var capacity = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => ledger.SetRegionCapacityAsync(region, new ResourceVector(JustAboveMax, 1, 1, 1)).AsTask());

        Assert.All([perReplica, total, ttl], e => Assert.Equal("request", e.ParamName));
        Assert.StartsWith("ReservationRequest.PerReplica must be at most 9e9 units in every dimension (CapacityLimits.MaxAmount)", perReplica.Message, StringComparison.Ordinal);
        Assert.StartsWith("ReservationRequest.Total (PerReplica × Replicas) must be at most 9e9 units", total.Message, StringComparison.Ordinal);
        Assert.StartsWith("ReservationRequest.TimeToLive must be positive and at most 365 days (CapacityLimits.MaxTimeToLive)", ttl.Message, StringComparison.Ordinal);
        Assert.Equal("capacity", capacity.ParamName);
        Assert.StartsWith("capacity must be at most 9e9 units in every dimension (CapacityLimits.MaxAmount)", capacity.Message, StringComparison.Ordinal);
        Assert.Equal(before, await db.SnapshotAsync());
    }

    public static TheoryData<string> OutOfRange => ["per replica", "total", "ttl", "zero ttl", "replicas", "negative", "nan"];

    /// <summary>Needs no server: both ledgers check their arguments before touching any state.</summary>
    [Theory]
    [MemberData(nameof(OutOfRange))]
    public async Task TryReserve_OutOfRange_BothLedgersThrowTheSameException(string which)
    {
        var request = which switch
        {
            "per replica" => Request("eu", new ResourceVector(JustAboveMax, 1, 1, 1)),
            "total" => Request("eu", new ResourceVector(1, 1, 1, (Max / 2) + 1), replicas: 2),
            "ttl" => Request("eu", new ResourceVector(1, 1, 1, 1), ttl: CapacityLimits.MaxTimeToLive + TimeSpan.FromTicks(1)),
            "zero ttl" => Request("eu", new ResourceVector(1, 1, 1, 1), ttl: TimeSpan.Zero),
            "replicas" => Request("eu", new ResourceVector(1, 1, 1, 1), replicas: 0),
            "negative" => Request("eu", new ResourceVector(1, -1, 1, 1)),
            _ => Request("eu", new ResourceVector(1, 1, double.NaN, 1)),
        };
        var inMemory = new InMemoryCapacityLedger([new("eu", All)]);
        await using var postgres = new PostgreSqlCapacityLedger(Unreachable(), TimeProvider.System);

        var expected = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => inMemory.TryReserveAsync(request).AsTask());
        var actual = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => postgres.TryReserveAsync(request).AsTask());

        Assert.Equal("request", expected.ParamName);
        Assert.Equal(expected.ParamName, actual.ParamName);
        Assert.Equal(expected.Message, actual.Message);
        Assert.Equal(expected.ActualValue, actual.ActualValue);
    }

    public static TheoryData<string> Blank => ["null id", "blank id", "blank region", "null shape", "blank shape"];

    /// <summary>Needs no server: both ledgers check their arguments before touching any state.</summary>
    [Theory]
    [MemberData(nameof(Blank))]
    public async Task TryReserve_NullOrBlankName_BothLedgersThrowTheSameException(string which)
    {
        var valid = Request("eu", new ResourceVector(1, 1, 1, 1));
        var request = which switch
        {
            "null id" => valid with { Id = default },
            "blank id" => valid with { Id = new ReservationId(" ") },
            "blank region" => valid with { Region = "" },
            "null shape" => valid with { ShapeName = null! },
            _ => valid with { ShapeName = "\t" },
        };
        var inMemory = new InMemoryCapacityLedger([new("eu", All)]);
        await using var postgres = new PostgreSqlCapacityLedger(Unreachable(), TimeProvider.System);

        var expected = await Assert.ThrowsAnyAsync<ArgumentException>(() => inMemory.TryReserveAsync(request).AsTask());
        var actual = await Assert.ThrowsAnyAsync<ArgumentException>(() => postgres.TryReserveAsync(request).AsTask());

        Assert.Equal(expected.GetType(), actual.GetType());
        Assert.Equal("request", actual.ParamName);
        Assert.Equal(expected.Message, actual.Message);
    }

    [Fact]
    public async Task SetRegionCapacity_JustAboveTheLimit_BothLedgersThrowTheSameMessageForTheirParameter()
    {
        var inMemory = new InMemoryCapacityLedger();
        await using var postgres = new PostgreSqlCapacityLedger(Unreachable(), TimeProvider.System);
        var capacity = new ResourceVector(1, JustAboveMax, 1, 1);

        var expected = Assert.Throws<ArgumentOutOfRangeException>(() => inMemory.SetRegionCapacity("eu", capacity));
        var actual = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => postgres.SetRegionCapacityAsync("eu", capacity).AsTask());

        // The parameters have different names ("total", "capacity"); the messages differ only by them.
        Assert.Equal("total", expected.ParamName);
        Assert.Equal("capacity", actual.ParamName);
        Assert.Equal(expected.Message.Replace("total", "capacity", StringComparison.Ordinal), actual.Message);
    }

    // Port 1 refuses connections: nothing here may reach a database.
    private static PostgreSqlLedgerOptions Unreachable() =>
        new() { ConnectionString = "Host=127.0.0.1;Port=1;Username=u;Password=p;Database=d", ReservationRetryCount = 0 };
}
