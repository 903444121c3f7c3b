using Shaping.Core.Resources;

namespace Shaping.Simulation.Policies;

/// <summary>
/// The margin above the recent peak that <see cref="PredictiveShapingPolicy"/> lets its forecast bound reach: learned,
/// per dimension, from how far each completed bucket's peak rose above the highest demand of the buckets before it.
/// </summary>
/// <remarks>
/// A bucket's rise is max(0, its peak ÷ the highest demand of the <c>window</c> buckets before it − 1), NaN when that
/// was 0. The margin for a bucket is the <c>quantile</c> of the rises of the last <c>ring</c> buckets, or the same
/// bucket's rise a week before if larger (a rise that recurs once a week, as a Monday above its Sunday, is one sample
/// in a week's ring, below a 99 % quantile), at most <c>limit</c>; <c>limit</c> until <c>minimumSamples</c> rises
/// are known. Not thread-safe; one per policy run.
/// </remarks>
internal sealed class PeakRiseTracker
{
    private readonly int _window;
    private readonly double _quantile;
    private readonly double _limit;
    private readonly int _minimumSamples;
    private readonly double[][] _rises; // per dimension, a ring of the last buckets' rises
    private readonly double[][] _weekly; // per dimension, each bucket's rise by bucket index modulo a week
    private readonly double[] _buffer;
    private readonly double[] _riseQuantile = new double[ResourceVector.DimensionCount];
    private int _count;

    /// <summary>Creates a tracker.</summary>
    /// <param name="window">How many buckets before a bucket its peak is compared with (the cap's window).</param>
    /// <param name="ring">How many recent rises the quantile is taken over (the calibration window).</param>
    /// <param name="week">How many buckets make a week.</param>
    /// <param name="quantile">The quantile of the recent rises.</param>
    /// <param name="limit">The largest margin, and the margin until enough rises are known.</param>
    /// <param name="minimumSamples">How many valid rises the quantile needs.</param>
    public PeakRiseTracker(int window, int ring, int week, double quantile, double limit, int minimumSamples)
    {
        _window = window;
        _quantile = quantile;
        _limit = limit;
        _minimumSamples = minimumSamples;
        _rises = new double[ResourceVector.DimensionCount][];
        _weekly = new double[ResourceVector.DimensionCount][];
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            _rises[d] = new double[ring];
            _weekly[d] = new double[week];
            Array.Fill(_weekly[d], double.NaN);
        }

        _buffer = new double[ring];
        Array.Fill(_riseQuantile, double.NaN);
    }

    /// <summary>Records a completed bucket's peak, before it joins <paramref name="earlierPeaks"/>.</summary>
    /// <param name="earlierPeaks">The peaks of the buckets before it, oldest first (its index is their count).</param>
    /// <param name="peak">The completed bucket's peak.</param>
    public void Record(IReadOnlyList<ResourceVector> earlierPeaks, ResourceVector peak)
    {
        var index = earlierPeaks.Count;
        if (index < _window)
        {
            return;
        }

        var before = ResourceVector.Zero;
        for (var b = index - _window; b < index; b++)
        {
            before = ResourceVector.Max(before, earlierPeaks[b]);
        }

        var slot = _count % _buffer.Length;
        var weekSlot = index % _weekly[0].Length;
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            var previous = before[(Dimension)d];
            var rise = previous > 0 ? Math.Max(0, (peak[(Dimension)d] / previous) - 1) : double.NaN;
            _rises[d][slot] = rise;
            _weekly[d][weekSlot] = rise;
        }

        _count++;
        var count = Math.Min(_count, _buffer.Length);
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            _riseQuantile[d] = Quantiles.UpperOfPresent(_rises[d].AsSpan(0, count), _buffer, _quantile, _minimumSamples);
        }
    }

    /// <summary>The margin for a dimension in a bucket not yet recorded.</summary>
    /// <param name="dimension">The dimension's index.</param>
    /// <param name="bucket">The bucket's index (the bucket in progress).</param>
    /// <returns>A margin in [0, limit].</returns>
    public double Margin(int dimension, int bucket)
    {
        var quantile = _riseQuantile[dimension];
        if (double.IsNaN(quantile))
        {
            return _limit;
        }

        var weekAgo = _weekly[dimension][bucket % _weekly[dimension].Length];
        return Math.Min(_limit, double.IsNaN(weekAgo) ? quantile : Math.Max(quantile, weekAgo));
    }
}
