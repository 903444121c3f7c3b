using Shaping.Forecasting.Models;
using Shaping.Forecasting.Tests.Models;
using Shaping.Forecasting.Tuning;

namespace Shaping.Forecasting.Tests.Tuning;

public sealed class EngineTunerTests
{
    private static readonly double[] Series = ClassicalDecompositionTests.DailyCycle(24 * 40, noise: 8, seed: 21);

    private static EngineTuner CreateTuner() =>
        new([new NaiveForecaster(), new SeasonalNaiveForecaster()], [24, 12], minimumWindow: 48, maximumWindow: 24 * 20, horizon: 24);

    [Fact]
    public void Tune_DailyCycle_BeatsAPoorStartingSetting()
    {
        var tuner = CreateTuner();
        var poor = new EngineTuning(0, 48, 12, 0.5); // naive at the median: misses every daily peak
        var before = tuner.Evaluate(Series, 24 * 30, 24 * 40, poor);

        var (best, cost) = tuner.Tune(Series, 24 * 30, 24 * 40, evaluations: 12, warmStart: poor, seed: 2);

        Assert.True(cost < 0.8 * before, $"tuned {cost:F4} vs before {before:F4}");
        Assert.Equal(cost, tuner.Evaluate(Series, 24 * 30, 24 * 40, best), 12);
        Assert.Equal(1, best.FamilyIndex); // seasonal naive
        Assert.Equal(24, best.SeasonalPeriod);
    }

    [Fact]
    public void Tune_WarmStartOnly_ReturnsTheWarmStartAndItsCost()
    {
        var tuner = CreateTuner();
        var warm = new EngineTuning(1, 240, 24, 0.9);
        var (best, cost) = tuner.Tune(Series, 24 * 30, 24 * 40, evaluations: 1, warmStart: warm);
        Assert.Equal(warm, best);
        Assert.Equal(tuner.Evaluate(Series, 24 * 30, 24 * 40, warm), cost, 12);
    }

    [Fact]
    public void Evaluate_HigherQuantileOnNoisySeries_ChangesCostAndTrailingWindowLimitsHistory()
    {
        var tuner = CreateTuner();
        var low = tuner.Evaluate(Series, 24 * 30, 24 * 40, new EngineTuning(1, 240, 24, 0.5));
        var high = tuner.Evaluate(Series, 24 * 30, 24 * 40, new EngineTuning(1, 240, 24, 0.9));
        Assert.True(high < low, "with a penalty of 9 on unmet demand, provisioning at the median costs more");

        var model = new TrailingWindowForecaster(new NaiveForecaster(), 10).Fit(Series, 24);
        Assert.Equal(10, model.Summary.ObservationCount);
    }

    [Fact]
    public void Tune_WarmStartOutsideSpace_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>("warmStart", () =>
            CreateTuner().Tune(Series, 24 * 30, 24 * 40, 2, new EngineTuning(1, 10, 24, 0.9)));

    [Fact]
    public void ApplyTo_SetsThePeakConfidenceToTheSafetyQuantileAndKeepsTheRest()
    {
        var policy = new Shaping.Core.Selection.ScoringPolicy(0.3, 0.2, 0.95, TimeSpan.FromHours(2));

        var tuned = new EngineTuning(1, 240, 24, 0.872).ApplyTo(policy);

        Assert.Equal(new Shaping.Core.Selection.ScoringPolicy(0.3, 0.2, 0.872, TimeSpan.FromHours(2)), tuned);
    }

    [Fact]
    public void Settings_OutOfRange_ThrowNamingTheSetting()
    {
        // OriginStride = 0 looped forever, a NaN penalty made every score NaN, a maximum quantile of 1 scored +∞.
        IForecaster[] families = [new NaiveForecaster()];
        EngineTuner Tuner() => new(families, [24], minimumWindow: 48, maximumWindow: 480, horizon: 24);
        Assert.Equal("OriginStride", Assert.Throws<ArgumentOutOfRangeException>(() => new EngineTuner(families, [24], 48, 480, 24) { OriginStride = 0 }).ParamName);
        Assert.Equal("UnderProvisionPenalty", Assert.Throws<ArgumentOutOfRangeException>(() => new EngineTuner(families, [24], 48, 480, 24) { UnderProvisionPenalty = double.NaN }).ParamName);
        Assert.Equal("UnderProvisionPenalty", Assert.Throws<ArgumentOutOfRangeException>(() => new EngineTuner(families, [24], 48, 480, 24) { UnderProvisionPenalty = -1 }).ParamName);
        Assert.Equal("MaximumQuantile", Assert.Throws<ArgumentOutOfRangeException>(() => new EngineTuner(families, [24], 48, 480, 24) { MaximumQuantile = 1 }).ParamName);
        Assert.Equal("MinimumQuantile", Assert.Throws<ArgumentOutOfRangeException>(() => new EngineTuner(families, [24], 48, 480, 24) { MinimumQuantile = double.NaN }).ParamName);
        Assert.NotNull(Tuner());
    }

    [Fact]
    public void Tune_MinimumQuantileAboveMaximum_ThrowsNamingMaximumQuantile()
    {
        // Threw from deep inside the optimiser's search space naming 'upper', a parameter the caller never passed.
        var tuner = new EngineTuner([new NaiveForecaster()], [24], 48, 480, 24) { MinimumQuantile = 0.99, MaximumQuantile = 0.9 };
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => tuner.Tune(Series, 24 * 30, 24 * 40, evaluations: 2));
        Assert.Equal("MaximumQuantile", exception.ParamName);
    }

    [Theory]
    [InlineData(95.0)]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Evaluate_SafetyQuantileOutsideTheUnitInterval_ThrowsNamingTheSetting(double quantile)
    {
        // The forecast's level check threw inside the backtest, where it was caught as a failed fit: Evaluate returned
        // +∞ as if the model had failed, and a percentage (95 for 0.95) went unnoticed.
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() =>
            CreateTuner().Evaluate(Series, 24 * 30, 24 * 40, new EngineTuning(1, 240, 24, quantile)));
        Assert.Equal("setting", exception.ParamName);
    }

    [Fact]
    public void EvaluateAndTune_SeriesWithNaN_ThrowNamingTheSeries()
    {
        // Every fit rejected the series, so Evaluate returned +∞ and Tune threw "Every backtest failed."
        double[] series = [.. Series];
        series[100] = double.NaN;
        var exception = Assert.Throws<ArgumentException>(() =>
            CreateTuner().Evaluate(series, 24 * 30, 24 * 40, new EngineTuning(1, 240, 24, 0.9)));
        Assert.Equal("series", exception.ParamName);
        Assert.StartsWith("Series value at index 100 is NaN; observations must be finite", exception.Message, StringComparison.Ordinal);
        Assert.Equal("series", Assert.Throws<ArgumentException>(() =>
            CreateTuner().Tune(series, 24 * 30, 24 * 40, evaluations: 2)).ParamName);
    }
}
