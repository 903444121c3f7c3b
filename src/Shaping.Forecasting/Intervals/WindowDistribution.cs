using System.Buffers;
using Shaping.Core.Prediction;
using Shaping.Core.Resources;

namespace Shaping.Forecasting.Intervals;

/// <summary>
/// Computes the distributions of a future window's mean and peak from a model's sample paths, which is what
/// <see cref="LoadProfile"/> needs.
/// </summary>
/// <remarks>
/// <para>
/// The peak of a window is the maximum over its steps on one path; its distribution is the distribution of that
/// maximum across paths, not a stack of per-step quantiles (the per-step 95th percentiles do not add up to the
/// 95th percentile of the maximum: the maximum is higher, because some step is likely to be high). Likewise the
/// window's mean is averaged per path, so its spread reflects how errors accumulate along a path.
/// </para>
/// <para>
/// Simulated values are clamped at zero (a load cannot be negative). Seeded, so a profile is reproducible;
/// the cost is O(paths × (lead + window)) time and memory, rented from the shared array pool.
/// </para>
/// </remarks>
public static class WindowDistribution
{
    /// <summary>The default number of sample paths: enough for a stable 99th percentile of the peak.</summary>
    public const int DefaultPathCount = 2000;

    /// <summary>Computes the distributions of the mean and the peak of a window.</summary>
    /// <param name="model">The fitted model; its forecast origin is the end of the data it has seen.</param>
    /// <param name="windowSteps">The window's length in the model's steps; at least 1.</param>
    /// <param name="pathCount">How many sample paths to simulate; at least 10.</param>
    /// <param name="seed">The random seed, for reproducible distributions.</param>
    /// <param name="leadSteps">How many steps after the forecast origin the window starts; 0 for the next step.</param>
    /// <returns>The two distributions, in the series' unit.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count is out of range.</exception>
    /// <exception cref="ArithmeticException">A simulated path value is NaN or infinite (the model diverged).</exception>
    public static WindowForecast Compute(IForecastModel model, int windowSteps, int pathCount = DefaultPathCount, int seed = 0, int leadSteps = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(windowSteps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pathCount, 10);
        ArgumentOutOfRangeException.ThrowIfNegative(leadSteps);
        var horizon = checked(leadSteps + windowSteps);
        var length = checked(pathCount * horizon);
        var paths = ArrayPool<double>.Shared.Rent(length);
        var means = ArrayPool<double>.Shared.Rent(pathCount);
        var peaks = ArrayPool<double>.Shared.Rent(pathCount);
        try
        {
            model.SimulatePaths(paths.AsSpan(0, length), horizon, new Random(seed));
            return Summarize(paths.AsSpan(0, length), horizon, leadSteps, windowSteps, means.AsSpan(0, pathCount), peaks.AsSpan(0, pathCount));
        }
        finally
        {
            ArrayPool<double>.Shared.Return(paths);
            ArrayPool<double>.Shared.Return(means);
            ArrayPool<double>.Shared.Return(peaks);
        }
    }

    /// <summary>
    /// Summarises one window of already simulated paths (row-major, <paramref name="horizon"/> steps each): per path
    /// the mean and the maximum over the window's steps, then their distributions across paths. Negative path values
    /// count as zero load.
    /// </summary>
    /// <remarks>
    /// The mean is accumulated as a sum of <c>value / windowSteps</c>, so paths of finite values near
    /// <see cref="double.MaxValue"/> do not overflow to infinity. A NaN or infinite path value means the model
    /// diverged; counting it as zero load would understate demand exactly when the model is least trustworthy, so it
    /// fails the summary instead.
    /// </remarks>
    /// <exception cref="ArithmeticException">A path value in the window is NaN or infinite.</exception>
    internal static WindowForecast Summarize(
        ReadOnlySpan<double> paths, int horizon, int leadSteps, int windowSteps, Span<double> means, Span<double> peaks)
    {
        var pathCount = paths.Length / horizon;
        for (var p = 0; p < pathCount; p++)
        {
            var window = paths.Slice((p * horizon) + leadSteps, windowSteps);
            var mean = 0.0;
            var peak = 0.0;
            foreach (var raw in window)
            {
                if (!double.IsFinite(raw))
                {
                    throw new ArithmeticException($"A simulated path has a non-finite value ({raw}): the model diverged.");
                }

                var value = raw > 0 ? raw : 0;
                mean += value / windowSteps;
                peak = Math.Max(peak, value);
            }

            means[p] = mean;
            peaks[p] = peak;
        }

        return new WindowForecast(
            QuantileDistribution.FromSamples(means[..pathCount]),
            QuantileDistribution.FromSamples(peaks[..pathCount]));
    }

    /// <summary>
    /// Builds a <see cref="LoadProfile"/> from one model per resource dimension, each simulated with its own
    /// seed derived from <paramref name="seed"/>.
    /// </summary>
    /// <param name="models">One model per <see cref="Dimension"/>, in dimension order; a null entry means the dimension is not
    /// forecast and is predicted as zero load.</param>
    /// <param name="windowSteps">The window's length in the models' steps; at least 1.</param>
    /// <param name="window">The window's duration, recorded in the profile; positive.</param>
    /// <param name="pathCount">How many sample paths per dimension; at least 10.</param>
    /// <param name="seed">The random seed.</param>
    /// <param name="leadSteps">How many steps after the forecast origin the window starts.</param>
    /// <returns>The profile, marked <see cref="ProfileSource.Forecast"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="models"/> does not have one entry per dimension.</exception>
    /// <exception cref="ArithmeticException">A simulated path value is NaN or infinite (a model diverged).</exception>
    public static LoadProfile BuildProfile(
        IReadOnlyList<IForecastModel?> models,
        int windowSteps,
        TimeSpan window,
        int pathCount = DefaultPathCount,
        int seed = 0,
        int leadSteps = 0)
    {
        ArgumentNullException.ThrowIfNull(models);
        if (models.Count != ResourceVector.DimensionCount)
        {
            throw new ArgumentException($"Expected {ResourceVector.DimensionCount} models, one per dimension; got {models.Count}.", nameof(models));
        }

        var mean = new QuantileDistribution[ResourceVector.DimensionCount];
        var peak = new QuantileDistribution[ResourceVector.DimensionCount];
        var names = new List<string>(ResourceVector.DimensionCount);
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            var model = models[d];
            if (model is null)
            {
                mean[d] = QuantileDistribution.Degenerate(0);
                peak[d] = QuantileDistribution.Degenerate(0);
                continue;
            }

            var forecast = Compute(model, windowSteps, pathCount, unchecked(seed + (d * 7919)), leadSteps);
            mean[d] = forecast.Mean;
            peak[d] = forecast.Peak;
            names.Add($"{(Dimension)d}: {model.Name}");
        }

        return new LoadProfile(mean, peak, window, ProfileSource.Forecast, string.Join("; ", names));
    }
}
