using Shaping.Forecasting.Evaluation;

namespace Shaping.Forecasting.Tests.Evaluation;

public sealed class ForecastMetricsTests
{
    [Fact]
    public void Smape_HandComputedSeries_MatchesDefinition()
    {
        // 200/2 · (10/210 + 20/380) = 100 · (0.0476190 + 0.0526316) = 10.02506
        var smape = ForecastMetrics.Smape([100, 200], [110, 180]);
        Assert.Equal(10.025063, smape, 5);
    }

    [Fact]
    public void Smape_PerfectForecast_IsZero() => Assert.Equal(0, ForecastMetrics.Smape([5, 6, 7], [5, 6, 7]));

    [Fact]
    public void Smape_ForecastZeroAgainstPositive_IsTwoHundred() => Assert.Equal(200, ForecastMetrics.Smape([4, 9], [0, 0]));

    [Fact]
    public void Smape_BothZero_CountsAsNoError() => Assert.Equal(50, ForecastMetrics.Smape([0, 1], [0, 3]));

    [Fact]
    public void MaseScale_SeasonalLag_IsMeanAbsoluteSeasonalDifference()
    {
        // m = 2: |3−1|, |4−2|, |6−3|, |5−4| = 2, 2, 3, 1 → mean 2
        Assert.Equal(2, ForecastMetrics.MaseScale([1, 2, 3, 4, 6, 5], 2), 12);
    }

    [Fact]
    public void Mase_HandComputedSeries_IsMaeOverScale()
    {
        // MAE = (|5−4| + |5−7|)/2 = 1.5; scale 2 → 0.75
        Assert.Equal(0.75, ForecastMetrics.Mase([1, 2, 3, 4, 6, 5], [5, 5], [4, 7], 2), 12);
    }

    [Fact]
    public void Mase_LagOne_UsesNaiveScale()
    {
        // m = 1: |2−1|, |4−2|, |7−4| → mean 2; MAE 3 → 1.5
        Assert.Equal(1.5, ForecastMetrics.Mase([1, 2, 4, 7], [10], [7], 1), 12);
    }

    [Fact]
    public void Mase_ZeroScale_ZeroForPerfectInfiniteOtherwise()
    {
        double[] periodic = [1, 2, 1, 2, 1, 2];
        Assert.Equal(0, ForecastMetrics.Mase(periodic, [1, 2], [1, 2], 2));
        Assert.Equal(double.PositiveInfinity, ForecastMetrics.Mase(periodic, [1, 2], [1, 3], 2));
    }

    [Fact]
    public void Owa_Naive2Figures_IsOne() =>
        Assert.Equal(1, ForecastMetrics.Owa(18.383, 2.395, ForecastMetrics.M4HourlyNaive2Smape, ForecastMetrics.M4HourlyNaive2Mase), 12);

    [Fact]
    public void Owa_HalfOfBothReferences_IsOneHalf() =>
        Assert.Equal(0.5, ForecastMetrics.Owa(9.1915, 1.1975, 18.383, 2.395), 12);

    [Fact]
    public void Owa_KnownSeasonalNaiveFigures_IsAverageOfRatios() =>
        Assert.Equal(0.5 * ((13.912 / 18.383) + (1.193 / 2.395)), ForecastMetrics.Owa(13.912, 1.193, 18.383, 2.395), 12);

    [Fact]
    public void Smape_LengthMismatch_ThrowsNamingForecast()
    {
        var e = Assert.Throws<ArgumentException>(() => ForecastMetrics.Smape([1, 2], [1]));
        Assert.Equal("forecast", e.ParamName);
    }

    [Fact]
    public void Smape_Empty_ThrowsNamingActual()
    {
        var e = Assert.Throws<ArgumentException>(() => ForecastMetrics.Smape([], []));
        Assert.Equal("actual", e.ParamName);
    }

    [Fact]
    public void MaseScale_HistoryNotLongerThanPeriod_ThrowsNamingInsample()
    {
        var e = Assert.Throws<ArgumentException>(() => ForecastMetrics.MaseScale([1, 2], 2));
        Assert.Equal("insample", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => ForecastMetrics.MaseScale([1, 2, 3], 0));
    }

