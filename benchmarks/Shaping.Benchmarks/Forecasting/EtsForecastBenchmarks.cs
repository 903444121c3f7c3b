using BenchmarkDotNet.Attributes;
using Shaping.Forecasting;
using Shaping.Forecasting.Models;

namespace Shaping.Benchmarks.Forecasting;

/// <summary>
/// One <see cref="IForecastModel.Forecast"/> call of a non-linear ETS model, whose intervals are simulated from
/// 2,000 sample paths (<c>EtsModel.SimulationPathCount</c>): ETS(M,A,M) and ETS(M,N,N), each fitted once on a
/// generated 960-point hourly series (daily cycle, slow trend, multiplicative noise; seed 42), forecast 24 and 168
/// steps ahead at the 5 %, 50 % and 95 % levels.
/// </summary>
[MemoryDiagnoser]
public class EtsForecastBenchmarks
{
    private const int Period = 24;
    private static readonly double[] Levels = [0.05, 0.5, 0.95];
    private IForecastModel _model = null!;

    [Params("ETS(M,A,M)", "ETS(M,N,N)")]
    public string Model { get; set; } = "ETS(M,A,M)";

    [Params(24, 168)]
    public int Horizon { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var specification = Model switch
        {
            "ETS(M,A,M)" => new EtsSpecification(EtsErrorType.Multiplicative, EtsTrendType.Additive, EtsSeasonType.Multiplicative),
            "ETS(M,N,N)" => new EtsSpecification(EtsErrorType.Multiplicative, EtsTrendType.None, EtsSeasonType.None),
            _ => throw new InvalidOperationException($"Unknown model {Model}."),
        };
        _model = new EtsForecaster(specification).Fit(Series(), Period);
        if (_model.Name != Model)
        {
            // A fallback (another specification) would measure a different code path.
            throw new InvalidOperationException($"Expected {Model}, fitted {_model.Name}.");
        }
    }

    [Benchmark]
    public double Forecast() => _model.Forecast(Horizon, Levels).Quantile(2)[Horizon - 1];

    private static double[] Series()
    {
        var random = new Random(42);
        var series = new double[960];
        for (var t = 0; t < series.Length; t++)
        {
            var daily = Math.Sin(2 * Math.PI * t / Period) + (0.4 * Math.Sin(4 * Math.PI * t / Period));
            series[t] = (500 + (0.05 * t) + (200 * daily)) * (1 + (0.1 * (random.NextDouble() - 0.5)));
        }

        return series;
    }
}
