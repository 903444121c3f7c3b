using Microsoft.Extensions.Time.Testing;
using Shaping.Capacity.PostgreSql.Tests.Infrastructure;
using Shaping.Core.Capacity;
using Shaping.Core.Resources;

namespace Shaping.Capacity.PostgreSql.Tests;

/// <summary>Bad input is refused with a clear error or a typed result and changes nothing in the database.</summary>
public sealed class BadInputTests(PostgresSchemaFixture db) : IClassFixture<PostgresSchemaFixture>
{
    private static readonly ResourceVector Small = new(2, 4, 20, 0.5);

    private async Task<(PostgreSqlCapacityLedger Ledger, ReservationRequest Existing, string Before)> ArrangeAsync()
    {
        var ledger = db.CreateLedger(new FakeTimeProvider());
        var region = "r-" + Guid.NewGuid().ToString("N")[..8];
        await ledger.SetRegionCapacityAsync(region, new ResourceVector(16, 64, 512, 10));
        var existing = new ReservationRequest(ReservationId.Create("dup-" + Guid.NewGuid()), region, "m.small", Small, 2, TimeSpan.FromMinutes(5));
        Assert.True((await ledger.TryReserveAsync(existing)).IsSuccess);
        return (ledger, existing, await db.SnapshotAsync());
    }

    [PostgresFact]
    public async Task TryReserve_UnknownRegion_UnknownRegionAndNothingChanged()
    {
        var (ledger, existing, before) = await ArrangeAsync();

        var result = await ledger.TryReserveAsync(existing with { Id = ReservationId.Create("new-" + Guid.NewGuid()), Region = "atlantis" });

        Assert.Equal(ReservationStatus.UnknownRegion, result.Status);
        Assert.Null(result.Reservation);
        Assert.Equal(before, await db.SnapshotAsync());
    }

    [PostgresFact]
    public async Task TryReserve_NegativeOrNonFiniteAmounts_ThrowsNamingRequestAndNothingChanged()
    {
        var (ledger, existing, before) = await ArrangeAsync();
        var fresh = existing with { Id = ReservationId.Create("new-" + Guid.NewGuid()) };

        foreach (var bad in new[] { new ResourceVector(-1, 1, 1, 1), new ResourceVector(1, double.NaN, 1, 1), new ResourceVector(1, 1, double.PositiveInfinity, 1), new ResourceVector(1, 1, 1, 2e12) })
        {
            var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ledger.TryReserveAsync(fresh with { PerReplica = bad }).AsTask());
            Assert.Equal("request", error.ParamName);
            Assert.Contains("PerReplica", error.Message, StringComparison.Ordinal);
        }

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ledger.TryReserveAsync(fresh with { Replicas = 0 }).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ledger.TryReserveAsync(fresh with { TimeToLive = TimeSpan.Zero }).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => ledger.TryReserveAsync(fresh with { Region = " " }).AsTask());
        await Assert.ThrowsAsync<ArgumentNullException>(() => ledger.TryReserveAsync(fresh with { Id = default }).AsTask()); // as in memory
        await Assert.ThrowsAsync<ArgumentException>(() => ledger.TryReserveAsync(fresh with { ShapeName = " " }).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => ledger.CommitAsync(default).AsTask());
        Assert.Equal(before, await db.SnapshotAsync());
    }

    [PostgresFact]
    public async Task TryReserve_SameIdDifferentContent_ConflictWithTheOriginalAndNothingChanged()
    {
        var (ledger, existing, before) = await ArrangeAsync();
        var variants = new[]
        {
            existing with { ShapeName = "m.large" },
            existing with { PerReplica = Small * 2 },
            existing with { Replicas = 3 },
            existing with { TimeToLive = TimeSpan.FromMinutes(6) },
            existing with { Region = "atlantis" },
        };

        foreach (var variant in variants)
        {
            var result = await ledger.TryReserveAsync(variant);
            Assert.Equal(ReservationStatus.Conflict, result.Status);
            Assert.Equal(existing, result.Reservation!.Request);
        }

        Assert.Equal(before, await db.SnapshotAsync());
    }

    [PostgresFact]
    public async Task SetRegionCapacity_BelowCurrentUseOrNegative_RefusedAndNothingChanged()
    {
        var (ledger, existing, before) = await ArrangeAsync();

        var below = await ledger.SetRegionCapacityAsync(existing.Region, new ResourceVector(3, 64, 512, 10));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ledger.SetRegionCapacityAsync(existing.Region, new ResourceVector(-3, 64, 512, 10)).AsTask());

        Assert.Equal(RegionCapacityStatus.BelowCurrentUse, below);
        Assert.Equal(before, await db.SnapshotAsync());
    }

    [PostgresTheory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Operations_UnstorableIdOrRegion_ThrowArgumentExceptionAndNothingChanged(int kind)
    {
        // Built here: xunit would replace a lone surrogate in serialised theory data.
        var key = kind switch
        {
            0 => "with-nul-\0-inside",
            1 => "lone-surrogate-" + (char)0xD800,
            _ => new string('k', PostgreSqlCapacityLedger.MaxKeyBytes + 1),
        };

        // These used to reach PostgreSQL and come back as PostgresException / EncoderFallbackException.
        var (ledger, existing, before) = await ArrangeAsync();

        await Assert.ThrowsAsync<ArgumentException>(async () => await ledger.TryReserveAsync(existing with { Id = new ReservationId(key) }));
        await Assert.ThrowsAsync<ArgumentException>(async () => await ledger.TryReserveAsync(existing with { Id = ReservationId.Create("new-" + Guid.NewGuid()), Region = key }));
        await Assert.ThrowsAsync<ArgumentException>(async () => await ledger.CommitAsync(new ReservationId(key)));
        await Assert.ThrowsAsync<ArgumentException>(async () => await ledger.ReleaseAsync(new ReservationId(key)));
        await Assert.ThrowsAsync<ArgumentException>(async () => await ledger.GetFreeCapacityAsync(key));
        Assert.Equal(before, await db.SnapshotAsync());
    }
}
