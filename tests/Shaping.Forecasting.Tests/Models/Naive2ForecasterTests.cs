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

    /// <summary>
    /// A period longer than the history is not seasonal (the test needs three seasons), so the fit falls back to the
    /// non-seasonal method; it used to allocate the m seasonal indices first, which for m = int.MaxValue threw an
    /// OutOfMemoryException.
    /// </summary>
    [Fact]
    public void Fit_PeriodOfIntMaxValue_FallsBackToNotSeasonal()
    {
        var model = new Naive2Forecaster().Fit([4.0, 9.0, 7.0, 8.0], int.MaxValue);
        var reference = new Naive2Forecaster().Fit([4.0, 9.0, 7.0, 8.0], 1);
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
        var forecaster = new Naive2Forecaster();
        forecaster.Fit(x, 1); // warm up
        const int period = 1_000_000;

        var before = GC.GetAllocatedBytesForCurrentThread();
        var model = forecaster.Fit(x, period);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(period, model.SeasonalPeriod);
        Assert.InRange(allocated, 0, period * sizeof(double) / 8);
    }
}
