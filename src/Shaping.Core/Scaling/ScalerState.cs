using Shaping.Core.Resources;

namespace Shaping.Core.Scaling;

/// <summary>
/// What a <see cref="HysteresisScaler"/> remembers about one replica between observations: its shape, its smoothed
/// demand, since when it has been outside the bands, and its recent switches.
/// </summary>
/// <remarks>
/// <para>
/// A plain value (about 150 bytes, no references), so a control plane can keep one per replica in an array or a
/// dictionary without allocating per observation. The scaler never changes a state it is given; it writes the
/// next state to an <c>out</c> parameter, which makes every step a pure function that tests can replay.
/// </para>
/// <para>
/// The smoothed demand is kept in absolute units (cores, GiB, GiB, Gbps), not as a utilisation, so it stays valid
/// across a move: the utilisation on the new shape is the same demand over the new capacity.
/// </para>
/// <para><c>default(ScalerState)</c> equals <c>ScalerState.Create(0)</c>.</para>
/// <para><b>Thread safety:</b> a value type; copies are independent. Do not share one variable between threads without a lock.</para>
/// </remarks>
public struct ScalerState
{
    // Zero ticks (year 1) marks "no time", so default(ScalerState) is the unobserved state of shape 0.
    internal const long NoTime = 0;

    internal int _shapeIndex;
    internal bool _initialized;
    internal int _switchHead;
    internal int _switchCount;
    internal long _lastTicks;
    internal long _aboveSinceTicks;
    internal long _belowSinceTicks;
    internal long _lastMoveTicks;
    internal double _cpu;
    internal double _memory;
    internal double _storage;
    internal double _network;
    internal SwitchTimes _switches;

    /// <summary>Gets the catalog index of the shape the replica runs on.</summary>
    public readonly int ShapeIndex => _shapeIndex;

    /// <summary>Gets whether the state has seen at least one observation.</summary>
    public readonly bool IsInitialized => _initialized;

    /// <summary>Gets the smoothed demand, in each dimension's unit; zero before the first observation.</summary>
    public readonly ResourceVector SmoothedDemand => new(_cpu, _memory, _storage, _network);

    /// <summary>Gets the time of the last observation taken into account, or <see langword="null"/> before the first.</summary>
    public readonly DateTimeOffset? LastObservationAt => ToTime(_lastTicks);

    /// <summary>Gets the time of the last move, or <see langword="null"/> when the replica has not moved.</summary>
    public readonly DateTimeOffset? LastMoveAt => ToTime(_lastMoveTicks);

    /// <summary>Gets since when the smoothed utilisation has been above the up band, or <see langword="null"/> when it is not.</summary>
    public readonly DateTimeOffset? AboveUpBandSince => ToTime(_aboveSinceTicks);

    /// <summary>Gets since when the smoothed utilisation has been below the down band, or <see langword="null"/> when it is not.</summary>
    public readonly DateTimeOffset? BelowDownBandSince => ToTime(_belowSinceTicks);

    /// <summary>Creates the state of a replica that has not been observed yet.</summary>
    /// <param name="shapeIndex">The catalog index of the replica's current shape; non-negative.</param>
    /// <returns>The state.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shapeIndex"/> is negative.</exception>
    public static ScalerState Create(int shapeIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shapeIndex);
        return new ScalerState
        {
            _shapeIndex = shapeIndex,
            _lastTicks = NoTime,
            _aboveSinceTicks = NoTime,
            _belowSinceTicks = NoTime,
            _lastMoveTicks = NoTime,
        };
    }

    /// <summary>Counts the moves made in the rolling period that ends at <paramref name="now"/>.</summary>
    /// <param name="now">The end of the period.</param>
    /// <param name="period">The period's length; positive.</param>
    /// <returns>How many of the remembered moves (at most <see cref="ScalerPolicy.MaxSwitchCap"/>) fall within (<paramref name="now"/> − <paramref name="period"/>, <paramref name="now"/>].</returns>
    public readonly int CountSwitchesWithin(DateTimeOffset now, TimeSpan period) => CountSwitchesWithin(now.UtcTicks, period.Ticks);

    /// <summary>
    /// Returns this state (the scaler's next state after a move) with the move undone, because applying it failed:
    /// the smoothing keeps the new observation, while the shape, the cool-down, the switch count and the band timers
    /// come from <paramref name="beforeMove"/>, so the move is tried again on the next observation if still due.
    /// </summary>
    /// <param name="beforeMove">The state that was passed to the scaler together with the observation that led to the move.</param>
    /// <returns>The state to keep.</returns>
    public readonly ScalerState RollBackMove(in ScalerState beforeMove)
    {
        var rolledBack = this;
        rolledBack._shapeIndex = beforeMove._shapeIndex;
        rolledBack._lastMoveTicks = beforeMove._lastMoveTicks;
        rolledBack._switches = beforeMove._switches;
        rolledBack._switchHead = beforeMove._switchHead;
        rolledBack._switchCount = beforeMove._switchCount;
        rolledBack._aboveSinceTicks = beforeMove._aboveSinceTicks;
        rolledBack._belowSinceTicks = beforeMove._belowSinceTicks;
        return rolledBack;
    }

    /// <summary>Returns this state on the same shape at another index, after the catalog it refers to was replaced.</summary>
    internal readonly ScalerState WithShapeIndex(int shapeIndex)
    {
        var moved = this;
        moved._shapeIndex = shapeIndex;
        return moved;
    }

    /// <inheritdoc/>
    public override readonly string ToString() =>
        $"shape #{_shapeIndex}, smoothed demand {SmoothedDemand}, last move {LastMoveAt?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "never"}";

    internal readonly int CountSwitchesWithin(long nowTicks, long periodTicks)
    {
        var count = 0;
        for (var i = 0; i < _switchCount; i++)
        {
            if (nowTicks - _switches[i] < periodTicks)
            {
                count++;
            }
        }

        return count;
    }

    internal void RecordMove(int targetIndex, long nowTicks)
    {
        _shapeIndex = targetIndex;
        _lastMoveTicks = nowTicks;
        _switches[_switchHead] = nowTicks;
        _switchHead = (_switchHead + 1) % ScalerPolicy.MaxSwitchCap;
        if (_switchCount < ScalerPolicy.MaxSwitchCap)
        {
            _switchCount++;
        }

        _aboveSinceTicks = NoTime;
        _belowSinceTicks = NoTime;
    }

    private static DateTimeOffset? ToTime(long ticks) => ticks == NoTime ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
}
