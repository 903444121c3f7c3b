using Shaping.Core.Resources;

namespace Shaping.Simulation.Policies;

/// <summary>
/// The shape of demand within a bucket: for each dimension and step position, the share of the bucket's peak that
/// demand at that position has had over the calibration window. <see cref="PredictiveShapingPolicy"/> multiplies a
/// bucket's peak forecast by it, so a spike that recurs at the same minute of every hour is provisioned for at that
/// minute only, and reads from it how much demand is expected to grow or fall from one step to the next.
/// </summary>
/// <remarks>A share is the <c>quantile</c> (the median by default) of demand at the position ÷ its bucket's peak, over
/// the completed buckets of the window whose peak was not 0; 1 until there is one. Not thread-safe; one per policy
/// run.</remarks>
internal sealed class StepProfile
{
    private readonly int _stepsPerBucket;
    private readonly int _window;
    private readonly double _quantile;
    private readonly double[][] _share; // per dimension and position
    private readonly double[] _buffer;

    /// <summary>Creates a flat profile (every share 1).</summary>
    /// <param name="stepsPerBucket">How many steps make a bucket.</param>
    /// <param name="window">How many of the last completed buckets the shares are taken over.</param>
    /// <param name="quantile">The quantile of the shares at a position.</param>
    public StepProfile(int stepsPerBucket, int window, double quantile)
    {
        _stepsPerBucket = stepsPerBucket;
        _window = window;
        _quantile = quantile;
        _share = new double[ResourceVector.DimensionCount][];
        for (var d = 0; d < _share.Length; d++)
        {
            _share[d] = new double[stepsPerBucket];
            Array.Fill(_share[d], 1.0);
        }

        _buffer = new double[window];
    }

    /// <summary>The share of the bucket's peak at a position.</summary>
    public double Share(int dimension, int position) => _share[dimension][position];

    /// <summary>Recomputes the shares of every active dimension from the last completed buckets.</summary>
    /// <param name="history">Every interval observed so far.</param>
    /// <param name="completedBuckets">How many whole buckets <paramref name="history"/> holds.</param>
    /// <param name="active">Per dimension, whether it has had demand.</param>
    public void Update(ReadOnlySpan<ResourceVector> history, int completedBuckets, ReadOnlySpan<bool> active)
    {
        if (_stepsPerBucket == 1)
        {
            return;
        }

        var buckets = Math.Min(completedBuckets, _window);
        var first = completedBuckets - buckets;
        Span<double> peaks = buckets <= 512 ? stackalloc double[buckets] : new double[buckets];
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            if (!active[d])
            {
                continue;
            }

            var dimension = (Dimension)d;
            for (var b = 0; b < buckets; b++)
            {
                var start = (first + b) * _stepsPerBucket;
                var peak = 0.0;
                for (var k = 0; k < _stepsPerBucket; k++)
                {
                    peak = Math.Max(peak, history[start + k][dimension]);
                }

                peaks[b] = peak;
            }

            for (var p = 0; p < _stepsPerBucket; p++)
            {
                var count = 0;
                for (var b = 0; b < buckets; b++)
                {
                    if (peaks[b] > 0)
                    {
                        _buffer[count++] = history[((first + b) * _stepsPerBucket) + p][dimension] / peaks[b];
                    }
                }

                _share[d][p] = count == 0 ? 1 : Quantiles.Upper(_buffer.AsSpan(0, count), _quantile);
            }
        }
    }

    /// <summary>
    /// How much the profile expects demand to grow into interval <paramref name="t"/> from the one before it: the ratio
    /// of their positions' shares, at least 1 (1 for the first interval or when a share is 0).
    /// </summary>
    public double ExpectedRise(int dimension, int t)
    {
        if (_stepsPerBucket == 1 || t < 1)
        {
            return 1;
        }

        var share = _share[dimension];
        var from = share[(t - 1) % _stepsPerBucket];
        var to = share[t % _stepsPerBucket];
        return from > 0 && to > from ? to / from : 1;
    }

    /// <summary>
    /// How much the profile expects demand to fall into a position from the one before it: the ratio of their shares,
    /// at most 1 (1 when the earlier share is 0).
    /// </summary>
    public double ExpectedFall(int dimension, int position)
    {
        var share = _share[dimension];
        var previous = share[(position + _stepsPerBucket - 1) % _stepsPerBucket];
        return previous > 0 ? Math.Min(1, share[position] / previous) : 1;
    }
}
