using Shaping.Forecasting.Models;

namespace Shaping.Forecasting.Tests.Models;

public sealed class BaselineForecasterTests
{
    public static TheoryData<string> Forecasters => ["naive", "snaive", "naive2"];

    internal static IForecaster Create(string name) => name switch
    {
        "naive" => new NaiveForecaster(),
        "snaive" => new SeasonalNaiveForecaster(),
        "naive2" => new Naive2Forecaster(),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Fact]
    public void Naive_Forecast_RepeatsLastValue()
    {
        var forecast = new double[5];
        new NaiveForecaster().Fit([3, 8, 6], 1).ForecastMean(forecast);
        Assert.All(forecast, f => Assert.Equal(6, f));
    }

    [Fact]
    public void SeasonalNaive_Forecast_RepeatsLastSeason()
    {
        var forecast = new double[7];
        var model = new SeasonalNaiveForecaster().Fit([1, 2, 3, 4, 5, 6, 7], 3);
        model.ForecastMean(forecast);
        Assert.Equal([5, 6, 7, 5, 6, 7, 5], forecast);
        Assert.Equal("SeasonalNaive", model.Name);
        Assert.Equal(3, model.SeasonalPeriod);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(2)]
    public void SeasonalNaive_HistoryShorterThanSeasonPlusOne_FallsBackToNaive(int length)
    {
        var forecast = new double[4];
        var model = new SeasonalNaiveForecaster().Fit(new double[] { 4, 9, 7 }.AsSpan(0, length), 3);
        model.ForecastMean(forecast);
        Assert.Equal("SeasonalNaive(fallback: Naive)", model.Name);
        Assert.All(forecast, f => Assert.Equal(length == 3 ? 7 : 9, f));
    }

    /// <summary>
    /// A period as large as an int holds is longer than any history too: the fallback's test, n &lt; m + 1, overflowed
    /// m + 1 to int.MinValue, so the seasonal branch ran and slicing the last m values threw an
    /// ArgumentOutOfRangeException without a parameter name.
    /// </summary>
    [Fact]
    public void SeasonalNaive_PeriodOfIntMaxValue_FallsBackToNaive()
    {
        var model = new SeasonalNaiveForecaster().Fit([4.0, 9.0, 7.0], int.MaxValue);

        var forecast = new double[2];
        model.ForecastMean(forecast);
        Assert.Equal("SeasonalNaive(fallback: Naive)", model.Name);
        Assert.Equal([7.0, 7.0], forecast);
    }

    [Fact]
    public void Naive_Intervals_WidenWithSquareRootOfHorizon()
    {
        // one-step differences 2 and −1: σ² = (4 + 1)/2 = 2.5
        var model = new NaiveForecaster().Fit([1, 3, 2], 1);
        var forecast = model.Forecast(4, [0.975]);
        var z = 1.959963984540054;

        Assert.Equal(2.5, model.Summary.Sigma2, 12);
        Assert.Equal(2 + (z * Math.Sqrt(2.5)), forecast.Quantile(0)[0], 9);
        Assert.Equal(2 + (z * Math.Sqrt(2.5) * 2), forecast.Quantile(0)[3], 9);
    }

    [Fact]
    public void SeasonalNaive_Intervals_WidenOncePerSeason()
    {
        // m = 2, lag-2 differences 2, 2, −2, −2: σ² = 4, σ = 2
        var model = new SeasonalNaiveForecaster().Fit([10, 20, 12, 22, 10, 20], 2);
        var forecast = model.Forecast(5, [0.5, 0.8413447460685429]); // +1 standard deviation

        Assert.Equal(4, model.Summary.Sigma2, 12);
        double[] expectedSd = [2, 2, 2 * Math.Sqrt(2), 2 * Math.Sqrt(2), 2 * Math.Sqrt(3)];
        for (var h = 0; h < 5; h++)
        {
            Assert.Equal(forecast.Mean[h], forecast.Quantile(0)[h], 12);
            Assert.Equal(forecast.Mean[h] + expectedSd[h], forecast.Quantile(1)[h], 6);
        }
    }

    [Theory]
    [MemberData(nameof(Forecasters))]
    public void Fit_Summary_HasSigma2AndNoLikelihood(string name)
    {
        var x = ClassicalDecompositionTests.DailyCycle(120, 5, 2);
        var summary = Create(name).Fit(x, 24).Summary;

        Assert.True(double.IsNaN(summary.LogLikelihood));
        Assert.True(double.IsNaN(summary.Aic) && double.IsNaN(summary.Aicc) && double.IsNaN(summary.Bic));
        Assert.True(summary.Sigma2 > 0);
        Assert.Equal(summary.Sigma2, summary.Parameters["sigma2"]);
        Assert.Equal(120, summary.ObservationCount);
    }

