namespace Shaping.Forecasting.Tests;

/// <summary>
/// A clock that jumps ahead at every read, as a machine that stalls between two steps of a computation would look to
/// it: a test that fits on it and on a stopped clock checks that the outcome does not depend on the machine's speed.
/// </summary>
/// <param name="jump">How far each read moves the clock.</param>
internal sealed class JumpingClock(TimeSpan jump) : TimeProvider
{
    private long _ticks;

    /// <summary>Gets how many times the clock was read.</summary>
    public int Reads { get; private set; }

    /// <inheritdoc/>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc/>
    public override long GetTimestamp()
    {
        Reads++;
        _ticks += jump.Ticks;
        return _ticks;
    }
}
