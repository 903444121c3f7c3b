using BenchmarkDotNet.Attributes;
using Shaping.Forecasting;
using Shaping.Forecasting.Models.Arima;
using Shaping.Forecasting.Selection;

namespace Shaping.Benchmarks.Forecasting;

/// <summary>
/// AutoArima fit + 48-step forecast on the embedded M4 hourly series H5 (700 points, m = 24); the exact fit of one
/// seasonal ARIMA; and one online update of the fitted model.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ArimaBenchmarks
{
    private const int Horizon = 48;
    private const int Period = 24;
    private readonly double[] _forecast = new double[Horizon];
    private readonly AutoArimaForecaster _auto = new();
    private readonly ArimaForecaster _airline = new(new ArimaSpecification(0, 1, 1, 0, 1, 1, IncludeConstant: false));
    private IForecastModel _model = null!;
    private int _step;

    [GlobalSetup]
    public void Setup()
    {
        _model = _auto.Fit(M4HourlySample.H5, Period);
    }

    [Benchmark]
    public double AutoArimaFitAndForecast48()
    {
        var model = _auto.Fit(M4HourlySample.H5, Period);
        model.ForecastMean(_forecast);
        return _forecast[Horizon - 1];
    }

    [Benchmark]
    public double AirlineModelExactFit()
    {
        var model = _airline.Fit(M4HourlySample.H5, Period);
        model.ForecastMean(_forecast);
        return _forecast[Horizon - 1];
    }

    [Benchmark]
    public void OnlineUpdate()
    {
        var series = M4HourlySample.H5;
        var value = series[series.Length - Period + (_step++ % Period)];
        _model.Update(value);
    }
}
