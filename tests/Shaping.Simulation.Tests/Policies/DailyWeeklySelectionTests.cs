using Shaping.Core.Resources;
using Shaping.Forecasting;
using Shaping.Simulation.Demand;
using Shaping.Simulation.Policies;

namespace Shaping.Simulation.Tests.Policies;

public sealed class DailyWeeklySelectionTests
{
    private static double Cycle(double hour) => 6 - (4 * Math.Cos(2 * Math.PI * (hour - 2) / 24));

    [Fact]
    public void Fit_HistoryTooShortToValidateTheWeek_LeavesTheWeeklyCandidateOut()
    {
        // A week of a daily cycle, then a flat day: 192 hourly buckets. A weekly seasonal naive validated on them
        // would be scored as plain naive (its training part is shorter than a week + 1) and then deployed as the
        // first week's cycle; the selection must not offer it yet.
        var history = Enumerable.Range(0, 168).Select(h => Cycle(h % 24)).ToList();
        history.AddRange(Enumerable.Repeat(history[^1], 24));
        var selection = new DailyWeeklySelection(168);

        var model = selection.Fit(history.ToArray(), 24);
        var next = new double[24];
        model.ForecastMean(next);

        Assert.True(history.Count < selection.WeeklyFrom);
        Assert.True(next.Max() - next.Min() < 1e-9, $"{model.Name} (m = {model.SeasonalPeriod}): {next.Min():0.###}..{next.Max():0.###}");
    }

    // Hourly bucket peaks of a daily cycle, with days 5 and 6 of each week at a third of the weekday level.
    private static double[] QuietWeekends(int hours) =>
        Enumerable.Range(0, hours).Select(h => Cycle(h % 24) * ((h / 24 % 7) >= 5 ? 1 / 3.0 : 1)).ToArray();

    [Theory]
    [InlineData(216)] // the policy's second default fit (warm-up, then weekly): validated on 47 buckets after a week + 1
    [InlineData(21 * 24)] // three weeks: the full 48-bucket validation window, which holds a weekend
    public void Fit_QuietWeekends_PicksTheWeeklyCandidate(int length)
    {
        // A daily model forecasts the weekend from the weekdays before it; the weekly one from last weekend.
        var history = QuietWeekends(length);
        var selection = new DailyWeeklySelection(168);

        var model = selection.Fit(history, 24);

        Assert.True(history.Length >= selection.WeeklyFrom);
        Assert.Equal(168, model.SeasonalPeriod);
    }

    [Fact]
    public void Fit_PolicyDefaults_DeployTheWeeklyModelAfterTheSecondRefit()
    {
        // Half-hourly demand, quiet weekends, ten days: the refit at 216 hourly buckets (day 9) picks the weekly model.
        var values = Enumerable.Range(0, 10 * 48)
            .Select(i => new ResourceVector(Cycle((i % 48) / 2.0) * ((i / 48 % 7) >= 5 ? 1 / 3.0 : 1), 0, 0, 0));
        var recorder = new RecordingForecaster(new DailyWeeklySelection(168));
        var policy = new PredictiveShapingPolicy(new PredictiveShapingOptions { Forecaster = recorder });

        new BacktestSimulator(TestCatalogs.Cpu()).Run(new DemandSeries("weekly", Series.Start, TimeSpan.FromMinutes(30), values), policy);

        Assert.Equal([48, 216], recorder.Fits.Select(f => f.Length));
        Assert.Equal(168, recorder.Fits[^1].SeasonalPeriod);
    }

    private sealed class RecordingForecaster(IForecaster inner) : IForecaster
    {
        public List<(int Length, int SeasonalPeriod)> Fits { get; } = [];

        public string Name => inner.Name;

        public IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default)
        {
            var model = inner.Fit(history, seasonalPeriod, cancellationToken);
            Fits.Add((history.Length, model.SeasonalPeriod));
            return model;
        }
    }

    [Theory]
    [InlineData(192, 24)] // a week + 24: not offered yet, the daily seasonal naive
    [InlineData(193, 168)] // a week + 25: offered, validated on 24 buckets after a week + 1 of training, and it wins
    public void Fit_AtTheThreshold_OffersTheWeeklyCandidateFromAWeekPlus25(int length, int expectedPeriod)
    {
        var history = QuietWeekends(length);
        var selection = new DailyWeeklySelection(168);

        Assert.Equal(193, selection.WeeklyFrom);
        Assert.Equal(expectedPeriod, selection.Fit(history, 24).SeasonalPeriod);
    }

    [Fact]
    public void Fit_WeekNearIntMaxValue_FitsTheDailySelection()
    {
        var history = Enumerable.Range(0, 96).Select(h => Cycle(h % 24)).ToArray();

        var model = new DailyWeeklySelection(int.MaxValue - 10).Fit(history, 24);

        Assert.Equal(24, model.SeasonalPeriod);
    }

    [Fact]
    public void Constructor_WeekBelowTwo_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new DailyWeeklySelection(1));
}
