using Shaping.Core.Prediction;
using Shaping.Core.Resources;
using Shaping.Forecasting.Calibration;

namespace Shaping.Forecasting.Engine;

/// <summary>
/// The online calibration of one region's published peak quantiles: per window, dimension and upper quantile level, an
/// adaptive conformal calibrator fed with how each window's realised peak landed against the quantile stated for it.
/// </summary>
/// <remarks>
/// <para>
/// <b>Score.</b> For a stated peak distribution with median m and quantile U at level L (0.75, 0.9, 0.95 or 0.99),
/// the outcome y (the realised peak: the highest closed step of the window) is scored in stated medians,
/// s = (max(y, U − m) − U) / m: how far the peak came above U, as a share of the peak the models expected. It is fed
/// to a <see cref="ConformalIntervalCalibrator"/> at coverage L as the interval [U − 2m, U] (half-width m) and the
/// outcome max(y, U − m), so an outcome more than a median below U counts as covered with score −1 and never as a
/// miss below the interval: the calibration is one-sided, as capacity is (a low peak costs idle capacity, not a
/// shortfall), and holds the share of peaks above U at 1 − L. The calibrated quantile is max(m, U + q·m), q the
/// calibrator's adjustment: raised when peaks came above U more often than L allows, lowered (never below the median)
/// when less often. A raised quantile is capped at the highest realised peak of the last scored windows of the same
/// length and dimension (or left at U when U is higher): an adjustment learnt in medians while the median was tiny
/// (a near-idle region whose bursts came far above it) would otherwise multiply a later, busy median hundreds of times.
/// The median, the lower quantiles and the mean are the models'. A median of 0 gives no scale: such a window is not
/// scored and its quantiles are kept.
/// </para>
/// <para>
/// <b>Why medians, not spreads.</b> Scaling the models' own spread (U − m) by 1 + q was measured first, on the traces
/// of the accuracy console's <c>engine</c> command. The spread of one refit can be many times the next one's (a trend
/// model's day-ahead paths fanning out), and a q learnt in spreads multiplies that: WorldCup98's 1-day P95 went from
/// 2.0 to 13.6 times the realised peak on average. The median moves with the series' level and little else, so an
/// adjustment learnt at one level of traffic still means the same at twenty times the traffic.
/// </para>
/// <para>
/// <b>Scores per window.</b> The profile of a window is recorded when it is published, at most 12 times per window
/// length and at most once per refresh interval, and scored at the first refresh after its last step has closed.
/// Windows recorded k times per window length overlap and miss together, so each calibrator's adaptive step is
/// divided by k: a run of k near-copies of one outcome moves the working miss rate as one outcome does.
/// </para>
/// <para>Not thread-safe: the engine calls it under the region's gate.</para>
/// </remarks>
internal sealed class PeakCalibration
{
    /// <summary>The levels calibrated, as indices into <see cref="QuantileDistribution.Levels"/>: those above the median.</summary>
    internal static readonly int[] LevelIndices = [3, 4, 5, 6];

    /// <summary>How many profiles of one window are recorded per window length, at most.</summary>
    internal const int RecordsPerWindow = 12;

    /// <summary>Scores a calibrator needs before it adjusts (or the score window, when shorter).</summary>
    internal const int MinimumScores = 20;

    private const int MedianIndex = 2;
    private const int Dimensions = ResourceVector.DimensionCount;

    // Stored per dimension for a recorded profile: the median, then the quantile of each calibrated level.
    private static readonly int StatedPerDimension = 1 + LevelIndices.Length;

    private readonly ConformalIntervalCalibrator[] _calibrators; // [window, dimension, level]

    // The realised peaks of the last scored windows, per window and dimension (rings of `scores` values): a quantile is
    // never raised above the highest of them.
    private readonly RecentPeaks[] _realised; // [window, dimension]
    private readonly Queue<Pending>[] _pending;
    private readonly long[] _lastRecorded;
    private readonly int[] _windowSteps;
    private readonly int[] _spacing;

