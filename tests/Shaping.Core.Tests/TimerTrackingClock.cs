using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Shaping.Core.Tests;

/// <summary>
/// A fake clock that knows which of its timers are armed and when they are due, so that a test can move time exactly
/// as far as the code under test waits, and only while it waits (<see cref="RunUntilDone{T}"/>).
/// </summary>
/// <remarks>
/// The handler tests used to advance a plain <see cref="FakeTimeProvider"/> by a fixed step every 5 ms of real time
/// until the operation finished. How much fake time passed then depended on how quickly the thread pool ran the
/// continuations: on a loaded machine the clock could run minutes ahead of the code and expire a reservation (5 minutes
/// by default) that the test expected to be held. Here the clock moves only to the next due timer, and only once the
/// code has armed it, so the same test sees the same times on every run.
/// <para>
/// Limits: "only while it waits" means "whenever a timer is armed". The clock cannot tell a timer the code waits on
/// from a guard timer armed beside running code (<c>WaitAsync(timeout, clock)</c>, <c>CancelAfter</c>): such a guard
/// fires at once. A periodic timer fires again and again until the move limit fails the test, and with two operations
/// in flight one's timer moves time under the other. The handler code these tests drive uses none of these.
/// </para>
/// </remarks>
internal sealed class TimerTrackingClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Lock _gate = new();
    private readonly List<TrackedTimer> _armed = [];
    private readonly Channel<bool> _armedSignals = Channel.CreateUnbounded<bool>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var tracked = new TrackedTimer(this, callback);
        tracked.Inner = base.CreateTimer(static s => ((TrackedTimer)s!).Fire(), tracked, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        tracked.State = state;
        tracked.Change(dueTime, period);
        return tracked;
    }

    /// <summary>
    /// Runs <paramref name="task"/> to completion: whenever none of its code is running but a timer is armed, moves the
    /// clock to the earliest due time (firing that timer); then awaits the task.
    /// </summary>
    public async Task<T> RunUntilDone<T>(Task<T> task)
    {
        for (var moves = 0; !task.IsCompleted; moves++)
        {
            Assert.True(moves < 10_000, "The operation kept waiting on the clock: 10,000 timers fired without it completing.");
            if (NextDue() is { } due)
            {
                SetUtcNow(due);
                continue;
            }

            // Nothing armed: the code is running (or its continuation is queued). Wait for it to arm a timer or finish;
            // the time-out is a hang guard, not a timing assertion.
            using var hangGuard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var armed = _armedSignals.Reader.WaitToReadAsync(hangGuard.Token).AsTask();
            await Task.WhenAny(task, armed);
            if (!task.IsCompleted)
            {
                Assert.True(armed.IsCompletedSuccessfully, "The operation neither completed nor waited on the clock.");
                _armedSignals.Reader.TryRead(out _);
            }
        }

        return await task;
    }

    private DateTimeOffset? NextDue()
    {
        lock (_gate)
        {
            return _armed.Count == 0 ? null : _armed.Min(t => t.Due);
        }
    }

    private void Arm(TrackedTimer timer, DateTimeOffset due)
    {
        lock (_gate)
        {
            timer.Due = due;
            if (!_armed.Contains(timer))
            {
                _armed.Add(timer);
            }
        }

        _armedSignals.Writer.TryWrite(true);
    }

    private void Disarm(TrackedTimer timer)
    {
        lock (_gate)
        {
            _armed.Remove(timer);
        }
    }

    /// <summary>A fake timer that reports when it is armed, fired, changed or disposed.</summary>
    private sealed class TrackedTimer(TimerTrackingClock clock, TimerCallback callback) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public ITimer Inner { get; set; } = null!; // set by CreateTimer before the timer is handed out

        public object? State { get; set; }

        public DateTimeOffset Due { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            _period = period;
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                clock.Disarm(this);
            }
            else
            {
                clock.Arm(this, clock.GetUtcNow() + dueTime);
            }

            return Inner.Change(dueTime, period);
        }

        public void Fire()
        {
            if (_period == Timeout.InfiniteTimeSpan || _period == TimeSpan.Zero)
            {
                clock.Disarm(this);
            }
            else
            {
                clock.Arm(this, clock.GetUtcNow() + _period);
            }

            callback(State);
        }

        public void Dispose()
        {
            clock.Disarm(this);
            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            clock.Disarm(this);
            return Inner.DisposeAsync();
        }
    }
}
