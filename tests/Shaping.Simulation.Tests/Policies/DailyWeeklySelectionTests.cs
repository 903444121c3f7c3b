using Shaping.Simulation.Policies;

namespace Shaping.Simulation.Tests.Policies;

public sealed class DailyWeeklySelectionTests
{
    private static double Cycle(double hour) => 6 - (4 * Math.Cos(2 * Math.PI * (hour - 2) / 24));

    [Fact]
    public void Fit_HistoryTooShortToValidateTheWeek_LeavesTheWeeklyCandidateOut()
    {
        // A week of a daily cycle, then two flat days: 216 hourly buckets. A weekly seasonal naive validated on them
        // would be scored as plain naive (its training part is shorter than a week + 1) and then deployed as the
        // first week's cycle; the selection must not offer it yet.
        var history = Enumerable.Range(0, 168).Select(h => Cycle(h % 24)).ToList();
        history.AddRange(Enumerable.Repeat(history[^1], 48));
        var selection = new DailyWeeklySelection(168);

        var model = selection.Fit(history.ToArray(), 24);
        var next = new double[24];
        model.ForecastMean(next);

        Assert.True(history.Count < selection.WeeklyFrom);
        Assert.True(next.Max() - next.Min() < 1e-9, $"{model.Name} (m = {model.SeasonalPeriod}): {next.Min():0.###}..{next.Max():0.###}");
    }

    [Fact]
    public void Fit_ThreeWeeksWithQuietWeekends_PicksTheWeeklyCandidate()
    {
        // Days 5 and 6 of each week at a third of the weekday level; the validation window (the last 48 buckets)
        // holds a weekend, which a daily model forecasts from the weekdays before it.
        var history = Enumerable.Range(0, 21 * 24).Select(h => Cycle(h % 24) * ((h / 24 % 7) >= 5 ? 1 / 3.0 : 1)).ToArray();
        var selection = new DailyWeeklySelection(168);

        var model = selection.Fit(history, 24);

        Assert.True(history.Length >= selection.WeeklyFrom);
        Assert.Equal(168, model.SeasonalPeriod);
    }

    [Fact]
    public void Constructor_WeekBelowTwo_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new DailyWeeklySelection(1));
}