    /// <summary>Creates the calibration of one region.</summary>
    /// <param name="windowSteps">Each window's length in steps, in the engine's window order.</param>
    /// <param name="scores">How many recent scores each calibrator keeps.</param>
    /// <param name="learningRate">The adaptive step per independent outcome (divided by the records per window length).</param>
    /// <param name="refreshSteps">The refresh interval in steps: records are at least that far apart.</param>
    public PeakCalibration(int[] windowSteps, int scores, double learningRate, int refreshSteps)
    {
        _windowSteps = windowSteps;
        _spacing = [.. windowSteps.Select(s => Math.Max(Math.Max(1, s / RecordsPerWindow), refreshSteps))];
        _pending = [.. windowSteps.Select(_ => new Queue<Pending>())];
        _lastRecorded = [.. windowSteps.Select(_ => long.MinValue)];
        _calibrators = new ConformalIntervalCalibrator[windowSteps.Length * Dimensions * LevelIndices.Length];
        _realised = new RecentPeaks[windowSteps.Length * Dimensions];
        for (var i = 0; i < _realised.Length; i++)
        {
            _realised[i] = new RecentPeaks(scores);
        }

        for (var w = 0; w < windowSteps.Length; w++)
        {
            var recordsPerWindow = (int)Math.Ceiling((double)windowSteps[w] / _spacing[w]);
            for (var d = 0; d < Dimensions; d++)
            {
                for (var l = 0; l < LevelIndices.Length; l++)
                {
                    var level = QuantileDistribution.Levels[LevelIndices[l]];
                    _calibrators[Index(w, d, l)] = new ConformalIntervalCalibrator(
                        level, scores, learningRate / recordsPerWindow, Math.Min(MinimumScores, scores));
                }
            }
        }
    }

    /// <summary>Gets the calibrator of one window, dimension and level (an index into <see cref="LevelIndices"/>), for tests.</summary>
    internal ConformalIntervalCalibrator Calibrator(int window, Dimension dimension, int level) => _calibrators[Index(window, (int)dimension, level)];

    /// <summary>Gets how many recorded profiles wait for their window to close, over all windows.</summary>
    internal int PendingCount => _pending.Sum(q => q.Count);

    /// <summary>
    /// Scores every recorded profile whose window has closed against the realised peaks in <paramref name="series"/>;
    /// a window whose first step the series no longer holds is dropped unscored.
    /// </summary>
    public void ScoreClosed(StepSeries[] series)
    {
        var open = series[0].OpenStep;
        for (var w = 0; w < _pending.Length; w++)
        {
            var queue = _pending[w];
            while (queue.TryPeek(out var record) && record.Start + _windowSteps[w] <= open)
            {
                queue.Dequeue();
                for (var d = 0; d < Dimensions; d++)
                {
                    if (!series[d].TryPeak(record.Start, _windowSteps[w], out var peak))
                    {
                        break; // the same steps in every dimension: none is held
                    }

                    _realised[(w * Dimensions) + d].Add(peak);
                    var median = record.Stated[d * StatedPerDimension];
                    for (var l = 0; l < LevelIndices.Length; l++)
                    {
                        var upper = record.Stated[(d * StatedPerDimension) + 1 + l];
                        var lowest = upper - median; // at least 0: levels above the median
                        _calibrators[Index(w, d, l)].Observe(new IntervalBounds(lowest - median, upper), Math.Max(peak, lowest));
                    }
                }
            }
        }
    }

    /// <summary>
    /// Records the stated (uncalibrated) peak distributions of a window about to be published, unless one was recorded
    /// less than the window's spacing before.
    /// </summary>
    /// <param name="window">The window's index.</param>
    /// <param name="start">The window's first step.</param>
    /// <param name="stated">The stated peak distribution per dimension.</param>
    public void Record(int window, long start, ReadOnlySpan<QuantileDistribution> stated)
    {
        if (_lastRecorded[window] != long.MinValue && start - _lastRecorded[window] < _spacing[window])
        {
            return;
        }

        var values = new double[Dimensions * StatedPerDimension];
        for (var d = 0; d < Dimensions; d++)
        {
            values[d * StatedPerDimension] = stated[d].P50;
            for (var l = 0; l < LevelIndices.Length; l++)
            {
                values[(d * StatedPerDimension) + 1 + l] = stated[d].QuantileAt(LevelIndices[l]);
            }
        }

        _pending[window].Enqueue(new Pending(start, values));
        _lastRecorded[window] = start;
    }