    [Fact]
    public void Owa_NonPositiveReference_Throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ForecastMetrics.Owa(10, 1, 0, 2.395));
        Assert.Equal("naive2Smape", e.ParamName);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => ForecastMetrics.Owa(10, 1, 18.383, double.NaN));
        Assert.Equal("naive2Mase", e.ParamName);
    }

    [Fact]
    public void IntervalScore_HandComputedSeries_AddsWidthAndScaledMisses()
    {
        // α = 0.05, penalty 2/α = 40. Step 1: inside, width 4. Step 2: 2 above U, 4 + 40·2 = 84.
        // Step 3: 1 below L, 1 + 40·1 = 41. Mean (4 + 84 + 41)/3 = 43.
        var score = ForecastMetrics.IntervalScore([5, 12, 1], [4, 6, 2], [8, 10, 3], 0.05);
        Assert.Equal(43, score, 12);
    }

    [Fact]
    public void IntervalScore_OtherAlpha_UsesTwoOverAlpha()
    {
        // α = 0.2 (an 80 % interval), penalty 10: width 1 + 10·1 = 11.
        Assert.Equal(11, ForecastMetrics.IntervalScore([0], [1], [2], 0.2), 12);
    }

    [Fact]
    public void IntervalScore_OutcomesOnTheBounds_CostOnlyTheWidth()
    {
        Assert.Equal(4, ForecastMetrics.IntervalScore([4, 8], [4, 4], [8, 8], 0.05), 12);
        Assert.Equal(1, ForecastMetrics.Coverage([4, 8], [4, 4], [8, 8]), 12);
    }

    [Fact]
    public void Msis_HandComputedSeries_IsIntervalScoreOverMaseScale()
    {
        // Interval score 43 (above); in-sample scale at m = 2 is 2 (see MaseScale_SeasonalLag...) → 21.5.
        var msis = ForecastMetrics.Msis([1, 2, 3, 4, 6, 5], [5, 12, 1], [4, 6, 2], [8, 10, 3], 2, 0.05);
        Assert.Equal(21.5, msis, 12);
    }

    [Fact]
    public void Msis_ZeroScale_ZeroForZeroScoreInfiniteOtherwise()
    {
        double[] periodic = [1, 2, 1, 2, 1, 2];
        Assert.Equal(0, ForecastMetrics.Msis(periodic, [1, 2], [1, 2], [1, 2], 2, 0.05));
        Assert.Equal(double.PositiveInfinity, ForecastMetrics.Msis(periodic, [1, 2], [1, 2], [1, 3], 2, 0.05));
    }

    [Fact]
    public void Coverage_HandComputedSeries_IsShareInside()
    {
        Assert.Equal(1.0 / 3, ForecastMetrics.Coverage([5, 12, 1], [4, 6, 2], [8, 10, 3]), 12);
        Assert.Equal(0.5, ForecastMetrics.Coverage([3, 3, 9, 10], [2, 4, 8, 0], [4, 5, 10, 9]), 12);
    }

    [Fact]
    public void IntervalMetrics_CrossedOrNonFiniteBounds_ThrowNamingLower()
    {
        var e = Assert.Throws<ArgumentException>(() => ForecastMetrics.Coverage([1, 2], [1, 3], [2, 2]));
        Assert.Equal("lower", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => ForecastMetrics.IntervalScore([1], [double.NaN], [2], 0.05));
        Assert.Equal("lower", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => ForecastMetrics.IntervalScore([1], [0], [double.PositiveInfinity], 0.05));
        Assert.Equal("lower", e.ParamName);
    }

    [Fact]
    public void IntervalMetrics_LengthMismatch_ThrowsNamingTheShortSpan()
    {
        Assert.Equal("lower", Assert.Throws<ArgumentException>(() => ForecastMetrics.Coverage([1, 2], [1], [2, 3])).ParamName);
        Assert.Equal("upper", Assert.Throws<ArgumentException>(() => ForecastMetrics.Coverage([1, 2], [1, 1], [2])).ParamName);
        Assert.Equal("actual", Assert.Throws<ArgumentException>(() => ForecastMetrics.Coverage([], [], [])).ParamName);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.05)]
    [InlineData(double.NaN)]
    public void IntervalScore_AlphaOutsideUnitInterval_Throws(double alpha)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ForecastMetrics.IntervalScore([1], [0], [2], alpha));
        Assert.Equal("alpha", e.ParamName);
    }

    [Fact]
    public void Metrics_OverSpans_AllocateNothing()
    {
        double[] insample = [.. Enumerable.Range(0, 200).Select(i => 10.0 + (i % 24))];
        double[] actual = [.. Enumerable.Range(0, 48).Select(i => 11.0 + (i % 24))];
        double[] forecast = [.. Enumerable.Range(0, 48).Select(i => 10.0 + (i % 24))];
        double[] lower = [.. forecast.Select(f => f - 1.5)];
        double[] upper = [.. forecast.Select(f => f + 0.5)];
        var sink = Score(insample, actual, forecast, lower, upper);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            sink += Score(insample, actual, forecast, lower, upper);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(sink > 0);
    }

    private static double Score(double[] insample, double[] actual, double[] forecast, double[] lower, double[] upper) =>
        ForecastMetrics.Smape(actual, forecast) + ForecastMetrics.Mase(insample, actual, forecast, 24)
        + ForecastMetrics.Msis(insample, actual, lower, upper, 24, 0.05) + ForecastMetrics.Coverage(actual, lower, upper);
}
