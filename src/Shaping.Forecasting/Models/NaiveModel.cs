namespace Shaping.Forecasting.Models;

/// <summary>A fitted random walk: the last observation and the one-step residual variance.</summary>
internal sealed class NaiveModel : IForecastModel
{
    private readonly double _sigma;
    private double _last;

    public NaiveModel(double last, double sigma2, int seasonalPeriod, int observationCount, string name)
    {
        _last = last;
        _sigma = Math.Sqrt(sigma2);
        SeasonalPeriod = seasonalPeriod;
        Name = name;
        Summary = new FitSummary(
            new Dictionary<string, double> { ["sigma2"] = sigma2 },
            double.NaN, double.NaN, double.NaN, double.NaN, sigma2, observationCount);
    }

    public string Name { get; }

    public int SeasonalPeriod { get; }

    public FitSummary Summary { get; }

    public void ForecastMean(Span<double> destination) => destination.Fill(_last);

    public Forecast Forecast(int horizon, ReadOnlySpan<double> levels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        var mean = new double[horizon];
        var sd = new double[horizon];
        ForecastMean(mean);
        for (var h = 0; h < horizon; h++)
        {
            sd[h] = _sigma * Math.Sqrt(h + 1);
        }

        return BaselineMath.GaussianForecast(mean, levels, mean, sd, scale: null);
    }

    public void SimulatePaths(Span<double> paths, int horizon, Random random)
    {
        BaselineMath.ValidatePaths(paths, horizon, random);
        for (var start = 0; start < paths.Length; start += horizon)
        {
            var value = _last;
            for (var h = 0; h < horizon; h++)
            {
                value = Math.Max(0, value + (_sigma * BaselineMath.NextGaussian(random)));
                paths[start + h] = value;
            }
        }
    }

    public void Update(double observation)
    {
        BaselineMath.ValidateObservation(observation, nameof(observation));
        _last = observation;
    }
}
