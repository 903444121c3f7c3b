using Shaping.Core.Prediction;
using Shaping.Core.Resources;
using Shaping.Forecasting.Intervals;
using Shaping.Forecasting.Models;

namespace Shaping.Forecasting.Tests.Intervals;

public sealed class WindowDistributionTests
{
    private static IForecastModel SeasonalModel()
    {
        var random = new Random(17);
        var y = Enumerable.Range(0, 24 * 4).Select(t => 100 + (30 * Math.Sin(2 * Math.PI * t / 24)) + (4 * random.NextDouble())).ToArray();
        return new EtsForecaster(new EtsSpecification(EtsErrorType.Additive, EtsTrendType.None, EtsSeasonType.Additive)) { MaxEvaluations = 500 }.Fit(y, 24);
    }

    [Fact]
    public void Compute_DailyWindow_PeakSitsAboveTheMeanAndAboveEveryStepsMedian()
    {
        var model = SeasonalModel();
        var result = WindowDistribution.Compute(model, windowSteps: 24, pathCount: 1000, seed: 1);
        var forecast = model.Forecast(24, [0.5]);

        Assert.True(result.Peak.P50 > result.Mean.P50);
        Assert.True(result.Peak.P50 >= forecast.Quantile(0).ToArray().Max() - 1);
        Assert.InRange(result.Mean.Mean, 95, 105);
    }

    [Fact]
    public void Compute_SameSeed_SameDistributions()
    {
        var model = SeasonalModel();
        var first = WindowDistribution.Compute(model, 12, 200, seed: 5, leadSteps: 3);
        var second = WindowDistribution.Compute(model, 12, 200, seed: 5, leadSteps: 3);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Compute_ConstantModel_IsAPointMass()
    {
        var model = new EtsForecaster(new EtsSpecification(EtsErrorType.Additive, EtsTrendType.None, EtsSeasonType.None)).Fit(Enumerable.Repeat(4.0, 10).ToArray(), 1);
        var result = WindowDistribution.Compute(model, 6, 100);
        Assert.Equal(4, result.Mean.P50, 12);
        Assert.Equal(4, result.Peak.P99, 12);
    }

    [Fact]
    public void BuildProfile_ModelsPerDimension_ForecastSourceAndZeroForMissingDimensions()
    {
        var model = SeasonalModel();
        var profile = WindowDistribution.BuildProfile([model, model, null, null], 24, TimeSpan.FromDays(1), 500, 3);

        Assert.Equal(ProfileSource.Forecast, profile.Source);
        Assert.True(profile.Peak(Dimension.Cpu).P95 > profile.Mean(Dimension.Cpu).P95);
        Assert.Equal(0, profile.Peak(Dimension.Storage).P99);
        Assert.Throws<ArgumentException>(() => WindowDistribution.BuildProfile([model], 24, TimeSpan.FromDays(1)));
    }
}
