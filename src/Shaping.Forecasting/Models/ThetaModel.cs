namespace Shaping.Forecasting.Models;

/// <summary>A fitted Theta model: SES level and α, the drift b, the seasonal indices and the next cycle position.</summary>
internal sealed class ThetaModel : IForecastModel
{
    private readonly double[] _indices;
    private readonly int _seasonalPeriod;
    private readonly double _alpha;
    private readonly double _drift;
    private readonly double _sigma;
    private double _level;
    private int _count;
    private int _nextPosition;

    public ThetaModel(double[] indices, int seasonalPeriod, double level, double alpha, double drift, int count, int nextPosition, double sigma2, bool seasonal)
    {
        _indices = indices;
        _seasonalPeriod = seasonalPeriod;
        _level = level;
        _alpha = alpha;
        _drift = drift;
        _count = count;
        _nextPosition = nextPosition;
        _sigma = Math.Sqrt(sigma2);
        Summary = new FitSummary(
            new Dictionary<string, double>
            {
                ["alpha"] = alpha, ["drift"] = drift, ["sigma2"] = sigma2, ["seasonal"] = seasonal ? 1 : 0,
            },
            double.NaN, double.NaN, double.NaN, double.NaN, sigma2, count);
    }

    public string Name => "Theta";

    public int SeasonalPeriod => _seasonalPeriod;

    public FitSummary Summary { get; }

    public void ForecastMean(Span<double> destination)
    {
        var m = _indices.Length;
        var position = _nextPosition;
        var offset = (1 - Math.Pow(1 - _alpha, _count)) / _alpha;
        for (var h = 0; h < destination.Length; h++)
        {
            destination[h] = Math.Max(0, (_level + (_drift * (h + offset))) * _indices[position]);
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
        var offset = (1 - Math.Pow(1 - _alpha, _count)) / _alpha;
        for (var h = 0; h < horizon; h++)
        {
            centre[h] = _level + (_drift * (h + offset));
            sd[h] = _sigma * Math.Sqrt(1 + (_alpha * _alpha * h));
            scale[h] = _indices[(_nextPosition + h) % _indices.Length];
        }

        return BaselineMath.GaussianForecast(mean, levels, centre, sd, scale);
    }

    public void SimulatePaths(Span<double> paths, int horizon, Random random)
    {
        BaselineMath.ValidatePaths(paths, horizon, random);
        var m = _indices.Length;
        var offset = (1 - Math.Pow(1 - _alpha, _count)) / _alpha;
        for (var start = 0; start < paths.Length; start += horizon)
        {
            var accumulated = 0.0;
            for (var h = 0; h < horizon; h++)
            {
                var error = _sigma * BaselineMath.NextGaussian(random);
                var adjusted = _level + (_drift * (h + offset)) + accumulated + error;
                accumulated += _alpha * error;
                paths[start + h] = Math.Max(0, adjusted * _indices[(_nextPosition + h) % m]);
            }
        }
    }

    public void Update(double observation)
    {
        BaselineMath.ValidateObservation(observation, nameof(observation));
        var adjusted = observation / _indices[_nextPosition];
        _level += _alpha * (adjusted - _level);
        _count++;
        _nextPosition = _nextPosition + 1 == _indices.Length ? 0 : _nextPosition + 1;
    }
}
