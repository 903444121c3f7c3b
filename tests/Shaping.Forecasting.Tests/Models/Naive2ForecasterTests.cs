using Shaping.Forecasting.Models;

namespace Shaping.Forecasting.Tests.Models;

public sealed class Naive2ForecasterTests
{
    [Fact]
    public void Fit_PureSeasonalSeriesEndingMidCycle_ContinuesTheSeasonAtTheRightPhase()
    {
        // 5 seasons + 7 hours: the forecast must start at cycle position 7, not 0.
        double[] season = [.. Enumerable.Range(0, 24).Select(k => 1 + (0.5 * Math.Sin(2 * Math.PI * k / 24)))];
        double[] x = [.. Enumerable.Range(0, (24 * 5) + 7).Select(t => 100 * season[t % 24])];

        var model = new Naive2Forecaster().Fit(x, 24);
        var forecast = new double[30];
        model.ForecastMean(forecast);

        Assert.Equal(1, model.Summary.Parameters["seasonal"]);
        for (var h = 0; h < forecast.Length; h++)
        {
            Assert.Equal(100 * season[(x.Length + h) % 24], forecast[h], 8);
        }
    }

    [Fact]
    public void Fit_SeasonalWithLevelShift_ForecastIsLastAdjustedValueTimesIndex()
    {
        var x = ClassicalDecompositionTests.DailyCycle(24 * 10, noise: 5, seed: 4);
        var indices = new double[24];
        Assert.True(ClassicalDecomposition.SeasonalIndices(x, 24, indices));

        var model = new Naive2Forecaster().Fit(x, 24);
        var forecast = new double[48];
        model.ForecastMean(forecast);

        var level = x[^1] / indices[(x.Length - 1) % 24];
        for (var h = 0; h < 48; h++)
        {
            Assert.Equal(level * indices[(x.Length + h) % 24], forecast[h], 8);
        }
    }

    [Fact]
    public void Fit_NotSeasonal_IsNaive()
    {
        var random = new Random(3);
        double[] noise = [.. Enumerable.Range(0, 240).Select(_ => 100 + random.NextDouble())];

        var model = new Naive2Forecaster().Fit(noise, 24);
        var forecast = new double[10];
        model.ForecastMean(forecast);

        Assert.Equal(0, model.Summary.Parameters["seasonal"]);
        Assert.All(forecast, f => Assert.Equal(noise[^1], f));
    }

    [Fact]
    public void Update_AfterFit_MovesLevelAndPhase()
    {
        double[] season = [0.5, 1.0, 1.5, 1.0];
        double[] x = [.. Enumerable.Range(0, 40).Select(t => 100 * season[t % 4])];
        var model = new Naive2Forecaster().Fit(x, 4);

        model.Update(2 * 100 * season[40 % 4]); // the level doubles
        var forecast = new double[4];
        model.ForecastMean(forecast);

        for (var h = 0; h < 4; h++)
        {
            Assert.Equal(200 * season[(41 + h) % 4], forecast[h], 8);
        }
    }

    [Fact]
    public void Forecast_Quantiles_ScaleWithSeasonalIndex()
    {
        var x = ClassicalDecompositionTests.DailyCycle(24 * 10, noise: 5, seed: 4);
        var forecast = new Naive2Forecaster().Fit(x, 24).Forecast(48, [0.1, 0.5, 0.9]);

        for (var h = 0; h < 48; h++)
        {
            Assert.Equal(forecast.Mean[h], forecast.Quantile(1)[h], 8);
            Assert.True(forecast.Quantile(0)[h] < forecast.Mean[h]);
            Assert.True(forecast.Quantile(2)[h] > forecast.Mean[h]);
        }
    }
}
