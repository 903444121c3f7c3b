using Shaping.Core.Resources;

namespace Shaping.Simulation.Policies;

/// <summary>
/// The recent one-step rises of demand per dimension, and the margin they justify: how much above the last observed
/// demand <see cref="PredictiveShapingPolicy"/> holds its reactive floor and its warm-up fallback.
/// </summary>
/// <remarks>
/// A rise is max(0, d_t ÷ d_t−1 − 1), NaN when d_t−1 is 0 (a start from zero is no rise sample). The margin for a
/// dimension is the <c>quantile</c> of its rises in the ring, or the last step's own rise if larger (a jump larger than
/// any recent one starts a new regime), at most the caller's limit; the limit itself until the dimension has
/// <c>minimumSamples</c> rises of its own. So smooth demand is not held a full margin above its last value, while
/// jumpy demand, or demand that has just jumped, keeps it. Not thread-safe; one per policy run.
/// </remarks>
internal sealed class StepRiseTracker
{
    private readonly double[][] _rises; // per dimension, a ring of the last steps' rises
    private readonly double[] _buffer;
    private readonly double[] _riseQuantile = new double[ResourceVector.DimensionCount];
    private readonly double _quantile;
    private readonly int _minimumSamples;
    private int _count;

    /// <summary>Creates a tracker.</summary>
    /// <param name="ring">How many recent rises the quantile is taken over.</param>
    /// <param name="quantile">The quantile of the recent rises.</param>
    /// <param name="minimumSamples">How many valid rises a dimension needs before its quantile is used.</param>
    public StepRiseTracker(int ring, double quantile, int minimumSamples)
    {
        _quantile = quantile;
        _minimumSamples = minimumSamples;
        _rises = new double[ResourceVector.DimensionCount][];
        for (var d = 0; d < _rises.Length; d++)
        {
            _rises[d] = new double[ring];
        }

        _buffer = new double[ring];
        Array.Fill(_riseQuantile, double.NaN);
    }

    /// <summary>Records the step from <paramref name="before"/> to <paramref name="value"/>.</summary>
    public void Record(ResourceVector before, ResourceVector value)
    {
        var slot = _count % _buffer.Length;
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            var previous = before[(Dimension)d];
            _rises[d][slot] = previous > 0 ? Math.Max(0, (value[(Dimension)d] / previous) - 1) : double.NaN;
        }

        _count++;
    }

    /// <summary>Takes the quantile of the recorded rises of every active dimension (the others keep theirs).</summary>
    /// <param name="active">Per dimension, whether it has had demand.</param>
    public void Update(ReadOnlySpan<bool> active)
    {
        var count = Math.Min(_count, _buffer.Length);
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            if (active[d])
            {
                _riseQuantile[d] = Quantiles.UpperOfPresent(_rises[d].AsSpan(0, count), _buffer, _quantile, _minimumSamples);
            }
        }
    }

    /// <summary>A margin of at most <paramref name="limit"/> for a dimension.</summary>
    /// <param name="limit">The largest margin, and the margin until the dimension has enough rises.</param>
    /// <param name="dimension">The dimension's index.</param>
    /// <param name="lastRise">The last step's own rise (∞ for a start from zero).</param>
    /// <returns>The recent rises' quantile, or <paramref name="lastRise"/> if larger, at most <paramref name="limit"/>.</returns>
    public double Margin(double limit, int dimension, double lastRise) =>
        double.IsNaN(_riseQuantile[dimension]) ? limit : Math.Min(limit, Math.Max(_riseQuantile[dimension], lastRise));
}
