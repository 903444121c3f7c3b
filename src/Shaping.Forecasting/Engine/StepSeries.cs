namespace Shaping.Forecasting.Engine;

/// <summary>
/// One region-dimension series at a fixed resolution: closed steps (step means) in a bounded buffer, and the
/// step being filled.
/// </summary>
/// <remarks>
/// Gaps (steps with no observation) are filled with the value one season earlier when the history has it, else
/// the last closed value: a seasonal carry-forward that keeps the series regular for the models. Late
/// observations for a closed step still in the buffer update that step's mean (it counts at the next refit, not
/// in the online state). A gap of at least the buffer's capacity is not filled: the series restarts at the new
/// step (see <see cref="Add"/>), so filling costs at most the capacity and never replaces all real history with
/// copies of itself. Not thread-safe; the engine locks around it.
/// </remarks>
internal sealed class StepSeries
{
    private readonly double[] _values;
    private readonly int[] _counts;
    private readonly int _seasonalPeriod;
    private int _start;
    private int _length;
    private long _openStep = long.MinValue;
    private double _openSum;
    private int _openCount;

    public StepSeries(int capacity, int seasonalPeriod)
    {
        _values = new double[capacity];
        _counts = new int[capacity];
        _seasonalPeriod = seasonalPeriod;
    }

    /// <summary>Gets the step being filled (the step after the last closed one: the models' forecast origin), or
    /// <see cref="long.MinValue"/> before the first observation.</summary>
    public long OpenStep => _openStep;

    /// <summary>Gets the number of closed steps held.</summary>
    public int Length => _length;

    /// <summary>Gets how many closed steps have ever been appended (it keeps counting after old steps are dropped).</summary>
    public long Appended { get; private set; }

    /// <summary>Gets how many gap steps were filled.</summary>
    public long GapsFilled { get; private set; }

    /// <summary>Gets how many times the series restarted after a gap at least as long as its capacity.</summary>
    public long Restarts { get; private set; }

    /// <summary>Gets how many observations arrived too late to be kept.</summary>
    public long LateDropped { get; private set; }

    /// <summary>Gets the most recent observed step mean (closed or open), or 0 when none.</summary>
    public double Latest => _openCount > 0 ? _openSum / _openCount : _length > 0 ? At(_length - 1) : 0;

    /// <summary>
    /// Adds an observation to step <paramref name="step"/>; closes the open step (and fills gaps) when a later step
    /// starts. Each closed step value is passed to <paramref name="onClosed"/>.
    /// </summary>
    /// <remarks>
    /// When <paramref name="step"/> is at least the capacity past the open step, filling the gap would push every
    /// held step out of the buffer and leave only synthetic copies; instead the series drops what it holds (the open
    /// step included) and starts afresh at <paramref name="step"/>, in O(1).
    /// </remarks>
    /// <returns><see langword="true"/> when the series restarted, so the caller's models no longer describe it.</returns>
    public bool Add<TState>(long step, double value, TState state, Action<TState, double> onClosed)
    {
        if (_openStep == long.MinValue)
        {
            _openStep = step;
        }

        if (step == _openStep)
        {
            _openSum += value;
            _openCount++;
            return false;
        }

        if (step < _openStep)
        {
            AddLate(step, value);
            return false;
        }

        if (step - _openStep > _values.Length)
        {
            // At least a whole buffer of missing steps: nothing real would survive the fill.
            _start = 0;
            _length = 0;
            _openStep = step;
            _openSum = value;
            _openCount = 1;
            Restarts++;
            return true;
        }

        Close(state, onClosed);
        for (var gap = _openStep + 1; gap < step; gap++)
        {
            Append(FillValue(), 0);
            GapsFilled++;
            onClosed(state, At(_length - 1));
        }

        _openStep = step;
        _openSum = value;
        _openCount = 1;
        return false;
    }

    /// <summary>Copies the closed steps, oldest first.</summary>
    public double[] ToArray()
    {
        var copy = new double[_length];
        for (var i = 0; i < _length; i++)
        {
            copy[i] = At(i);
        }

        return copy;
    }

    /// <summary>Gets the highest of <paramref name="count"/> closed steps from step <paramref name="first"/> on.</summary>
    /// <param name="first">The first step (in the same numbering as <see cref="OpenStep"/>).</param>
    /// <param name="count">How many steps; at least 1.</param>
    /// <param name="peak">The highest step value, when every step is closed and still held.</param>
    /// <returns><see langword="false"/> when a step is still open, not yet reached, or already dropped from the buffer.</returns>
    public bool TryPeak(long first, int count, out double peak)
    {
        peak = 0;
        var firstHeld = _openStep - _length;
        if (_openStep == long.MinValue || first < firstHeld || first + count > _openStep || count < 1)
        {
            return false;
        }

        var index = (int)(first - firstHeld);
        peak = At(index);
        for (var i = 1; i < count; i++)
        {
            peak = Math.Max(peak, At(index + i));
        }

        return true;
    }

    /// <summary>Gets the closed steps appended after the first <paramref name="appended"/> ever appended.</summary>
    public IEnumerable<double> Since(long appended)
    {
        var skip = (int)Math.Max(0, _length - (Appended - appended));
        for (var i = skip; i < _length; i++)
        {
            yield return At(i);
        }
    }

    private double At(int index) => _values[(_start + index) % _values.Length];

    private void Close<TState>(TState state, Action<TState, double> onClosed)
    {
        if (_openCount == 0)
        {
            return;
        }

        Append(_openSum / _openCount, _openCount);
        _openCount = 0; // reset before the callback, so a callback that throws cannot close the same step twice
        _openSum = 0;
        onClosed(state, At(_length - 1));
    }

    private void Append(double value, int count)
    {
        int slot;
        if (_length < _values.Length)
        {
            slot = (_start + _length) % _values.Length;
            _length++;
        }
        else
        {
            slot = _start;
            _start = (_start + 1) % _values.Length;
        }

        _values[slot] = value;
        _counts[slot] = count;
        Appended++;
    }

    private double FillValue() =>
        _length >= _seasonalPeriod && _seasonalPeriod > 1 ? At(_length - _seasonalPeriod)
        : _length > 0 ? At(_length - 1)
        : _openCount > 0 ? _openSum / _openCount : 0;

    private void AddLate(long step, double value)
    {
        var firstHeld = _openStep - _length;
        if (step < firstHeld)
        {
            LateDropped++;
            return;
        }

        var index = (int)(step - firstHeld);
        var slot = (_start + index) % _values.Length;
        var count = _counts[slot];
        _values[slot] = count == 0 ? value : ((_values[slot] * count) + value) / (count + 1);
        _counts[slot] = count + 1;
    }
}
