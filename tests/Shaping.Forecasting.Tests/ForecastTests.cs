using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Shaping.Forecasting.Calibration;

namespace Shaping.Forecasting.Tests;

public sealed class ForecastTests
{
    private static Forecast Make(double[] levels, int horizon = 3)
    {
        // Quantile k at step h is 100 k + h, so every value says which level and step it came from.
        var mean = Enumerable.Range(0, horizon).Select(h => 50.0 + h).ToArray();
        var quantiles = levels.Select((_, k) => Enumerable.Range(0, horizon).Select(h => (100.0 * k) + h).ToArray()).ToArray();
        return new Forecast(mean, levels, quantiles);
    }

    [Fact]
    public void Interval_EightyPercent_ReadsTheLevelsPointOneAndPointNine()
    {
        var forecast = Make([0.025, 0.1, 0.5, 0.9, 0.975]);

        // (1 − 0.8) / 2 is 0.09999999999999998 in doubles, not 0.1: the lookup must still find the level written as 0.1.
        Assert.Equal(new IntervalBounds(102, 302), forecast.Interval(2, 0.8));
        Assert.Equal(new IntervalBounds(0, 400), forecast.Interval(0, 0.95));
    }

    [Fact]
    public void Interval_LevelMissing_ThrowsNamingTheNeededAndTheHeldLevels()
    {
        var forecast = Make([0.05, 0.5, 0.95]);

        var error = Assert.Throws<ArgumentException>(() => forecast.Interval(0, 0.8));

        Assert.Equal("coverage", error.ParamName);
        Assert.Contains("0.1 and 0.9", error.Message, StringComparison.Ordinal);
        Assert.Contains("0.05, 0.5, 0.95", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Interval_OnlyOneOfTheTwoLevels_Throws() =>
        Assert.Throws<ArgumentException>(() => Make([0.1, 0.5]).Interval(0, 0.8));

    [Theory]
    [InlineData(-1, 0.8)]
    [InlineData(3, 0.8)]
    [InlineData(0, 0.0)]
    [InlineData(0, 1.0)]
    [InlineData(0, double.NaN)]
    public void Interval_StepOrCoverageOutOfRange_ThrowsArgumentOutOfRange(int stepIndex, double coverage) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Make([0.1, 0.9]).Interval(stepIndex, coverage));

    [Fact]
    public void QuantileAtLevel_HeldLevel_IsThatLevelsPath()
    {
        var forecast = Make([0.1, 0.5, 0.9]);

        Assert.Equal([200.0, 201, 202], forecast.QuantileAtLevel(0.9).ToArray());
        Assert.Equal(1, forecast.IndexOfLevel(0.5));
        Assert.Equal(-1, forecast.IndexOfLevel(0.6));
    }

    [Fact]
    public void QuantileAtLevel_MissingLevel_ThrowsListingTheHeldLevels()
    {
        var error = Assert.Throws<ArgumentException>(() => Make([0.1, 0.9]).QuantileAtLevel(0.5));

        Assert.Equal("level", error.ParamName);
        Assert.Contains("0.1, 0.9", error.Message, StringComparison.Ordinal);
    }

    /// <summary>For any coverage whose two levels the forecast holds (written as the nearest doubles, as a caller types
    /// them), <see cref="Forecast.Interval"/> returns those two quantiles.</summary>
    [Property(MaxTest = 300, Replay = "(20261204,20261209)")]
    public Property Interval_AnyCoverageMadeWithItsLevels_ReturnsThoseQuantiles() =>
        Prop.ForAll(
            Gen.Choose(1, 999).ToArbitrary(),
            permille =>
            {
                double[] levels = [(1000 - permille) / 2000.0, 0.5, (1000 + permille) / 2000.0];
                var forecast = Make(levels);
                var interval = forecast.Interval(1, permille / 1000.0);
                return interval == new IntervalBounds(forecast.Quantile(0)[1], forecast.Quantile(2)[1]);
            });
}
