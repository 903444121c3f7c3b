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

    /// <summary>
    /// A period longer than the history is not seasonal (the test needs three seasons), so the fit falls back to the
    /// non-seasonal method; it used to allocate the m seasonal indices first, which for m = int.MaxValue threw an
    /// OutOfMemoryException.
    /// </summary>
    [Fact]
    public void Fit_PeriodOfIntMaxValue_FallsBackToNotSeasonal()
    {
        var model = new ThetaForecaster().Fit([4.0, 9.0, 7.0, 8.0], int.MaxValue);
        var reference = new ThetaForecaster().Fit([4.0, 9.0, 7.0, 8.0], 1);
        model.Update(6);
        reference.Update(6);

        var forecast = model.Forecast(3, [0.1, 0.9]);
        var expected = reference.Forecast(3, [0.1, 0.9]);
        Assert.Equal(int.MaxValue, model.SeasonalPeriod);
        Assert.Equal(0, model.Summary.Parameters["seasonal"]);
        Assert.Equal(expected.Mean.ToArray(), forecast.Mean.ToArray());
        Assert.Equal(expected.Quantile(0).ToArray(), forecast.Quantile(0).ToArray());
        Assert.Equal(expected.Quantile(1).ToArray(), forecast.Quantile(1).ToArray());
        var paths = new double[6];
        var referencePaths = new double[6];
        model.SimulatePaths(paths, 3, new Random(1));
        reference.SimulatePaths(referencePaths, 3, new Random(1));
        Assert.Equal(referencePaths, paths);
    }

    /// <summary>
    /// A week of minutes (m = 10,080) on 80 points is not seasonal: the fit needs no seasonal indices, and used to
    /// allocate 80 KB of them (8 MB for m = 10⁶) only to fill them with 1.
    /// </summary>
    [Fact]
    public void Fit_PeriodLongerThanHistory_DoesNotAllocateSeasonalIndices()
    {
        double[] x = [.. Enumerable.Range(0, 80).Select(t => 100 + (t % 7))];
        var forecaster = new ThetaForecaster();
        forecaster.Fit(x, 1); // warm up
        const int period = 1_000_000;

        var before = GC.GetAllocatedBytesForCurrentThread();
        var model = forecaster.Fit(x, period);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(period, model.SeasonalPeriod);
        Assert.InRange(allocated, 0, period * sizeof(double) / 8);
    }
}
