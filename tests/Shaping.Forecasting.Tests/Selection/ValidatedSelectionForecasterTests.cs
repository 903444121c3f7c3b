using Shaping.Forecasting.Models;
using Shaping.Forecasting.Selection;
using Shaping.Forecasting.Tests.Models;

namespace Shaping.Forecasting.Tests.Selection;

public sealed class ValidatedSelectionForecasterTests
{
    /// <summary>A candidate that forecasts a fixed value and records the history lengths it was fitted on.</summary>
    private sealed class FixedForecaster(string name, double value) : IForecaster
    {
        public List<int> FitLengths { get; } = [];

        public string Name => name;

        public IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default)
        {
            lock (FitLengths)
            {
                FitLengths.Add(history.Length);
            }

            return new NaiveForecaster().Fit([value], seasonalPeriod, cancellationToken);
        }
    }

    /// <summary>A candidate that needs at least <paramref name="minimum"/> values and forecasts a fixed value.</summary>
    private sealed class NeedsHistoryForecaster(int minimum, double value) : IForecaster
    {
        public string Name => $"NeedsHistory({minimum})";

        public IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default) =>
            history.Length < minimum
                ? throw new InvalidOperationException($"needs {minimum} values")
                : new NaiveForecaster().Fit([value], seasonalPeriod, cancellationToken);
    }

    private static double FirstMean(IForecastModel model)
    {
        var mean = new double[1];
        model.ForecastMean(mean);
        return mean[0];
    }

    [Fact]
    public void SelectCandidate_ACandidateThatFailsOnTheTrainingPart_IsSkipped()
    {
        double[] x = [.. Enumerable.Repeat(10.0, 100)];
        var selector = new ValidatedSelectionForecaster([new NeedsHistoryForecaster(90, 10), new FixedForecaster("off", 12)]);

        Assert.Equal(1, selector.SelectCandidate(x, 1));
        Assert.Equal(12, FirstMean(selector.Fit(x, 1)));
    }

    [Fact]
    public void SelectCandidate_EveryCandidateFailingOnTheTrainingPart_UsesTheFirst_WhoseRefitDecides()
    {
        double[] x = [.. Enumerable.Repeat(10.0, 100)];
        var fitsAll = new ValidatedSelectionForecaster([new NeedsHistoryForecaster(90, 10), new NeedsHistoryForecaster(99, 11)]);
        var fitsNone = new ValidatedSelectionForecaster([new NeedsHistoryForecaster(101, 10), new NeedsHistoryForecaster(101, 11)]);

        Assert.Equal(0, fitsAll.SelectCandidate(x, 1));
        Assert.Equal(10, FirstMean(fitsAll.Fit(x, 1)));
        Assert.Throws<InvalidOperationException>(() => fitsNone.Fit(x, 1));
    }

    [Fact]
    public void SelectCandidate_SeasonalSeries_ChoosesSeasonalNaive()
    {
        var x = ClassicalDecompositionTests.DailyCycle(24 * 10, noise: 2, seed: 5);
        var selector = new ValidatedSelectionForecaster([new NaiveForecaster(), new SeasonalNaiveForecaster()]);

        Assert.Equal(1, selector.SelectCandidate(x, 24));
        Assert.Equal("SeasonalNaive", selector.Fit(x, 24).Name);
    }

    [Fact]
    public void SelectCandidate_LinearTrend_ChoosesNaive()
    {
        // Over a 48-step window naive's MAE is mean(1..48) = 24.5; seasonal naive's is 36.
        double[] x = [.. Enumerable.Range(0, 200).Select(t => (double)t)];
        var selector = new ValidatedSelectionForecaster([new SeasonalNaiveForecaster(), new NaiveForecaster()]);

        Assert.Equal(1, selector.SelectCandidate(x, 24));
    }

    [Fact]
    public void SelectCandidate_SmapeMetric_RanksBySmape()
    {
        // Window [10, 10]: low (5) has sMAPE 66.7 and MAE 5; high (16) has sMAPE 46.2 and MAE 6.
        double[] x = [10, 10, 10, 10];
        var low = new FixedForecaster("low", 5);
        var high = new FixedForecaster("high", 16);

        Assert.Equal(1, new ValidatedSelectionForecaster([low, high], 2, ValidationMetric.Smape).SelectCandidate(x, 1));
        Assert.Equal(0, new ValidatedSelectionForecaster([low, high], 2, ValidationMetric.Mase).SelectCandidate(x, 1));
    }

    [Fact]
    public void Fit_ValidatesOnTrainingPartThenRefitsWinnerOnAll()
    {
        double[] x = [.. Enumerable.Range(0, 100).Select(_ => 10.0)];
        var far = new FixedForecaster("far", 50);
        var near = new FixedForecaster("near", 11);

        var model = new ValidatedSelectionForecaster([far, near], validationLength: 48).Fit(x, 24);

        Assert.Equal([52], far.FitLengths);
        Assert.Equal([52, 100], near.FitLengths);
        var forecast = new double[3];
        model.ForecastMean(forecast);
        Assert.All(forecast, f => Assert.Equal(11, f));
    }

    [Fact]
    public void Fit_WinnerRefit_EqualsCandidateFittedOnWholeHistory()
    {
        var x = ClassicalDecompositionTests.DailyCycle(24 * 8, noise: 2, seed: 6);
        var model = new ValidatedSelectionForecaster([new NaiveForecaster(), new SeasonalNaiveForecaster()]).Fit(x, 24);
        var direct = new SeasonalNaiveForecaster().Fit(x, 24);

        var a = new double[48];
        var b = new double[48];
        model.ForecastMean(a);
        direct.ForecastMean(b);
        Assert.Equal(b, a);
    }

    [Fact]
    public void SelectCandidate_HistoryShorterThanWindow_ShrinksWindowToKeepOneSeasonPlusOne()
    {
        double[] x = [.. Enumerable.Range(0, 30).Select(_ => 10.0)];
        var a = new FixedForecaster("a", 9);
        var b = new FixedForecaster("b", 10);

        Assert.Equal(1, new ValidatedSelectionForecaster([a, b], validationLength: 48).SelectCandidate(x, 24));
        Assert.Equal([25], a.FitLengths); // window 5 = 30 − (24 + 1)
    }

    [Fact]
    public void SelectCandidate_NoRoomToValidate_ReturnsFirstCandidateWithoutFitting()
    {
        var a = new FixedForecaster("a", 1);
        var b = new FixedForecaster("b", 10);

        Assert.Equal(0, new ValidatedSelectionForecaster([a, b]).SelectCandidate([10, 10, 10], 2));
        Assert.Empty(a.FitLengths);
        Assert.Empty(b.FitLengths);
    }

    [Fact]
    public void SelectCandidate_Tie_GoesToEarlierCandidate()
    {
        double[] constant = [.. Enumerable.Range(0, 120).Select(_ => 5.0)];
        var selector = new ValidatedSelectionForecaster([new Naive2Forecaster(), new SeasonalNaiveForecaster(), new NaiveForecaster()]);
        Assert.Equal(0, selector.SelectCandidate(constant, 24));
    }

    [Fact]
    public void Constructor_BadArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => new ValidatedSelectionForecaster(null!));
        Assert.Equal("candidates", Assert.Throws<ArgumentException>(() => new ValidatedSelectionForecaster([])).ParamName);
        Assert.Equal("candidates", Assert.Throws<ArgumentNullException>(() => new ValidatedSelectionForecaster([null!])).ParamName);
        Assert.Equal(
            "validationLength",
            Assert.Throws<ArgumentOutOfRangeException>(() => new ValidatedSelectionForecaster([new NaiveForecaster()], 0)).ParamName);
        Assert.Equal(
            "metric",
            Assert.Throws<ArgumentOutOfRangeException>(() => new ValidatedSelectionForecaster([new NaiveForecaster()], 48, (ValidationMetric)7)).ParamName);
    }

    [Fact]
    public void Fit_BadHistory_ThrowsNamingHistory()
    {
        var selector = new ValidatedSelectionForecaster([new SeasonalNaiveForecaster()]);
        Assert.Equal("history", Assert.Throws<ArgumentException>(() => selector.Fit([1, double.NaN], 1)).ParamName);
        Assert.Equal("history", Assert.Throws<ArgumentException>(() => selector.Fit([], 1)).ParamName);
        Assert.Equal("seasonalPeriod", Assert.Throws<ArgumentOutOfRangeException>(() => selector.Fit([1, 2], 0)).ParamName);
    }
}
