using Shaping.Core.Resources;

namespace Shaping.Simulation.Policies;

/// <summary>
/// Split conformal calibration of <see cref="PredictiveShapingPolicy"/>'s forecast: per dimension and step position,
/// the ratios demand ÷ forecast base of the recent intervals, and the quantiles that turn a base into a lower and an
/// upper bound.
/// </summary>
/// <remarks>
/// <para>Each position keeps a ring of the last <c>window</c> ratios. Relative errors at night-time lows are far wider
/// than at the peaks that set the cost, so each ratio is tagged with its level (Mondrian conformal): whether its base
/// was low. A level is calibrated on its own ratios when it has at least <c>levelMinimum</c> of them, and on all the
/// position's ratios otherwise. The upper ratio is the <c>quantile</c> of the ratios, the lower one their 5 %
/// quantile.</para>
/// <para>A ratio is NaN for a dimension that had no forecast when the interval was decided (before it first had
/// demand), and a base of 0 gives a ratio of 1. Not thread-safe; one per policy run.</para>
/// </remarks>
internal sealed class ConformalRatios
{
    private const double LowerQuantile = 0.05;
    private readonly int _stepsPerBucket;
    private readonly int _window;
    private readonly int _levelMinimum;
    private readonly double _quantile;
    private readonly double[][] _ratios; // per dimension, a ring of _window per position
    private readonly bool[][] _low; // per ratio, whether its base was low
    private readonly int[][] _valid; // per dimension and position, how many ratios in the ring are not NaN
    private readonly double[][] _lower; // per dimension and (position × 2 + level), level 1 being low
    private readonly double[][] _upper;
    private readonly int[] _count; // per position, how many ratios were ever recorded
    private readonly double[] _buffer;

    /// <summary>Creates an empty calibration.</summary>
    /// <param name="stepsPerBucket">How many step positions a bucket has.</param>
    /// <param name="window">How many recent ratios each position keeps.</param>
    /// <param name="quantile">The quantile of the ratios that makes the upper bound.</param>
    /// <param name="levelMinimum">How many ratios a level needs to be calibrated on its own.</param>
    public ConformalRatios(int stepsPerBucket, int window, double quantile, int levelMinimum)
    {
        _stepsPerBucket = stepsPerBucket;
        _window = window;
        _quantile = quantile;
        _levelMinimum = levelMinimum;
        _ratios = new double[ResourceVector.DimensionCount][];
        _low = new bool[ResourceVector.DimensionCount][];
        _valid = new int[ResourceVector.DimensionCount][];
        _lower = new double[ResourceVector.DimensionCount][];
        _upper = new double[ResourceVector.DimensionCount][];
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            _ratios[d] = new double[stepsPerBucket * window];
            _low[d] = new bool[stepsPerBucket * window];
            _valid[d] = new int[stepsPerBucket];
            _lower[d] = new double[stepsPerBucket * 2];
            _upper[d] = new double[stepsPerBucket * 2];
        }

        _count = new int[stepsPerBucket];
        _buffer = new double[window];
    }

    /// <summary>Gets whether ratios were recorded since the last <see cref="Update"/>.</summary>
    public bool HasNewRatios { get; private set; }

    /// <summary>Records how far an interval's demand landed from the forecast base it was decided on.</summary>
    /// <param name="position">The interval's step position within its bucket.</param>
    /// <param name="demand">The interval's demand.</param>
    /// <param name="forecastBase">The forecast base the interval was decided on.</param>
    /// <param name="hadForecast">Per dimension, whether it had a forecast then (NaN ratios otherwise).</param>
    /// <param name="low">Per dimension, whether the base was at the low level.</param>
    public void Record(int position, ResourceVector demand, ResourceVector forecastBase, ReadOnlySpan<bool> hadForecast, ReadOnlySpan<bool> low)
    {
        var slot = (position * _window) + (_count[position] % _window);
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            var baseValue = forecastBase[(Dimension)d];
            var ratio = !hadForecast[d] ? double.NaN : baseValue > 0 ? demand[(Dimension)d] / baseValue : 1;
            var replaced = _count[position] >= _window ? _ratios[d][slot] : double.NaN;
            _valid[d][position] += (double.IsNaN(ratio) ? 0 : 1) - (double.IsNaN(replaced) ? 0 : 1);
            _ratios[d][slot] = ratio;
            _low[d][slot] = low[d];
        }

        _count[position]++;
        HasNewRatios = true;
    }

    /// <summary>Retakes the quantiles of every active dimension from the ratios in the rings.</summary>
    /// <param name="active">Per dimension, whether it has had demand (the others keep their quantiles).</param>
    public void Update(ReadOnlySpan<bool> active)
    {
        HasNewRatios = false;
        for (var position = 0; position < _stepsPerBucket; position++)
        {
            var count = Math.Min(_count[position], _window);
            if (count == 0)
            {
                continue;
            }

            for (var d = 0; d < ResourceVector.DimensionCount; d++)
            {
                if (!active[d])
                {
                    continue;
                }

                // Each level gets its own quantiles when it has enough ratios, and the pooled ones otherwise.
                var ratios = _ratios[d].AsSpan(position * _window, count);
                var levels = _low[d].AsSpan(position * _window, count);
                if (!Calibrate(ratios, levels, null, out var pooledUpper, out var pooledLower))
                {
                    continue;
                }

                for (var level = 0; level < 2; level++)
                {
                    var enough = Calibrate(ratios, levels, level == 1, out var upper, out var lower);
                    _upper[d][(position * 2) + level] = enough ? upper : pooledUpper;
                    _lower[d][(position * 2) + level] = enough ? lower : pooledLower;
                }
            }
        }
    }

    /// <summary>The ratio that turns a base into the upper bound (0 before the position was calibrated).</summary>
    public double Upper(int dimension, int position, bool low) => _upper[dimension][(position * 2) + (low ? 1 : 0)];

    /// <summary>The ratio that turns a base into the lower bound (0 before the position was calibrated).</summary>
    public double Lower(int dimension, int position, bool low) => _lower[dimension][(position * 2) + (low ? 1 : 0)];

    /// <summary>Per ratio slot of a dimension (position × window + index in the ring), whether its base was low.</summary>
    internal ReadOnlySpan<bool> Levels(int dimension) => _low[dimension];

    /// <summary>Whether every position holds at least <paramref name="minimum"/> real ratios of a dimension.</summary>
    public bool IsCalibrated(int dimension, int minimum)
    {
        foreach (var valid in _valid[dimension])
        {
            if (valid < minimum)
            {
                return false;
            }
        }

        return true;
    }

    // The quantile and the 5 % quantile of the real ratios at one position, of one level (null: both). False when there
    // are none, or, for one level, fewer than _levelMinimum.
    private bool Calibrate(ReadOnlySpan<double> ratios, ReadOnlySpan<bool> levels, bool? low, out double upper, out double lower)
    {
        var valid = 0;
        for (var i = 0; i < ratios.Length; i++)
        {
            if (!double.IsNaN(ratios[i]) && (low is null || levels[i] == low.Value))
            {
                _buffer[valid++] = ratios[i];
            }
        }

        upper = lower = double.NaN;
        if (valid == 0 || (low is not null && valid < _levelMinimum))
        {
            return false;
        }

        var sorted = _buffer.AsSpan(0, valid);
        sorted.Sort();
        upper = Quantiles.UpperOfSorted(sorted, _quantile);
        lower = sorted[(int)Math.Floor(LowerQuantile * (valid - 1))];
        return true;
    }
}
