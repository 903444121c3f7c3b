using System.Globalization;
using Shaping.Forecasting.Calibration;

namespace Shaping.Forecasting;

/// <summary>A forecast over a horizon: the mean path and quantile paths.</summary>
/// <remarks>
/// Quantiles are asked for and stored by level (0.1 is the value the outcome falls below with probability 10 %), so a
/// central interval of coverage c is the pair of levels (1 − c) / 2 and (1 + c) / 2: an 80 % interval is 0.1 and 0.9.
/// <see cref="Interval"/> reads such a pair by coverage and <see cref="QuantileAtLevel"/> one path by level, so callers
/// need not track the position of each level in the array they passed.
/// </remarks>
public sealed class Forecast
{
    /// <summary>How far a requested level may be from a held one and still match it, so that coverages such as 0.8
    /// find their levels (1 − 0.8) / 2 = 0.09999999999999998 and 0.9 among levels written as 0.1 and 0.9.</summary>
    private const double LevelTolerance = 1e-9;

    private readonly double[] _mean;
    private readonly double[] _levels;
    private readonly double[][] _quantiles;

    /// <summary>Creates a forecast.</summary>
    /// <param name="mean">The point forecast per step ahead.</param>
    /// <param name="levels">The quantile levels, ascending, in (0, 1).</param>
    /// <param name="quantiles">One array per level, each as long as <paramref name="mean"/>.</param>
    /// <exception cref="ArgumentException">The shapes do not match, a value is not finite, or the levels are not ascending.</exception>
    public Forecast(double[] mean, double[] levels, double[][] quantiles)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(levels);
        ArgumentNullException.ThrowIfNull(quantiles);
        if (quantiles.Length != levels.Length)
        {
            throw new ArgumentException("One quantile path is needed per level.", nameof(quantiles));
        }

        for (var i = 0; i < levels.Length; i++)
        {
            if (!(levels[i] > 0 && levels[i] < 1) || (i > 0 && levels[i] <= levels[i - 1]))
            {
                throw new ArgumentException("Levels must be ascending and inside (0, 1).", nameof(levels));
            }

            if (quantiles[i] is null || quantiles[i].Length != mean.Length)
            {
                throw new ArgumentException("Each quantile path must be as long as the mean path.", nameof(quantiles));
            }
        }

        foreach (var value in mean)
        {
            if (!double.IsFinite(value))
            {
                throw new ArgumentException("Forecast means must be finite.", nameof(mean));
            }
        }

        foreach (var path in quantiles)
        {
            foreach (var value in path)
            {
                if (!double.IsFinite(value))
                {
                    throw new ArgumentException("Forecast quantiles must be finite.", nameof(quantiles));
                }
            }
        }

        _mean = mean;
        _levels = levels;
        _quantiles = quantiles;
    }

    /// <summary>Gets the horizon: the number of steps ahead.</summary>
    public int Horizon => _mean.Length;

    /// <summary>Gets the point forecast per step ahead.</summary>
    public ReadOnlySpan<double> Mean => _mean;

    /// <summary>Gets the quantile levels.</summary>
    public ReadOnlySpan<double> Levels => _levels;

    /// <summary>Gets the quantile path at one level index.</summary>
    /// <param name="levelIndex">An index into <see cref="Levels"/>.</param>
    /// <returns>One value per step ahead.</returns>
    public ReadOnlySpan<double> Quantile(int levelIndex) => _quantiles[levelIndex];

    /// <summary>Finds the position of a quantile level in <see cref="Levels"/>.</summary>
    /// <param name="level">A quantile level in (0, 1), for example 0.9; a held level within 1e-9 of it matches.</param>
    /// <returns>The index for <see cref="Quantile(int)"/>; −1 when the forecast does not hold the level.</returns>
    public int IndexOfLevel(double level)
    {
        var best = -1;
        var bestDistance = LevelTolerance;
        for (var i = 0; i < _levels.Length; i++)
        {
            var distance = Math.Abs(_levels[i] - level);
            if (distance <= bestDistance)
            {
                best = i;
                bestDistance = distance;
            }
        }

        return best;
    }

    /// <summary>Gets the quantile path at one level, without tracking where that level sits in <see cref="Levels"/>.</summary>
    /// <param name="level">A quantile level the forecast was made with, for example 0.9 (a held level within 1e-9 matches).</param>
    /// <returns>One value per step ahead, in the series' unit.</returns>
    /// <exception cref="ArgumentException">The forecast does not hold <paramref name="level"/>; the message lists the levels it holds.</exception>
    public ReadOnlySpan<double> QuantileAtLevel(double level)
    {
        var index = IndexOfLevel(level);
        if (index < 0)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"This forecast holds no quantile at level {level:0.#########}; it holds {HeldLevels()}."),
                nameof(level));
        }

        return _quantiles[index];
    }

    /// <summary>
    /// Gets the central prediction interval of a coverage at one step: the quantiles at levels (1 − coverage) / 2 and
    /// (1 + coverage) / 2, for example 0.1 and 0.9 for an 80 % interval.
    /// </summary>
    /// <remarks>The forecast must have been made with both levels (pass them to <see cref="IForecastModel.Forecast"/>,
    /// for example <c>[0.1, 0.9]</c> for <paramref name="coverage"/> 0.8). Allocation-free unless it throws.</remarks>
    /// <param name="stepIndex">An index into <see cref="Mean"/>: 0 for one step ahead, up to <see cref="Horizon"/> − 1.</param>
    /// <param name="coverage">The probability the interval is meant to cover, in (0, 1); 0.8 for an 80 % interval.</param>
    /// <returns>The lower and upper bounds, in the series' unit.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stepIndex"/> is outside [0, <see cref="Horizon"/>), or
    /// <paramref name="coverage"/> is not inside (0, 1).</exception>
    /// <exception cref="ArgumentException">The forecast does not hold both levels; the message names them and the levels it holds.</exception>
    public IntervalBounds Interval(int stepIndex, double coverage)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stepIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(stepIndex, Horizon);
        if (!(coverage > 0 && coverage < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(coverage), coverage, "The coverage must be inside (0, 1), for example 0.8 for an 80 % interval.");
        }

        var lowerLevel = (1 - coverage) / 2;
        var upperLevel = (1 + coverage) / 2;
        var lower = IndexOfLevel(lowerLevel);
        var upper = IndexOfLevel(upperLevel);
        if (lower < 0 || upper < 0)
        {
            throw new ArgumentException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"A central interval of coverage {coverage:0.#########} needs the quantile levels {lowerLevel:0.#########} and {upperLevel:0.#########}; this forecast holds {HeldLevels()}. Pass both levels to IForecastModel.Forecast."),
                nameof(coverage));
        }

        return new IntervalBounds(_quantiles[lower][stepIndex], _quantiles[upper][stepIndex]);
    }

    private string HeldLevels() =>
        _levels.Length == 0
            ? "no levels"
            : "the levels " + string.Join(", ", _levels.Select(l => l.ToString("0.#########", CultureInfo.InvariantCulture)));
}
