using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Shaping.Forecasting.Tests.Engine;

/// <summary>
/// A fake clock that tells a test when background code has started waiting on it, so the test advances the clock only
/// then.
/// </summary>
/// <remarks>
/// Advancing a <see cref="FakeTimeProvider"/> fires only the timers that exist at that moment. The engine's
/// <see cref="Shaping.Forecasting.Engine.PredictiveLoadEngine.RunAsync"/> publishes a refresh and then creates its delay;
/// a test that polled for the published refresh and advanced at once could advance before the delay existed, and the
/// loop then waited a whole interval more than the test expected (seen on a loaded machine:
/// <c>Options_RefreshIntervalLongerThanATimerCanWait_ThrowsNamingIt</c> failed after a minute of polling).
/// </remarks>
internal sealed class WaitSignallingClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Channel<bool> _timersCreated = Channel.CreateUnbounded<bool>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _timersCreated.Writer.TryWrite(true);
        return timer;
    }

    /// <summary>
    /// Waits until code creates its next timer on this clock (one call per timer, in order), failing at once with the
    /// loop's exception if <paramref name="loop"/> stops instead.
    /// </summary>
    public async Task WaitForTimerAsync(Task loop)
    {
        // A hang guard, not a timing assertion: it only ends a test whose code never waits on the clock.
        using var hangGuard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var created = _timersCreated.Reader.ReadAsync(hangGuard.Token).AsTask();
        await Task.WhenAny(created, loop);
        Assert.False(loop.IsCompleted, $"the loop stopped instead of waiting on the clock: {loop.Exception}");
        try
        {
            await created;
        }
        catch (OperationCanceledException)
        {
            Assert.Fail("the loop did not start waiting on the clock");
        }
    }
}
