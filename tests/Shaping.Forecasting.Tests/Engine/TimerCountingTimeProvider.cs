using Microsoft.Extensions.Time.Testing;

namespace Shaping.Forecasting.Tests.Engine;

/// <summary>
/// A fake clock that counts the timers created on it, so a test can wait until a background loop is waiting on the
/// clock (<see cref="Task.Delay(TimeSpan, TimeProvider, CancellationToken)"/> creates one) before moving it: a timer
/// created after the move is due a whole interval after the moved time.
/// </summary>
internal sealed class TimerCountingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private int _timersCreated;

    public int TimersCreated => Volatile.Read(ref _timersCreated);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref _timersCreated);
        return timer;
    }
}
