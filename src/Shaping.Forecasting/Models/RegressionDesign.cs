namespace Shaping.Forecasting.Models;

/// <summary>The columns of <see cref="RegressionForecaster"/>'s design matrix and how to compute a row for any step.</summary>
internal sealed class RegressionDesign
{
    private readonly double _scale;
    private readonly double[] _knots;
    private readonly double[] _frequencies;
    private readonly EventTimeline? _timeline;
    private readonly int _eventCount;
    private readonly bool _trend;

    /// <param name="historyLength">The number of fitted steps, n.</param>
    /// <param name="changePoints">The number of hinges.</param>
    /// <param name="periods">The seasonal periods, in steps.</param>
    /// <param name="harmonics">The most harmonics per period.</param>
    /// <param name="timeline">The events, if any.</param>
    /// <param name="trend">Whether the slope column is used; when not, it stays in the layout (so coefficients keep
    /// their indices) but is all zero, and its coefficient is 0.</param>
    public RegressionDesign(int historyLength, int changePoints, IReadOnlyList<int> periods, int harmonics, EventTimeline? timeline, bool trend = true)
    {
        _scale = 1.0 / historyLength;
        _trend = trend;
        _knots = new double[changePoints];
        for (var k = 0; k < changePoints; k++)
        {
            _knots[k] = 0.9 * (k + 1) / (changePoints + 1);
        }

        // Distinct frequencies (cycles per step) over all periods; a weekly harmonic equal to a daily one enters once.
        var frequencies = new List<double>();
        foreach (var period in periods)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(period, 2, nameof(periods));
            for (var k = 1; k <= Math.Min(harmonics, period / 2); k++)
            {
                var f = (double)k / period;
                if (!frequencies.Exists(g => Math.Abs(g - f) < 1e-12))
                {
                    frequencies.Add(f);
                }
            }
        }

        _frequencies = [.. frequencies];
        _timeline = timeline;
        _eventCount = timeline?.EventNames.Count ?? 0;
        ColumnCount = 2 + _knots.Length + (2 * _frequencies.Length) + _eventCount;
        ParameterCount = ColumnCount - (trend ? 0 : 1);
    }

    public int ColumnCount { get; }

    /// <summary>The number of coefficients the fit estimates: the columns, less the slope when it is not used.</summary>
    public int ParameterCount { get; }

    public int EventCount => _eventCount;

    /// <summary>The index of the first event column.</summary>
    public int EventOffset => ColumnCount - _eventCount;

    public IReadOnlyList<double> Frequencies => _frequencies;

    public double[] Penalties(double changePoint, double seasonal, double events)
    {
        var penalty = new double[ColumnCount];
        var c = 2;
        for (var k = 0; k < _knots.Length; k++)
        {
            penalty[c++] = changePoint;
        }

        for (var k = 0; k < 2 * _frequencies.Length; k++)
        {
            penalty[c++] = seasonal;
        }

        for (var k = 0; k < _eventCount; k++)
        {
            penalty[c++] = events;
        }

        return penalty;
    }

    /// <summary>Writes the regressors of step <paramref name="t"/> (0 = the first step of the fitted history).</summary>
    public void Row(long t, Span<double> row)
    {
        var time = t * _scale;
        row[0] = 1;
        row[1] = _trend ? time : 0;
        var c = 2;
        foreach (var knot in _knots)
        {
            row[c++] = Math.Max(0, time - knot);
        }

        foreach (var f in _frequencies)
        {
            // Reduce the phase first so that long horizons keep full precision.
            var cycles = f * t;
            var angle = 2 * Math.PI * (cycles - Math.Floor(cycles));
            row[c++] = Math.Sin(angle);
            row[c++] = Math.Cos(angle);
        }

        if (_timeline is not null)
        {
            _timeline.Activity(t, row.Slice(c, _eventCount));
        }
    }
}