    /// <summary>
    /// Applies the current adjustments to a stated peak distribution: each calibrated level's quantile U becomes
    /// max(m, U + q·m), then the levels are made non-decreasing. When no level has an adjustment yet (too few scores),
    /// the stated distribution is returned as it is.
    /// </summary>
    public QuantileDistribution Apply(int window, int dimension, QuantileDistribution stated)
    {
        Span<double> quantiles = stackalloc double[QuantileDistribution.LevelCount];
        stated.CopyQuantilesTo(quantiles);
        var median = quantiles[MedianIndex];
        var changed = false;
        var highest = double.NaN;
        for (var l = 0; l < LevelIndices.Length; l++)
        {
            var q = _calibrators[Index(window, dimension, l)].Adjustment;
            if (q != 0)
            {
                var i = LevelIndices[l];
                var adjusted = Math.Min(quantiles[i] + (q * median), double.MaxValue);
                if (q > 0)
                {
                    // Raised no higher than the highest peak the recent windows reached (or the stated quantile, when
                    // that is higher): scores are in stated medians, and misses learnt while the median was tiny (an
                    // idle region's bursts) must not multiply a later, busy median.
                    highest = double.IsNaN(highest) ? _realised[(window * Dimensions) + dimension].Highest() : highest;
                    adjusted = Math.Min(adjusted, Math.Max(quantiles[i], highest));
                }

                quantiles[i] = Math.Max(median, adjusted);
                changed = true;
            }
        }

        if (!changed)
        {
            return stated;
        }

        for (var i = MedianIndex + 1; i < quantiles.Length; i++)
        {
            quantiles[i] = Math.Max(quantiles[i], quantiles[i - 1]);
        }

        return QuantileDistribution.FromQuantiles(stated.Mean, quantiles);
    }

    /// <summary>
    /// Raises each stored quantile of <paramref name="value"/> to at least <paramref name="floor"/>'s (the same
    /// dimension's peak over a shorter window of the same refresh); the mean is kept.
    /// </summary>
    public static QuantileDistribution AtLeast(QuantileDistribution value, QuantileDistribution floor)
    {
        Span<double> quantiles = stackalloc double[QuantileDistribution.LevelCount];
        Span<double> floors = stackalloc double[QuantileDistribution.LevelCount];
        value.CopyQuantilesTo(quantiles);
        floor.CopyQuantilesTo(floors);
        var raised = false;
        for (var i = 0; i < quantiles.Length; i++)
        {
            if (floors[i] > quantiles[i])
            {
                quantiles[i] = floors[i];
                raised = true;
            }
        }

        return raised ? QuantileDistribution.FromQuantiles(value.Mean, quantiles) : value;
    }

    private static int Index(int window, int dimension, int level) => (((window * Dimensions) + dimension) * LevelIndices.Length) + level;

    private sealed record Pending(long Start, double[] Stated);

    // The last `capacity` realised peaks of one window length and dimension, oldest overwritten first.
    private sealed class RecentPeaks(int capacity)
    {
        private readonly double[] _values = new double[capacity];
        private int _next;
        private int _count;

        public void Add(double peak)
        {
            _values[_next] = peak;
            _next = (_next + 1) % _values.Length;
            _count = Math.Min(_count + 1, _values.Length);
        }

        public double Highest()
        {
            var highest = 0.0;
            for (var i = 0; i < _count; i++)
            {
                highest = Math.Max(highest, _values[i]);
            }

            return highest;
        }
    }
}
