using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Shaping.Forecasting.Models.Arima;
using Shaping.Forecasting.Selection;
using Shaping.Forecasting.Tests.Fixtures;
using Shaping.Forecasting.Tests.Models.Arima;

namespace Shaping.Forecasting.Tests.Selection;

public sealed class AutoArimaForecasterTests
{
    [Fact]
    public void Fit_LogAirPassengers_ChoosesTheAirlineModelAsR()
    {
        // R: auto.arima(log(AirPassengers)) chooses ARIMA(0,1,1)(0,1,1)[12] with AICc = -483.21.
        var model = new AutoArimaForecaster { TimeProvider = StoppedClock.Instance }.Fit(AirPassengers.Log(), 12);

        Assert.Equal("ARIMA(0,1,1)(0,1,1)[12]", model.Name);
        Assert.Equal(-483.21, model.Summary.Aicc, 0.1);
    }

    [Property(MaxTest = 12)]
    public Property Fit_SimulatedArma_ModelIsStationaryInvertibleAndForecastsAreFinite()
    {
        var cases = Gen.Choose(-8, 8).SelectMany(phi => Gen.Choose(-8, 8).SelectMany(theta => Gen.Choose(1, 10_000).Select(seed => (phi / 10.0, theta / 10.0, seed))));
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var y = ArimaSimulation.Arma11(200, c.Item1, c.Item2, mean: 20, seed: c.Item3);
            var model = (ArimaModel)new AutoArimaForecaster { TimeProvider = StoppedClock.Instance }.Fit(y, 1);
            var p = model.Summary.Parameters;
            var ar = Enumerable.Range(1, model.Specification.Ar).Select(i => p["ar" + i]).ToArray();
            var ma = Enumerable.Range(1, model.Specification.Ma).Select(i => p["ma" + i]).ToArray();
            var forecast = model.Forecast(24, [0.025, 0.975]);
            return ArimaMath.MinRootModulus(ar, -1, 1) > 1 && ArimaMath.MinRootModulus(ma, 1, 1) > 1
                && forecast.Mean.ToArray().All(double.IsFinite) && forecast.Quantile(1)[23] >= forecast.Quantile(0)[23];
        });
    }

    [Fact]
    public void Fit_HourlySeasonalSeries_IsFastEnoughAndSeasonal()
    {
        var random = new Random(42);
        var y = new double[24 * 30];
        for (var t = 0; t < y.Length; t++)
        {
            y[t] = 500 + (0.05 * t) + (200 * Math.Sin(2 * Math.PI * t / 24)) + (10 * (random.NextDouble() - 0.5));
        }

        var model = (ArimaModel)new AutoArimaForecaster { TimeProvider = StoppedClock.Instance }.Fit(y, 24);
        var forecast = model.Forecast(48, [0.05, 0.95]);

        Assert.Equal(1, model.Specification.SeasonalDifferences);
        Assert.All(forecast.Mean.ToArray(), v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void Fit_ConstantHistory_ReturnsTheConstantModel()
    {
        var model = new AutoArimaForecaster { TimeProvider = StoppedClock.Instance }.Fit(Enumerable.Repeat(3.0, 40).ToArray(), 24);
        var mean = new double[4];
        model.ForecastMean(mean);

        Assert.All(mean, v => Assert.Equal(3.0, v));
    }

    [Fact]
    public void Fit_OneModelBudget_StillReturnsAModel()
    {
        var y = ArimaSimulation.Arma11(300, 0.5, 0.3, mean: 10, seed: 4);

        var model = new AutoArimaForecaster { MaxModels = 1, TimeProvider = StoppedClock.Instance }.Fit(y, 1);

        Assert.StartsWith("ARIMA(", model.Name, StringComparison.Ordinal);
    }

    [Fact]
    public void Properties_OutOfRange_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AutoArimaForecaster { MaxAr = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new AutoArimaForecaster { TimeBudget = TimeSpan.Zero });
    }
}
