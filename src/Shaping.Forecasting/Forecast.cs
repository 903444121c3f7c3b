namespace Shaping.Forecasting;

/// <summary>A forecast over a horizon: the mean path and quantile paths.</summary>
public sealed class Forecast
{
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
}
