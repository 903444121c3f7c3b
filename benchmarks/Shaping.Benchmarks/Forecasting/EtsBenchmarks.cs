using System.Globalization;
using BenchmarkDotNet.Attributes;
using Shaping.Forecasting;
using Shaping.Forecasting.Selection;

namespace Shaping.Benchmarks.Forecasting;

/// <summary>
/// AutoEts fit + 48-step forecast on one M4-hourly-like series (m = 24), and one online update.
/// Set SHAPING_M4_HOURLY_TRAIN to an M4 Hourly-train.csv (and optionally SHAPING_M4_SERIES to a row index,
/// default 169, a 960-point series) to use a real series; otherwise a generated 960-point series with a daily
/// cycle, a weekly modulation, a slow trend and noise is used.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class EtsBenchmarks
{
    private const int Horizon = 48;
    private const int Period = 24;
    private readonly double[] _forecast = new double[Horizon];
    private readonly AutoEtsForecaster _forecaster = new();
    private readonly AutoEtsForecaster _parallelForecaster = new() { MaxDegreeOfParallelism = 2 };
    private double[] _series = [];
    private IForecastModel _model = null!;
    private int _step;

    [GlobalSetup]
    public void Setup()
    {
        _series = LoadSeries();
        _model = _forecaster.Fit(_series, Period);
    }

    [Benchmark]
    public double AutoEtsFitAndForecast48()
    {
        var model = _forecaster.Fit(_series, Period);
        model.ForecastMean(_forecast);
        return _forecast[Horizon - 1];
    }

    [Benchmark]
    public double AutoEtsFitAndForecast48TwoThreads()
    {
        var model = _parallelForecaster.Fit(_series, Period);
        model.ForecastMean(_forecast);
        return _forecast[Horizon - 1];
    }

    [Benchmark]
    public void OnlineUpdate()
    {
        // Cycle through the last day of the series so the state stays in range however many times BDN calls it.
        var value = _series[_series.Length - Period + (_step++ % Period)];
        _model.Update(value);
    }

    private static double[] LoadSeries()
    {
        var path = Environment.GetEnvironmentVariable("SHAPING_M4_HOURLY_TRAIN");
        if (path is not null && File.Exists(path))
        {
            var index = int.TryParse(Environment.GetEnvironmentVariable("SHAPING_M4_SERIES"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : 169;
            var line = File.ReadLines(path).Skip(1 + index).First();
            return line.Split(',').Skip(1).Where(s => s.Length > 0)
                .Select(s => double.Parse(s.Trim('"'), CultureInfo.InvariantCulture)).ToArray();
        }

        var random = new Random(42);
        var series = new double[960];
        for (var t = 0; t < series.Length; t++)
        {
            var daily = Math.Sin(2 * Math.PI * t / 24) + (0.4 * Math.Sin(4 * Math.PI * t / 24));
            var weekly = 1 + (0.15 * Math.Sin(2 * Math.PI * t / 168));
            series[t] = Math.Max(10, (500 + (0.05 * t) + (200 * daily * weekly)) * (1 + (0.05 * (random.NextDouble() - 0.5))));
        }

        return series;
    }
}
