using MathNet.Numerics.Distributions;

namespace Shaping.Forecasting.Models;

/// <summary>Shared checks for every forecaster (history validation) and arithmetic for the baselines (naive, seasonal naive, Naive2).</summary>
internal static class BaselineMath
{
    /// <summary>
    /// Whether an exception is how a forecaster says it cannot fit or forecast a history (too short, degenerate, or
    /// numerically out of reach), which the selections, ensembles, tuner and calibration skip, rather than a bug or a
    /// cancellation, which they let through.
    /// </summary>
    public static bool IsFitFailure(Exception exception) =>
        exception is ArgumentException or InvalidOperationException or ArithmeticException;

    /// <summary>Whether an observation is in the accepted range: finite, non-negative and at most
    /// <see cref="ForecastLimits.MaximumObservation"/> (NaN fails every comparison).</summary>
    public static bool IsValidObservation(double value) => value >= 0 && value <= ForecastLimits.MaximumObservation;

    /// <summary>The range an observation must be in, for exception messages.</summary>
    public const string ObservationRange = "observations must be finite, non-negative and at most 1e100 (ForecastLimits.MaximumObservation)";

    /// <summary>Rejects an empty history or one holding a NaN, infinite, negative or too large value.</summary>
    public static void ValidateHistory(ReadOnlySpan<double> history, int seasonalPeriod, string historyName, string periodName)
    {
        if (history.IsEmpty)
        {
            throw new ArgumentException("The history must hold at least one observation.", historyName);
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(seasonalPeriod, 1, periodName);
        ValidateValues(history, "History", historyName);
    }

    /// <summary>
    /// Rejects a series holding a NaN, infinite, negative or too large value, naming the first one's index (in a series
    /// of thousands of points the value alone is hard to find). Every forecaster's history check and the tuner's series
    /// check word the message here, so they stay alike.
    /// </summary>
    /// <param name="values">The series.</param>
    /// <param name="label">What the series is, capitalised, to begin the message: "History", "Series".</param>
    /// <param name="paramName">The argument that holds the series.</param>
    /// <exception cref="ArgumentException">A value is out of range; the message reads
    /// "<paramref name="label"/> value at index i is v; observations must be …".</exception>
    public static void ValidateValues(ReadOnlySpan<double> values, string label, string paramName)
    {
        for (var i = 0; i < values.Length; i++)
        {
            var value = values[i];
            if (!IsValidObservation(value))
            {
                throw new ArgumentException($"{label} value at index {i} is {value}; {ObservationRange}.", paramName);
            }
        }
    }

    /// <summary>Rejects a NaN, infinite, negative or too large observation passed to <see cref="IForecastModel.Update"/>.</summary>
    public static void ValidateObservation(double observation, string name)
    {
        if (!IsValidObservation(observation))
        {
            throw new ArgumentException($"Observation {observation} is out of range; {ObservationRange}.", name);
        }
    }

    /// <summary>Checks the arguments of <see cref="IForecastModel.SimulatePaths"/>.</summary>
    public static void ValidatePaths(Span<double> paths, int horizon, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        if (paths.Length % horizon != 0)
        {
            throw new ArgumentException(
                $"The path buffer length {paths.Length} is not a multiple of the horizon {horizon}.", nameof(paths));
        }
    }

    /// <summary>The mean of the squared lag-<paramref name="lag"/> differences: the residual variance of a
    /// (seasonal) random walk's one-step forecasts. Zero when there are no differences.</summary>
    public static double LagDifferenceVariance(ReadOnlySpan<double> history, int lag)
    {
        if (history.Length <= lag)
        {
            return 0;
        }

        var sum = 0.0;
        for (var t = lag; t < history.Length; t++)
        {
            var d = history[t] - history[t - lag];
            sum += d * d;
        }

        return sum / (history.Length - lag);
    }

    /// <summary>One standard normal draw (Box–Muller), allocation-free.</summary>
    public static double NextGaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble(); // (0, 1]: keeps the logarithm finite
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>
    /// Builds a forecast with Gaussian quantiles <c>mean + z·sd</c> per step, scaled per step by
    /// <paramref name="scale"/> (1 for the additive baselines, the seasonal index for Naive2), floored at 0
    /// because load is non-negative.
    /// </summary>
    public static Forecast GaussianForecast(double[] mean, ReadOnlySpan<double> levels, double[] centre, double[] sd, double[]? scale)
    {
        var levelArray = levels.ToArray();
        var quantiles = new double[levelArray.Length][];
        for (var l = 0; l < levelArray.Length; l++)
        {
            var level = levelArray[l];
            if (!(level > 0 && level < 1))
            {
                throw new ArgumentException($"Quantile level {level} must be inside (0, 1).", nameof(levels));
            }

            var z = Normal.InvCDF(0, 1, level);
            var path = new double[mean.Length];
            for (var h = 0; h < mean.Length; h++)
            {
                var q = Math.Max(0, centre[h] + (z * sd[h]));
                path[h] = scale is null ? q : q * scale[h];
            }

            quantiles[l] = path;
        }

        return new Forecast(mean, levelArray, quantiles);
    }
}
