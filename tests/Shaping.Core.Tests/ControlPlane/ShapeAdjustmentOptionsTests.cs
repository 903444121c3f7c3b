using Microsoft.Extensions.Time.Testing;
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
