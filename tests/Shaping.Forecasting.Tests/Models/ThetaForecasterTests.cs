using Shaping.Forecasting.Models;

namespace Shaping.Forecasting.Tests.Models;

public sealed class ThetaForecasterTests
{
    [Fact]
    public void Fit_LinearTrendNoSeason_ForecastGrowsAtHalfTheSlope()
    {
        double[] x = [.. Enumerable.Range(0, 200).Select(t => 100 + (2.0 * t))];
        var model = new ThetaForecaster().Fit(x, 1);
        var forecast = new double[10];
        model.ForecastMean(forecast);

        Assert.Equal(1.0, model.Summary.Parameters["drift"], 6);
        for (var h = 1; h < forecast.Length; h++)
        {
            Assert.Equal(1.0, forecast[h] - forecast[h - 1], 6);
        }

        // SES on a line lags it by (1 − α)/α·slope; α is near 1, so the first forecast is close to the last value.
        Assert.InRange(forecast[0], x[^1] - 1, x[^1] + 4);
    }

    [Fact]
    public void Fit_SeasonalSeries_ForecastKeepsTheCyclePhase()
    {
        var x = ClassicalDecompositionTests.DailyCycle(24 * 10, noise: 1, seed: 2);
        var model = new ThetaForecaster().Fit(x, 24);
        var forecast = new double[48];
        model.ForecastMean(forecast);
        var naive2 = new double[48];
        new Naive2Forecaster().Fit(x, 24).ForecastMean(naive2);

        Assert.Equal(1, model.Summary.Parameters["seasonal"]);
        for (var h = 0; h < 48; h++)
        {
            // Both reseasonalise with the same indices; the level differs only through smoothing and drift.
            Assert.InRange(forecast[h] / naive2[h], 0.9, 1.1);
        }
    }

    [Fact]
    public void Fit_ConstantSeries_ForecastsTheConstantWithZeroWidth()
    {
        double[] x = [.. Enumerable.Repeat(7.0, 100)];
        var forecast = new ThetaForecaster().Fit(x, 24).Forecast(5, [0.1, 0.9]);
        Assert.All(forecast.Mean.ToArray(), v => Assert.Equal(7, v, 9));
        Assert.All(forecast.Quantile(0).ToArray(), v => Assert.Equal(7, v, 9));
    }
}
