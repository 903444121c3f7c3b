using BenchmarkDotNet.Attributes;
using Shaping.Forecasting;
using Shaping.Forecasting.Models;

namespace Shaping.Benchmarks.Forecasting;

/// <summary>
/// The baselines' online path: one <see cref="IForecastModel.Update"/> (must allocate 0 B) and a 48-step mean
/// forecast into a caller's buffer, on an M4-hourly-length series (960 points, m = 24).
/// </summary>
[MemoryDiagnoser]
public class BaselineBenchmarks
{
    private double[] _history = [];
    private double[] _forecast = new double[48];
    private IForecastModel _naive = null!;
    private IForecastModel _seasonalNaive = null!;
    private IForecastModel _naive2 = null!;
    private int _step;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _history = [.. Enumerable.Range(0, 960).Select(t => 1000 + (300 * Math.Sin(2 * Math.PI * t / 24)) + (50 * random.NextDouble()))];
        _naive = new NaiveForecaster().Fit(_history, 24);
        _seasonalNaive = new SeasonalNaiveForecaster().Fit(_history, 24);
        _naive2 = new Naive2Forecaster().Fit(_history, 24);
        _forecast = new double[48];
    }

    private double NextObservation()
    {
        _step = _step + 1 == _history.Length ? 0 : _step + 1;
        return _history[_step];
    }

    [Benchmark(Baseline = true)]
    public void NaiveUpdate() => _naive.Update(NextObservation());

    [Benchmark]
    public void SeasonalNaiveUpdate() => _seasonalNaive.Update(NextObservation());

    [Benchmark]
    public void Naive2Update() => _naive2.Update(NextObservation());

    [Benchmark]
    public double SeasonalNaiveForecastMean48()
    {
        _seasonalNaive.ForecastMean(_forecast);
        return _forecast[47];
    }

    [Benchmark]
    public IForecastModel SeasonalNaiveFit960() => new SeasonalNaiveForecaster().Fit(_history, 24);

    [Benchmark]
    public IForecastModel Naive2Fit960() => new Naive2Forecaster().Fit(_history, 24);
}
