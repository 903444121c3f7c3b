using Shaping.Core.Capacity;
using Shaping.Core.Resources;

namespace Shaping.Core.Tests.Capacity;

public sealed class CapacityLimitsTests
{
    private static readonly double JustAboveMax = Math.BitIncrement(CapacityLimits.MaxAmount);

    private static ReservationRequest Request(ResourceVector perReplica, int replicas = 1, TimeSpan? ttl = null) =>
        new(new ReservationId("a"), "eu", "m", perReplica, replicas, ttl ?? TimeSpan.FromMinutes(5));

    [Fact]
    public void Limits_AreTheStricterOfTheLedgers_AndFitBothIntegerRepresentations()
    {
        Assert.Equal(9e9, CapacityLimits.MaxAmount);
        Assert.Equal(TimeSpan.FromDays(365), CapacityLimits.MaxTimeToLive);

        // In memory: nano-units in a long. PostgreSQL: milli-units in a bigint.
        Assert.True(CapacityLimits.MaxAmount * 1e9 <= long.MaxValue);
        Assert.True(CapacityLimits.MaxAmount * 1e3 <= long.MaxValue);
    }

    [Fact]
    public void ThrowIfAmountOutOfRange_AtTheLimitInEveryDimension_DoesNotThrow()
    {
        var max = CapacityLimits.MaxAmount;
        CapacityLimits.ThrowIfAmountOutOfRange(new ResourceVector(max, max, max, max));
        CapacityLimits.ThrowIfAmountOutOfRange(ResourceVector.Zero);
    }

    [Theory]
    [InlineData(Dimension.Cpu, "CpuCores")]
    [InlineData(Dimension.Memory, "MemoryGiB")]
    [InlineData(Dimension.Storage, "StorageGiB")]
    [InlineData(Dimension.Network, "NetworkGbps")]
    public void ThrowIfAmountOutOfRange_JustAboveTheLimit_ThrowsNamingTheArgumentAndTheExactValue(Dimension dimension, string member)
    {
        var capacity = ResourceVector.Of(dimension, JustAboveMax);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => CapacityLimits.ThrowIfAmountOutOfRange(capacity));

        Assert.Equal(nameof(capacity), error.ParamName);
        Assert.StartsWith("capacity must be at most 9e9 units in every dimension (CapacityLimits.MaxAmount); got ", error.Message, StringComparison.Ordinal);

        // The vector's own text rounds to the limit; the message shows the exact value too.
        Assert.Contains($"({member} 9000000000.000002)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ThrowIfAmountOutOfRange_NegativeOrNotFinite_Throws()
    {
        foreach (var bad in new[] { new ResourceVector(-1, 0, 0, 0), new ResourceVector(0, double.NaN, 0, 0), new ResourceVector(0, 0, double.PositiveInfinity, 0) })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => CapacityLimits.ThrowIfAmountOutOfRange(bad));
            Assert.Equal(nameof(bad), error.ParamName);
            Assert.Contains("must be finite and non-negative in every dimension", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ThrowIfRequestOutOfRange_AtEveryLimit_DoesNotThrow()
    {
        var max = CapacityLimits.MaxAmount;
        CapacityLimits.ThrowIfRequestOutOfRange(Request(new ResourceVector(max, max, max, max), ttl: CapacityLimits.MaxTimeToLive));
        CapacityLimits.ThrowIfRequestOutOfRange(Request(new ResourceVector(max / 2, 0, 0, 0), replicas: 2));
        CapacityLimits.ThrowIfRequestOutOfRange(Request(ResourceVector.Zero, ttl: TimeSpan.FromTicks(1)));
    }

    public static TheoryData<string, string> OutOfRangeRequests => new()
    {
        { "per replica", "ReservationRequest.PerReplica must be at most 9e9 units" },
        { "total", "ReservationRequest.Total (PerReplica × Replicas) must be at most 9e9 units" },
        { "ttl", "ReservationRequest.TimeToLive must be positive and at most 365 days (CapacityLimits.MaxTimeToLive); got 365.00:00:00.0000001." },
        { "zero ttl", "ReservationRequest.TimeToLive must be positive" },
        { "replicas", "ReservationRequest.Replicas must be at least 1; got 0." },
        { "negative", "ReservationRequest.PerReplica must be finite and non-negative" },
    };

    [Theory]
    [MemberData(nameof(OutOfRangeRequests))]
    public void ThrowIfRequestOutOfRange_OneMemberOutOfRange_ThrowsNamingTheParameterAndTheMember(string which, string message)
    {
        var request = which switch
        {
            "per replica" => Request(new ResourceVector(1, JustAboveMax, 1, 1)),
            "total" => Request(new ResourceVector(1, 1, 1, (CapacityLimits.MaxAmount / 2) + 1), replicas: 2),
            "ttl" => Request(new ResourceVector(1, 1, 1, 1), ttl: CapacityLimits.MaxTimeToLive + TimeSpan.FromTicks(1)),
            "zero ttl" => Request(new ResourceVector(1, 1, 1, 1), ttl: TimeSpan.Zero),
            "replicas" => Request(new ResourceVector(1, 1, 1, 1), replicas: 0),
            _ => Request(new ResourceVector(-1, 1, 1, 1)),
        };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => CapacityLimits.ThrowIfRequestOutOfRange(request));

        Assert.Equal(nameof(request), error.ParamName);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }
}
