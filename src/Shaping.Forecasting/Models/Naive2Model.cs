namespace Shaping.Forecasting.Models;

/// <summary>A fitted Naive2: seasonal indices by cycle position, the adjusted level and the next position.</summary>
/// <remarks>A model that is not seasonal holds the single index 1 (one cycle position) whatever its period.</remarks>
internal sealed class Naive2Model : IForecastModel
{
    private readonly double[] _indices;
    private readonly int _seasonalPeriod;
    private readonly double _sigma;
    private double _level;
    private int _nextPosition;

    public Naive2Model(double[] indices, int seasonalPeriod, double level, int nextPosition, double sigma2, bool seasonal, int observationCount)
    {
        _indices = indices;
        _seasonalPeriod = seasonalPeriod;
        _level = level;
        _nextPosition = nextPosition;
        _sigma = Math.Sqrt(sigma2);
        Summary = new FitSummary(
            new Dictionary<string, double> { ["sigma2"] = sigma2, ["seasonal"] = seasonal ? 1 : 0 },
            double.NaN, double.NaN, double.NaN, double.NaN, sigma2, observationCount);
    }

    public string Name => "Naive2";

    public int SeasonalPeriod => _seasonalPeriod;

    public FitSummary Summary { get; }

    /// <summary>Gets the seasonal index of each cycle position (the single index 1 when not seasonal).</summary>
    public ReadOnlySpan<double> Indices => _indices;

    public void ForecastMean(Span<double> destination)
    {
        var m = _indices.Length;
        var position = _nextPosition;
        for (var h = 0; h < destination.Length; h++)
        {
            destination[h] = _level * _indices[position];
            position = position + 1 == m ? 0 : position + 1;
        }
    }

    public Forecast Forecast(int horizon, ReadOnlySpan<double> levels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        var mean = new double[horizon];
        var centre = new double[horizon];
        var sd = new double[horizon];
        var scale = new double[horizon];
        ForecastMean(mean);
        for (var h = 0; h < horizon; h++)
        {
            centre[h] = _level;
            sd[h] = _sigma * Math.Sqrt(h + 1);
            scale[h] = _indices[(_nextPosition + h) % _indices.Length];
        }

        return BaselineMath.GaussianForecast(mean, levels, centre, sd, scale);
    }

    public void SimulatePaths(Span<double> paths, int horizon, Random random)
    {
        BaselineMath.ValidatePaths(paths, horizon, random);
        var m = _indices.Length;
        for (var start = 0; start < paths.Length; start += horizon)
        {
            var value = _level;
            for (var h = 0; h < horizon; h++)
            {
                value = Math.Max(0, value + (_sigma * BaselineMath.NextGaussian(random)));
                paths[start + h] = value * _indices[(_nextPosition + h) % m];
            }
        }
    }

    public void Update(double observation)
    {
        BaselineMath.ValidateObservation(observation, nameof(observation));
        _level = observation / _indices[_nextPosition];
        _nextPosition = _nextPosition + 1 == _indices.Length ? 0 : _nextPosition + 1;
    }
}
