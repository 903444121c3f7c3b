namespace Shaping.Forecasting.Models;

/// <summary>A fitted seasonal random walk: a ring buffer of the last m observations and the residual variance.</summary>
internal sealed class SeasonalNaiveModel : IForecastModel
{
    private readonly double[] _season;
    private readonly double _sigma;
    private int _oldest;

    /// <param name="lastSeason">The last m observations, oldest first.</param>
    /// <param name="sigma2">The variance of the lag-m differences.</param>
    /// <param name="observationCount">The history length.</param>
    public SeasonalNaiveModel(ReadOnlySpan<double> lastSeason, double sigma2, int observationCount)
    {
        _season = lastSeason.ToArray();
        _sigma = Math.Sqrt(sigma2);
        Summary = new FitSummary(
            new Dictionary<string, double> { ["sigma2"] = sigma2 },
            double.NaN, double.NaN, double.NaN, double.NaN, sigma2, observationCount);
    }

    public string Name => "SeasonalNaive";

    public int SeasonalPeriod => _season.Length;

    public FitSummary Summary { get; }

    public void ForecastMean(Span<double> destination)
    {
        var m = _season.Length;
        var index = _oldest;
        for (var h = 0; h < destination.Length; h++)
        {
            destination[h] = _season[index];
            index = index + 1 == m ? 0 : index + 1;
        }
    }

    public Forecast Forecast(int horizon, ReadOnlySpan<double> levels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        var mean = new double[horizon];
        var sd = new double[horizon];
        ForecastMean(mean);
        for (var h = 0; h < horizon; h++)
        {
            sd[h] = _sigma * Math.Sqrt((h / _season.Length) + 1);
        }

        return BaselineMath.GaussianForecast(mean, levels, mean, sd, scale: null);
    }

    public void SimulatePaths(Span<double> paths, int horizon, Random random)
    {
        BaselineMath.ValidatePaths(paths, horizon, random);
        var m = _season.Length;
        for (var start = 0; start < paths.Length; start += horizon)
        {
            var path = paths.Slice(start, horizon);
            for (var h = 0; h < horizon; h++)
            {
                var previous = h < m ? _season[(_oldest + h) % m] : path[h - m];
                path[h] = Math.Max(0, previous + (_sigma * BaselineMath.NextGaussian(random)));
            }
        }
    }

    public void Update(double observation)
    {
        BaselineMath.ValidateObservation(observation, nameof(observation));
        _season[_oldest] = observation;
        _oldest = _oldest + 1 == _season.Length ? 0 : _oldest + 1;
    }
}
