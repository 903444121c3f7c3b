using Microsoft.Extensions.Time.Testing;
using Shaping.Core.Capacity;
using Shaping.Core.ControlPlane;

namespace Shaping.Core.Tests.ControlPlane;

public sealed class ShapeAdjustmentOptionsTests
{
    [Theory]
    [InlineData(0.5)]              // below the timer's whole millisecond
    [InlineData(60 * 86_400_000d)] // 60 days: beyond the timer's longest period
    public void Constructor_IntervalATimerCannotTick_ThrowsNamingIt(double milliseconds)
    {
        var interval = TimeSpan.FromMilliseconds(milliseconds);
        var error = Assert.Throws<ArgumentOutOfRangeException>("interval", () => new ShapeAdjustmentOptions(interval: interval));
        Assert.StartsWith($"ShapeAdjustmentOptions.Interval ({interval})", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_ReservationTimeToLiveBeyondTheLedgersLimit_ThrowsNamingIt()
    {
        var ttl = CapacityLimits.MaxTimeToLive + TimeSpan.FromTicks(1);
        var error = Assert.Throws<ArgumentOutOfRangeException>("reservationTimeToLive", () => new ShapeAdjustmentOptions(reservationTimeToLive: ttl));
        Assert.StartsWith($"ShapeAdjustmentOptions.ReservationTimeToLive ({ttl})", error.Message, StringComparison.Ordinal);
        Assert.Equal(CapacityLimits.MaxTimeToLive, new ShapeAdjustmentOptions(reservationTimeToLive: CapacityLimits.MaxTimeToLive).ReservationTimeToLive);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(ShapeAdjustmentOptions.MaxResizeRetryCap + 1)]
    [InlineData(int.MaxValue)]
    public void Constructor_MaxResizeRetriesOutOfRange_ThrowsNamingIt(int retries)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>("maxResizeRetries", () => new ShapeAdjustmentOptions(maxResizeRetries: retries));
        Assert.Equal(retries, error.ActualValue);
        Assert.StartsWith(
            $"ShapeAdjustmentOptions.MaxResizeRetries ({retries}) must be between 0 and {ShapeAdjustmentOptions.MaxResizeRetryCap}.",
            error.Message,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(ShapeAdjustmentOptions.MaxResizeRetryCap)]
    public void Constructor_MaxResizeRetriesAtABound_IsKept(int retries) =>
        Assert.Equal(retries, new ShapeAdjustmentOptions(maxResizeRetries: retries).MaxResizeRetries);

    [Fact]
    public void Default_MaxResizeRetries_IsTwo() => Assert.Equal(2, ShapeAdjustmentOptions.Default.MaxResizeRetries);

    [Fact]
    public void IntervalBounds_AreExactlyWhatThePeriodicTimerAccepts()
    {
        var time = new FakeTimeProvider();
        foreach (var accepted in new[] { ShapeAdjustmentOptions.MinInterval, ShapeAdjustmentOptions.MaxInterval })
        {
            Assert.Equal(accepted, new ShapeAdjustmentOptions(interval: accepted).Interval);
            using var timer = new PeriodicTimer(accepted, time);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => new PeriodicTimer(ShapeAdjustmentOptions.MaxInterval + TimeSpan.FromMilliseconds(1), time));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PeriodicTimer(ShapeAdjustmentOptions.MinInterval - TimeSpan.FromTicks(1), time));
    }
}