    [Theory]
    [MemberData(nameof(Forecasters))]
    public void Fit_ConstantSeries_ForecastsConstantWithZeroWidth(string name)
    {
        var forecast = Create(name).Fit(Enumerable.Repeat(42.0, 100).ToArray(), 24).Forecast(48, [0.05, 0.5, 0.95]);

        for (var l = 0; l < 3; l++)
        {
            Assert.All(forecast.Quantile(l).ToArray(), q => Assert.Equal(42, q));
        }

        Assert.All(forecast.Mean.ToArray(), m => Assert.Equal(42, m));
    }

    [Theory]
    [MemberData(nameof(Forecasters))]
    public void Fit_SinglePoint_ForecastsItWithoutNaN(string name)
    {
        var forecast = Create(name).Fit([7], 24).Forecast(3, [0.1, 0.9]);
        Assert.All(forecast.Mean.ToArray(), m => Assert.Equal(7, m));
        Assert.All(forecast.Quantile(1).ToArray(), q => Assert.Equal(7, q));
    }

    [Theory]
    [MemberData(nameof(Forecasters))]
    public void Fit_BadValue_ThrowsArgumentExceptionNamingHistory(string name)
    {
        foreach (var bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, -1 })
        {
            var e = Assert.Throws<ArgumentException>(() => Create(name).Fit([1, 2, bad, 4], 1));
            Assert.Equal("history", e.ParamName);
        }

        Assert.Equal("history", Assert.Throws<ArgumentException>(() => Create(name).Fit([], 1)).ParamName);
    }

    [Theory]
    [MemberData(nameof(Forecasters))]
    public void Fit_PeriodBelowOne_ThrowsNamingSeasonalPeriod(string name)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Create(name).Fit([1, 2, 3], 0));
        Assert.Equal("seasonalPeriod", e.ParamName);
    }

    [Theory]
    [MemberData(nameof(Forecasters))]
    public void Update_BadObservation_ThrowsNamingObservation(string name)
    {
        var model = Create(name).Fit(ClassicalDecompositionTests.DailyCycle(120, 5, 2), 24);
        foreach (var bad in new[] { double.NaN, double.PositiveInfinity, -0.5 })
        {
            Assert.Equal("observation", Assert.Throws<ArgumentException>(() => model.Update(bad)).ParamName);
        }
    }

    [Theory]
    [MemberData(nameof(Forecasters))]
    public void SimulatePaths_Seeded_IsReproducibleNonNegativeAndCentred(string name)
    {
        var model = Create(name).Fit(ClassicalDecompositionTests.DailyCycle(240, 5, 2), 24);
        var first = new double[2000 * 6];
        var second = new double[2000 * 6];
        model.SimulatePaths(first, 6, new Random(9));
        model.SimulatePaths(second, 6, new Random(9));

        Assert.Equal(first, second);
        Assert.All(first, v => Assert.True(v >= 0 && double.IsFinite(v)));
        var mean = new double[6];
        model.ForecastMean(mean);
        var sd = Math.Sqrt(model.Summary.Sigma2);
        for (var h = 0; h < 6; h++)
        {
            var average = Enumerable.Range(0, 2000).Average(p => first[(p * 6) + h]);
            Assert.InRange(average, mean[h] - (0.2 * sd * 3), mean[h] + (0.2 * sd * 3));
        }
    }

    [Theory]
    [MemberData(nameof(Forecasters))]
    public void SimulatePaths_BufferNotMultipleOfHorizon_Throws(string name)
    {
        var model = Create(name).Fit([1, 2, 3, 4], 1);
        Assert.Equal("paths", Assert.Throws<ArgumentException>(() => model.SimulatePaths(new double[7], 3, new Random(1))).ParamName);
    }

    [Fact]
    public void SeasonalNaive_SimulatedPaths_FollowTheSeasonalRandomWalk()
    {
        // σ = 0 (exactly periodic history): every path is the repeated season.
        var model = new SeasonalNaiveForecaster().Fit([1, 5, 1, 5, 1, 5], 2);
        var paths = new double[3 * 5];
        model.SimulatePaths(paths, 5, new Random(1));
        Assert.Equal([1, 5, 1, 5, 1, 1, 5, 1, 5, 1, 1, 5, 1, 5, 1], paths);
    }

    [Theory]
    [MemberData(nameof(Forecasters))]
    public void Update_Repeated_AllocatesNothing(string name)
    {
        var model = Create(name).Fit(ClassicalDecompositionTests.DailyCycle(240, 5, 2), 24);
        model.Update(100);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            model.Update(100 + (i % 7));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
