using Microsoft.Extensions.Time.Testing;
using Shaping.Core.Prediction;
using Shaping.Core.Resources;
using Shaping.Forecasting.Engine;
using Shaping.Forecasting.Intervals;
using Shaping.Forecasting.Models;

namespace Shaping.Forecasting.Tests.Engine;

public sealed partial class PredictiveLoadEngineTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    private static PredictiveLoadEngineOptions HourlyOptions() => new()
    {
        Resolution = TimeSpan.FromHours(1),
        RefitInterval = TimeSpan.FromHours(6),
        RefreshInterval = TimeSpan.FromHours(1),
        StaleAfter = TimeSpan.FromHours(3),
        MaximumHistory = 24 * 14,
        PathCount = 200,
    };

    private static (PredictiveLoadEngine Engine, WaitSignallingClock Clock, RecordingPredictor Fallback) Create(PredictiveLoadEngineOptions? options = null, IForecaster? forecaster = null)
    {
        options ??= HourlyOptions();
        options.Windows.Clear();
        options.Windows.Add(TimeSpan.FromHours(1));
        options.Windows.Add(TimeSpan.FromHours(6));
        var clock = new WaitSignallingClock(Start);
        var fallback = new RecordingPredictor();
        return (new PredictiveLoadEngine(forecaster ?? new SeasonalNaiveForecaster(), fallback, options, clock), clock, fallback);
    }

    /// <summary>A daily cycle in CPU (10 at night to 30 at 15:00), memory flat at 8 GiB.</summary>
    private static ResourceVector DailyDemand(int hour) =>
        new(20 - (10 * Math.Cos(2 * Math.PI * (hour - 3) / 24)), 8, 0, 1);

    private static void Feed(PredictiveLoadEngine engine, FakeTimeProvider clock, int hours, string region = "eu-west")
    {
        for (var h = 0; h < hours; h++)
        {
            engine.Observe(region, clock.GetUtcNow(), DailyDemand(h % 24));
            clock.Advance(TimeSpan.FromHours(1));
        }
    }

    [Fact]
    public void TryGetProfile_UnknownRegion_DelegatesToFallbackOrReturnsFalse()
    {
        var (engine, _, _) = Create();
        Assert.False(engine.TryGetProfile("nowhere", TimeSpan.FromHours(1), out _));
    }

    [Fact]
    public async Task TryGetProfile_HistoryTooShort_FallsBackAndSaysWhy()
    {
        var (engine, clock, fallback) = Create();
        Feed(engine, clock, 10);
        await engine.RefreshAsync();

        Assert.True(engine.TryGetProfile("eu-west", TimeSpan.FromHours(1), out var profile));
        Assert.Equal(ProfileSource.Fallback, profile.Source);
        Assert.Contains("series too short", profile.Note, StringComparison.Ordinal);
        Assert.Equal(10, fallback.Observations);
    }

    [Fact]
    public async Task TryGetProfile_AfterRefresh_IsAForecastOfTheWindowPeak()
    {
        var (engine, clock, _) = Create();
        Feed(engine, clock, 24 * 7 + 1); // one step into the eighth day: hour 0 is closed, hour 1 is open
        await engine.RefreshAsync();

        Assert.True(engine.TryGetProfile("eu-west", TimeSpan.FromHours(6), out var profile));
        Assert.Equal(ProfileSource.Forecast, profile.Source);
        Assert.Equal(TimeSpan.FromHours(6), profile.Window);
        Assert.Contains("SeasonalNaive", profile.Note, StringComparison.Ordinal);

        // The pattern is exactly periodic, so seasonal naive has no residual error: the 6-hour peak from hour 1 on is
        // the largest of hours 1..6 of the cycle, and the memory forecast is the constant 8 GiB.
        var expectedPeak = Enumerable.Range(1, 6).Max(h => DailyDemand(h).CpuCores);
        Assert.Equal(expectedPeak, profile.Peak(Dimension.Cpu).P50, 6);
        Assert.Equal(8, profile.Peak(Dimension.Memory).P99, 9);
        Assert.True(profile.Mean(Dimension.Cpu).Mean < profile.Peak(Dimension.Cpu).Mean);
    }

    [Fact]
    public async Task TryGetProfile_ShorterWindowThanPrecomputed_UsesTheSmallestWindowThatCoversIt()
    {
        var (engine, clock, _) = Create();
        Feed(engine, clock, 24 * 7);
        await engine.RefreshAsync();

        Assert.True(engine.TryGetProfile("eu-west", TimeSpan.FromMinutes(20), out var shortWindow));
        Assert.Equal(TimeSpan.FromHours(1), shortWindow.Window);
        Assert.True(engine.TryGetProfile("eu-west", TimeSpan.FromDays(2), out var tooLong));
        Assert.Equal(ProfileSource.Fallback, tooLong.Source);
    }

    [Fact]
    public async Task TryGetProfile_StaleForecast_FallsBack()
    {
        var (engine, clock, _) = Create();
        Feed(engine, clock, 24 * 7);
        await engine.RefreshAsync();
        clock.Advance(TimeSpan.FromHours(4));

        Assert.True(engine.TryGetProfile("eu-west", TimeSpan.FromHours(1), out var profile));
        Assert.Equal(ProfileSource.Fallback, profile.Source);
        Assert.Contains("stale", profile.Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Observe_Gaps_AreFilledAndCounted()
    {
        var (engine, clock, _) = Create();
        Feed(engine, clock, 30);
        clock.Advance(TimeSpan.FromHours(3)); // three silent hours
        Feed(engine, clock, 30);
        await engine.RefreshAsync();

        var status = engine.GetStatus("eu-west");
        Assert.NotNull(status);
        Assert.Equal(4 * 3, status.GapsFilled); // three steps in each of four dimensions
        Assert.Equal(62, status.Steps); // 30 + 3 + 30 − the open step
    }

    [Fact]
    public void Observe_LateDataBeyondTheHistory_IsDroppedAndCounted()
    {
        var options = HourlyOptions();
        options.MaximumHistory = 48;
        var (engine, clock, _) = Create(options);
        Feed(engine, clock, 60);
        engine.Observe("eu-west", Start, new ResourceVector(1, 1, 1, 1));

        Assert.Equal(4, engine.GetStatus("eu-west")!.LateDropped);
    }

    [Fact]
    public async Task ConstantSeries_ForecastsTheConstantWithZeroWidth()
    {
        var (engine, clock, _) = Create();
        for (var h = 0; h < 24 * 3; h++)
        {
            engine.Observe("steady", clock.GetUtcNow(), new ResourceVector(4, 16, 100, 2));
            clock.Advance(TimeSpan.FromHours(1));
        }

        await engine.RefreshAsync();
        Assert.True(engine.TryGetProfile("steady", TimeSpan.FromHours(1), out var profile));
        Assert.Equal(ProfileSource.Forecast, profile.Source);
        Assert.True(profile.Peak(Dimension.Cpu).IsDegenerate);
        Assert.Equal(4, profile.Peak(Dimension.Cpu).P99);
        Assert.Equal(16, profile.Mean(Dimension.Memory).Mean, 12);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-1)]
    [InlineData(double.PositiveInfinity)]
    public void Observe_InvalidDemand_ThrowsNamingDemand(double cpu)
    {
        var (engine, clock, _) = Create();
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => engine.Observe("r", clock.GetUtcNow(), new ResourceVector(cpu, 1, 1, 1)));
        Assert.Equal("demand", exception.ParamName);
    }

    [Fact]
    public void Options_Invalid_ThrowWithTheSettingInTheMessage()
    {
        var options = HourlyOptions();
        options.Windows.Clear();
        options.Windows.Add(TimeSpan.FromHours(1));
        options.StaleAfter = TimeSpan.FromMinutes(1);
        var exception = Assert.Throws<ArgumentOutOfRangeException>(
            () => new PredictiveLoadEngine(new SeasonalNaiveForecaster(), new RecordingPredictor(), options));
        Assert.Contains("PredictiveLoadEngineOptions.StaleAfter", exception.Message, StringComparison.Ordinal);

        options.StaleAfter = TimeSpan.FromHours(3);
        options.Windows.Add(TimeSpan.FromMinutes(5));
        exception = Assert.Throws<ArgumentOutOfRangeException>(
            () => new PredictiveLoadEngine(new SeasonalNaiveForecaster(), new RecordingPredictor(), options));
        Assert.Contains("PredictiveLoadEngineOptions.Windows", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_MaximumHistoryBelowTwoDailySeasons_SaysTheMinimumAndWhereItComesFrom()
    {
        // Only Resolution changed to 1 second: a day is then 86,400 steps, so two seasons need 172,800.
        var options = new PredictiveLoadEngineOptions { Resolution = TimeSpan.FromSeconds(1) };

        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => options.Validate());

        Assert.Contains("MaximumHistory (4032) must be at least the minimum history, two seasons of 86400 steps (172800 steps: a day is 86400 steps of 00:00:01)", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_RefreshIntervalLongerThanATimerCanWait_ThrowsNamingIt()
    {
        // 60 days used to pass and fail only when RunAsync first waited ("… (Parameter 'delay')").
        var options = HourlyOptions();
        options.Windows.Clear();
        options.Windows.Add(TimeSpan.FromHours(1));
        options.RefreshInterval = TimeSpan.FromDays(60);
        options.StaleAfter = TimeSpan.FromDays(61);
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => options.Validate());
        Assert.StartsWith("PredictiveLoadEngineOptions.RefreshInterval (60.00:00:00) must be at most", exception.Message, StringComparison.Ordinal);

        // The longest accepted interval is one the engine's RunAsync can wait: it refreshes, waits that long on the
        // engine's clock, and refreshes again.
        var longest = TimeSpan.FromMilliseconds(uint.MaxValue - 1);
        options.RefreshInterval = longest;
        var (engine, clock, _) = Create(options);
        Feed(engine, clock, 24 * 7);
        using var cancel = new CancellationTokenSource();
        var run = engine.RunAsync(cancel.Token);
        var first = clock.GetUtcNow();
        await clock.WaitForTimerAsync(run); // the first refresh is published and the loop waits its interval
        Assert.Equal(first, engine.GetStatus("eu-west")!.LastRefresh);

        clock.Advance(longest);
        await clock.WaitForTimerAsync(run); // the second refresh is published and the loop waits again
        Assert.Equal(first + longest, engine.GetStatus("eu-west")!.LastRefresh);
        Assert.False(run.IsCompleted);
        await cancel.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Observe_TimestampFarAhead_IsClampedAndLaterRealDataIsKept()
    {
        // One sample a year ahead used to fill 8,760 synthetic hours, push all real history out, and make every
        // later real observation "late" (dropped) while the profile still said Forecast.
        var (engine, clock, _) = Create();
        Feed(engine, clock, 24 * 7);
        engine.Observe("eu-west", clock.GetUtcNow().AddDays(365), DailyDemand(0));
        Feed(engine, clock, 24);
        await engine.RefreshAsync();

        var status = engine.GetStatus("eu-west")!;
        Assert.Equal(1, engine.FutureObservationsClamped);
        Assert.Equal(1, status.FutureObservationsClamped);
        Assert.Equal(0, status.LateDropped);
        Assert.Equal(0, status.GapsFilled);
        Assert.True(engine.TryGetProfile("eu-west", TimeSpan.FromHours(1), out var profile));
        Assert.Equal(ProfileSource.Forecast, profile.Source);
    }

    [Fact]
    public void Observe_TimestampWithinTheSkew_IsKeptAsStamped()
    {
        var (engine, clock, fallback) = Create();
        engine.Observe("eu-west", clock.GetUtcNow().AddMinutes(4), DailyDemand(0));
        Assert.Equal(0, engine.FutureObservationsClamped);
        Assert.Equal(1, fallback.Observations);
    }

    [Fact]
    public void Observe_GapOfAWholeBuffer_RestartsTheSeriesInsteadOfFillingIt()
    {
        // A default(DateTimeOffset) first sample then a real one used to fill ~18 million hourly steps per dimension.
        var (engine, clock, _) = Create();
        engine.Observe("eu-west", default, DailyDemand(0));
        Feed(engine, clock, 3);

        var status = engine.GetStatus("eu-west")!;
        Assert.Equal(0, status.GapsFilled);
        Assert.Equal(1, status.Restarts);
        Assert.Equal(2, status.Steps); // hours 0 and 1 closed, hour 2 open: the year-1 sample is gone
    }

    [Fact]
    public async Task Observe_GapOfAWholeBufferAfterAForecast_DropsTheModelsAndFallsBack()
    {
        var (engine, clock, _) = Create();
        Feed(engine, clock, 24 * 7);
        await engine.RefreshAsync();
        clock.Advance(TimeSpan.FromDays(15)); // more than MaximumHistory (14 days of hours)
        Feed(engine, clock, 2);

        Assert.True(engine.TryGetProfile("eu-west", TimeSpan.FromHours(1), out var profile));
        Assert.Equal(ProfileSource.Fallback, profile.Source);
        Assert.Contains("restarted", profile.Note, StringComparison.Ordinal);
        Assert.Equal(0, engine.GetStatus("eu-west")!.GapsFilled);
        Assert.Equal(["none", "none", "none", "none"], engine.GetStatus("eu-west")!.Models);
    }

    [Fact]
    public async Task RefreshAsync_RegionAtTheLimitOfDouble_DoesNotStopTheOtherRegions()
    {
        // CPU 1e308 used to overflow the window-mean sum to infinity, RefreshAsync threw "samples must be finite"
        // and the healthy region was never refreshed. Now the forecasters refuse values above
        // ForecastLimits.MaximumObservation, so that region falls back with the reason and the other one still forecasts.
        var (engine, clock, _) = Create();
        for (var h = 0; h < 24 * 7; h++)
        {
            engine.Observe("a-max", clock.GetUtcNow(), new ResourceVector(1e308, 8, 0, 1));
            engine.Observe("b-normal", clock.GetUtcNow(), DailyDemand(h % 24));
            clock.Advance(TimeSpan.FromHours(1));
        }

        await engine.RefreshAsync();

        Assert.True(engine.TryGetProfile("b-normal", TimeSpan.FromHours(6), out var healthy));
        Assert.Equal(ProfileSource.Forecast, healthy.Source);
        Assert.True(engine.TryGetProfile("a-max", TimeSpan.FromHours(6), out var extreme));
        Assert.Equal(ProfileSource.Fallback, extreme.Source);
        Assert.False(string.IsNullOrEmpty(extreme.Note));
    }

    [Fact]
    public async Task Observe_StepAboveTheModelsLimitAfterAForecast_LaterObservationsAreKeptAndTheRegionFallsBack()
    {
        // Observe accepts any finite non-negative demand, but the models reject values above
        // ForecastLimits.MaximumObservation. When such a step closed after a fit, the model's Update threw out of
        // Observe half-way (the step appended, the open step not reset), so every later, valid observation threw too
        // and the fallback stopped receiving them.
        var (engine, clock, fallback) = Create();
        Feed(engine, clock, 24 * 7);
        await engine.RefreshAsync();
        engine.Observe("eu-west", clock.GetUtcNow(), new ResourceVector(1e200, 8, 0, 1));
        clock.Advance(TimeSpan.FromHours(1));
        var before = fallback.Observations;

        Feed(engine, clock, 3);

        Assert.Equal(before + 3, fallback.Observations);
        Assert.Equal(24 * 7 + 3, engine.GetStatus("eu-west")!.Steps); // each step closed once
        Assert.True(engine.TryGetProfile("eu-west", TimeSpan.FromHours(1), out var profile));
        Assert.Equal(ProfileSource.Fallback, profile.Source);
        await engine.RefreshAsync();
        Assert.True(engine.TryGetProfile("eu-west", TimeSpan.FromHours(1), out profile));
        Assert.Equal(ProfileSource.Fallback, profile.Source);
        Assert.Contains("fit failed", profile.Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefreshAsync_OneRegionThrowsAnUnexpectedException_FallsBackWithTheReasonAndOthersRefresh()
    {
        var (engine, clock, _) = Create(forecaster: new FailingForecaster());
        for (var h = 0; h < 24 * 7; h++)
        {
            engine.Observe("a-broken", clock.GetUtcNow(), new ResourceVector(h == 0 ? FailingForecaster.Marker : 1, 1, 1, 1));
            engine.Observe("b-normal", clock.GetUtcNow(), DailyDemand(h % 24));
            clock.Advance(TimeSpan.FromHours(1));
        }

        await engine.RefreshAsync();

        Assert.True(engine.TryGetProfile("b-normal", TimeSpan.FromHours(1), out var healthy));
        Assert.Equal(ProfileSource.Forecast, healthy.Source);
        Assert.True(engine.TryGetProfile("a-broken", TimeSpan.FromHours(1), out var broken));
        Assert.Equal(ProfileSource.Fallback, broken.Source);
        Assert.Contains("simulation broke", broken.Note, StringComparison.Ordinal);
        Assert.Contains("simulation broke", engine.GetStatus("a-broken")!.FallbackReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ARegionFails_KeepsRunningAndStopsCleanlyWhenCancelled()
    {
        var (engine, clock, _) = Create(forecaster: new FailingForecaster());
        for (var h = 0; h < 24 * 7; h++)
        {
            engine.Observe("a-broken", clock.GetUtcNow(), new ResourceVector(h == 0 ? FailingForecaster.Marker : 1, 1, 1, 1));
            clock.Advance(TimeSpan.FromHours(1));
        }

        using var cancel = new CancellationTokenSource();
        var run = engine.RunAsync(cancel.Token);
        await clock.WaitForTimerAsync(run); // the first refresh is over and the loop waits for the next
        Assert.Contains("simulation broke", engine.GetStatus("a-broken")!.FallbackReason, StringComparison.Ordinal);
        Assert.False(run.IsCompleted);
        await cancel.CancelAsync();
        await run; // completes without faulting
    }

    [Fact]
    public async Task RunAsync_AFitThatTakesLong_RunsOffTheCallersThread()
    {
        // The hosted service's ExecuteAsync returns RunAsync's task: a fit on the calling thread would hold up whatever
        // started the loop (host start-up on older hosts, or a caller's own scheduler) for the whole fit.
        // A fit made inline (on this thread) does not wait, so such an engine fails the first check instead of hanging;
        // a fit on the thread pool waits for Release (a hang guard of minutes aside), so no timeout decides that check.
        var caller = Environment.CurrentManagedThreadId;
        using var forecaster = new BlockingForecaster(caller);
        var (engine, clock, _) = Create(forecaster: forecaster);
        Feed(engine, clock, 24 * 7);
        using var cancel = new CancellationTokenSource();

        var run = engine.RunAsync(cancel.Token);
        var completedWhenReturned = forecaster.Completed;

        Assert.Equal(0, completedWhenReturned);
        Assert.True(forecaster.Started.Wait(TimeSpan.FromMinutes(2)), "the refresh did not start a fit"); // a hang guard
        Assert.NotEqual(caller, forecaster.FitThreadId);
        forecaster.Release();
        await clock.WaitForTimerAsync(run); // the refresh is over and the loop waits for the next
        Assert.NotNull(engine.GetStatus("eu-west")!.LastRefresh);
        await cancel.CancelAsync();
        await run;
    }

    [Fact]
    public void WindowSummary_ValuesNearDoubleMax_DoNotOverflowTheMean()
    {
        double[] paths = [1e308, 1e308, 1e308, 1e308];
        var (mean, peak) = WindowDistribution.Summarize(paths, horizon: 2, leadSteps: 0, windowSteps: 2, new double[2], new double[2]);
        Assert.Equal(1e308, mean.P50);
        Assert.Equal(1e308, peak.P99);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void WindowSummary_NonFinitePath_FailsRatherThanCountingAsZeroLoad(double value)
    {
        double[] paths = [1, value, 1, 1];
        Assert.Throws<ArithmeticException>(
            () => WindowDistribution.Summarize(paths, horizon: 2, leadSteps: 0, windowSteps: 2, new double[2], new double[2]));
    }

    [Fact]
    public async Task TryGetProfile_NoObservationsForLongerThanStaleAfter_FallsBackEvenThoughRefreshesRun()
    {
        // Refreshes used to re-stamp the old forecast as fresh: after days without data it was still served as a
        // Forecast, for a window that had started days ago.
        var (engine, clock, _) = Create();
        Feed(engine, clock, 24 * 7);
        for (var h = 0; h < 24; h++) // a day of refreshes without data (StaleAfter is 3 h)
        {
            await engine.RefreshAsync();
            clock.Advance(TimeSpan.FromHours(1));
        }

        await engine.RefreshAsync();
        Assert.True(engine.TryGetProfile("eu-west", TimeSpan.FromHours(1), out var profile));
        Assert.Equal(ProfileSource.Fallback, profile.Source);
        Assert.Contains("data is stale", profile.Note, StringComparison.Ordinal);
        Assert.Contains("data is stale", engine.GetStatus("eu-west")!.FallbackReason, StringComparison.Ordinal);

        // Fresh data makes it a forecast again (the silent day is filled: it is shorter than MaximumHistory).
        Feed(engine, clock, 1);
        await engine.RefreshAsync();
        Assert.True(engine.TryGetProfile("eu-west", TimeSpan.FromHours(1), out profile));
        Assert.Equal(ProfileSource.Forecast, profile.Source);
    }

    [Fact]
    public async Task TryGetProfile_DataResumesSoonAfterARefreshFoundItStale_ServesTheLastForecastAtOnce()
    {
        // A refresh that found the data stale withdrew the profiles and set "data is stale" as the region's reason, so
        // lookups kept saying so after the data resumed, until the next refresh.
        var (engine, clock, _) = Create();
        Feed(engine, clock, 24 * 7); // the latest observation is at day 7 - 1 h
        for (var h = 0; h < 3; h++) // refreshes at + 0, 1 and 2 h publish (the data is at most 3 h old)
        {
            await engine.RefreshAsync();
            clock.Advance(TimeSpan.FromHours(1));
        }

        await engine.RefreshAsync(); // at + 3 h the data is 4 h old: nothing is simulated
        Assert.True(engine.TryGetProfile("eu-west", TimeSpan.FromHours(1), out var profile));
        Assert.Contains("data is stale", profile.Note, StringComparison.Ordinal);

        engine.Observe("eu-west", clock.GetUtcNow(), DailyDemand(3)); // the data resumes; no refresh yet

        Assert.True(engine.TryGetProfile("eu-west", TimeSpan.FromHours(1), out profile));
        Assert.Equal(ProfileSource.Forecast, profile.Source); // published at + 2 h: 1 h old
        var status = engine.GetStatus("eu-west")!;
        Assert.Null(status.FallbackReason);
        Assert.Equal(Start + TimeSpan.FromDays(7) + TimeSpan.FromHours(2), status.LastRefresh);
    }

    [Fact]
    public async Task TryGetProfile_DataResumesLongAfterItStopped_SaysTheForecastIsStaleNotTheData()
    {
        var (engine, clock, _) = Create();
        Feed(engine, clock, 24 * 7);
        for (var h = 0; h < 24; h++) // a day of refreshes without data (StaleAfter is 3 h)
        {
            await engine.RefreshAsync();
            clock.Advance(TimeSpan.FromHours(1));
        }

        engine.Observe("eu-west", clock.GetUtcNow(), DailyDemand(0)); // the data resumes; no refresh yet

        Assert.True(engine.TryGetProfile("eu-west", TimeSpan.FromHours(1), out var profile));
        Assert.Equal(ProfileSource.Fallback, profile.Source);
        Assert.DoesNotContain("data is stale", profile.Note, StringComparison.Ordinal);
        Assert.Contains("forecast is stale", profile.Note, StringComparison.Ordinal);
        Assert.Equal("forecast is stale", engine.GetStatus("eu-west")!.FallbackReason);

        await engine.RefreshAsync();
        Assert.True(engine.TryGetProfile("eu-west", TimeSpan.FromHours(1), out profile));
        Assert.Equal(ProfileSource.Forecast, profile.Source);
    }

    [Fact]
    public async Task TryGetProfile_StaleDataWithoutARefresh_FallsBack()
    {
        var (engine, clock, _) = Create();
        Feed(engine, clock, 24 * 7);
        await engine.RefreshAsync();
        clock.Advance(TimeSpan.FromHours(3)); // the profile is 3 h old (not stale), the latest observation 4 h old

        Assert.True(engine.TryGetProfile("eu-west", TimeSpan.FromHours(1), out var profile));
        Assert.Equal(ProfileSource.Fallback, profile.Source);
        Assert.Contains("data is stale", profile.Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefreshAsync_DataEndingBeforeNow_ForecastsTheWindowStartingNow()
    {
        // CPU is the hour of the day. The data ends at hour 23 of day 7; two hours later the window starts at hour 2
        // (the simulation used to start at the data's end, hour 23).
        var (engine, clock, _) = Create();
        for (var h = 0; h < 24 * 7; h++)
        {
            engine.Observe("eu-west", clock.GetUtcNow(), new ResourceVector(h % 24, 1, 1, 1));
            clock.Advance(TimeSpan.FromHours(1));
        }

        clock.Advance(TimeSpan.FromHours(2));
        await engine.RefreshAsync();

        Assert.True(engine.TryGetProfile("eu-west", TimeSpan.FromHours(1), out var profile));
        Assert.Equal(ProfileSource.Forecast, profile.Source);
        Assert.Equal(2, profile.Mean(Dimension.Cpu).P50, 9);
    }

    [Fact]
    public void Options_DerivedValuesThatOverflowOrAllocateTooMuch_ThrowNamingTheSetting()
    {
        // Each of these used to pass Validate() and fail (or allocate gigabytes) later.
        var options = new PredictiveLoadEngineOptions { Resolution = TimeSpan.FromTicks(1) };
        var exception = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.StartsWith("PredictiveLoadEngineOptions.Resolution (00:00:00.0000001) derives a daily seasonal period", exception.Message, StringComparison.Ordinal);

        options = new PredictiveLoadEngineOptions { SeasonalPeriod = int.MaxValue, MaximumHistory = int.MaxValue };
        exception = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.StartsWith("PredictiveLoadEngineOptions.SeasonalPeriod", exception.Message, StringComparison.Ordinal);

        options = new PredictiveLoadEngineOptions { MaximumHistory = int.MaxValue };
        exception = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.StartsWith("PredictiveLoadEngineOptions.MaximumHistory (2147483647) must be at most", exception.Message, StringComparison.Ordinal);

        options = new PredictiveLoadEngineOptions { Resolution = TimeSpan.FromSeconds(1), PathCount = 100_000, MaximumHistory = 200_000 };
        options.Windows.Clear();
        options.Windows.Add(TimeSpan.FromDays(1));
        exception = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.StartsWith("PredictiveLoadEngineOptions.PathCount (100000)", exception.Message, StringComparison.Ordinal);

        options = new PredictiveLoadEngineOptions();
        options.Windows.Add(TimeSpan.FromDays(365));
        exception = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.StartsWith("PredictiveLoadEngineOptions.PathCount (500)", exception.Message, StringComparison.Ordinal);

        options = new PredictiveLoadEngineOptions { MaxClockSkew = TimeSpan.FromHours(1) };
        exception = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.StartsWith("PredictiveLoadEngineOptions.MaxClockSkew", exception.Message, StringComparison.Ordinal);

        new PredictiveLoadEngineOptions().Validate(); // the defaults are valid
    }

    [Fact]
    public async Task Options_ChangedAfterTheEngineWasBuilt_DoNotAffectIt()
    {
        // The engine used to read Resolution, PathCount and StaleAfter live, after validation.
        var options = HourlyOptions();
        var (engine, clock, _) = Create(options);
        options.StaleAfter = TimeSpan.Zero;
        options.PathCount = 1;
        options.Resolution = TimeSpan.FromTicks(1);
        Feed(engine, clock, 24 * 7);
        await engine.RefreshAsync();

        Assert.True(engine.TryGetProfile("eu-west", TimeSpan.FromHours(1), out var profile));
        Assert.Equal(ProfileSource.Forecast, profile.Source);
        Assert.Equal(24 * 7 - 1, engine.GetStatus("eu-west")!.Steps);
    }

    [Fact]
    public async Task RemoveRegion_ForgetsTheRegionAndItStartsAfreshIfObservedAgain()
    {
        var (engine, clock, _) = Create();
        Feed(engine, clock, 24 * 7);
        await engine.RefreshAsync();

        Assert.True(engine.RemoveRegion("eu-west"));
        Assert.False(engine.RemoveRegion("eu-west"));
        Assert.DoesNotContain("eu-west", engine.Regions);
        Assert.Null(engine.GetStatus("eu-west"));
        Assert.True(engine.TryGetProfile("eu-west", TimeSpan.FromHours(1), out var profile)); // the fallback still knows it
        Assert.Equal(ProfileSource.Fallback, profile.Source);
        Assert.Contains("no observations for the region", profile.Note, StringComparison.Ordinal);

        Feed(engine, clock, 2);
        Assert.Equal(1, engine.GetStatus("eu-west")!.Steps);
    }

    // With the DI package's default fallback, the decaying histogram, the region leaves the fallback too: a request
    // naming a decommissioned region finds no profile instead of one sized from the demand it had when it ran.
    [Fact]
    public async Task RemoveRegion_HistogramFallback_TheFallbackForgetsTheRegionToo()
    {
        var options = HourlyOptions();
        options.Windows.Clear();
        options.Windows.Add(TimeSpan.FromHours(1));
        var clock = new WaitSignallingClock(Start);
        var fallback = new DecayingHistogramPredictor(timeProvider: clock);
        var engine = new PredictiveLoadEngine(new SeasonalNaiveForecaster(), fallback, options, clock);
        Feed(engine, clock, 24 * 7);
        Feed(engine, clock, 24 * 7, region: "us-east");
        await engine.RefreshAsync();

        Assert.True(engine.RemoveRegion("eu-west"));

        Assert.False(engine.TryGetProfile("eu-west", TimeSpan.FromHours(1), out _));
        Assert.False(fallback.TryGetProfile("eu-west", TimeSpan.FromHours(1), out _));
        Assert.True(fallback.TryGetProfile("us-east", TimeSpan.FromHours(1), out _)); // only that region
        Assert.False(engine.RemoveRegion("eu-west"));
    }

    [Fact]
    public async Task RefreshAsync_SeriesRestartsWhileAFitRuns_DoesNotInstallTheStaleModels()
    {
        var forecaster = new HookedForecaster();
        var (engine, clock, _) = Create(forecaster: forecaster);
        Feed(engine, clock, 24 * 7);
        forecaster.DuringFit = () =>
        {
            forecaster.DuringFit = null;
            clock.Advance(TimeSpan.FromDays(15)); // longer than MaximumHistory: the next observation restarts the series
            engine.Observe("eu-west", clock.GetUtcNow(), DailyDemand(0));
        };

        await engine.RefreshAsync();

        Assert.Equal(["none", "none", "none", "none"], engine.GetStatus("eu-west")!.Models);
        Assert.True(engine.TryGetProfile("eu-west", TimeSpan.FromHours(1), out var profile));
        Assert.Equal(ProfileSource.Fallback, profile.Source);
    }

    private sealed class HookedForecaster : IForecaster
    {
        private readonly SeasonalNaiveForecaster _inner = new();

        public Action? DuringFit { get; set; }

        public string Name => _inner.Name;

        public IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default)
        {
            DuringFit?.Invoke();
            return _inner.Fit(history, seasonalPeriod, cancellationToken);
        }
    }

    [Fact]
    public async Task RefreshAsync_AnUpdateFailsWhileCatchingUpAfterTheFit_KeepsTheOldModelsForEveryDimension()
    {
        // Steps that close while a refit runs are fed to the new models before they are installed. That ran one
        // dimension at a time, installing each model after its updates: when the memory model's update threw, the
        // CPU dimension already had its new model and the others kept the old ones (GetStatus listed
        // "SeasonalNaive#2, SeasonalNaive#1, ..."), under a fit time and model note that described the old fit only.
        var forecaster = new GenerationForecaster();
        var (engine, clock, _) = Create(forecaster: forecaster);
        Feed(engine, clock, 24 * 7);
        await engine.RefreshAsync();
        Assert.Equal(Enumerable.Repeat("SeasonalNaive#1", 4), engine.GetStatus("eu-west")!.Models);

        Feed(engine, clock, 6); // RefitInterval: the next refresh refits
        forecaster.RefuseFromGeneration = 2;
        forecaster.DuringFit = () =>
        {
            forecaster.DuringFit = null;
            engine.Observe("eu-west", clock.GetUtcNow(), new ResourceVector(20, GenerationForecaster.Refused, 0, 1));
            clock.Advance(TimeSpan.FromHours(1));
            engine.Observe("eu-west", clock.GetUtcNow(), DailyDemand(0)); // closes the refused step while the fit runs
        };

        await engine.RefreshAsync();

        var status = engine.GetStatus("eu-west")!;
        Assert.Equal(Enumerable.Repeat("SeasonalNaive#1", 4), status.Models); // the old models, all caught up online
        Assert.Contains("Memory update failed", status.FallbackReason, StringComparison.Ordinal);
        Assert.True(engine.TryGetProfile("eu-west", TimeSpan.FromHours(1), out var profile));
        Assert.Equal(ProfileSource.Fallback, profile.Source);
        Assert.Contains("Memory update failed", profile.Note, StringComparison.Ordinal);

        // The next refresh refits (the failed one did not count as a fit) on a history that holds the step.
        forecaster.RefuseFromGeneration = int.MaxValue;
        await engine.RefreshAsync();

        Assert.Equal(Enumerable.Repeat("SeasonalNaive#3", 4), engine.GetStatus("eu-west")!.Models);
        Assert.True(engine.TryGetProfile("eu-west", TimeSpan.FromHours(1), out profile));
        Assert.Equal(ProfileSource.Forecast, profile.Source);
        Assert.Contains("Memory: SeasonalNaive#3", profile.Note, StringComparison.Ordinal);
    }

    /// <summary>
    /// Seasonal naive whose models are named by the fit that made them (one generation per refit of the four
    /// dimensions), and whose models from <see cref="RefuseFromGeneration"/> on throw from Update on <see cref="Refused"/>.
    /// </summary>
    private sealed class GenerationForecaster : IForecaster
    {
        public const double Refused = 777;

        private readonly SeasonalNaiveForecaster _inner = new();
        private int _fits;

        public Action? DuringFit { get; set; }

        public int RefuseFromGeneration { get; set; } = int.MaxValue;

        public string Name => _inner.Name;

        public IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default)
        {
            DuringFit?.Invoke();
            var generation = 1 + (_fits++ / ResourceVector.DimensionCount);
            return new Model(_inner.Fit(history, seasonalPeriod, cancellationToken), generation, generation >= RefuseFromGeneration);
        }

        private sealed class Model(IForecastModel inner, int generation, bool refuses) : IForecastModel
        {
            public string Name => $"{inner.Name}#{generation}";

            public int SeasonalPeriod => inner.SeasonalPeriod;

            public FitSummary Summary => inner.Summary;

            public void ForecastMean(Span<double> destination) => inner.ForecastMean(destination);

            public Forecast Forecast(int horizon, ReadOnlySpan<double> levels) => inner.Forecast(horizon, levels);

            public void SimulatePaths(Span<double> paths, int horizon, Random random) => inner.SimulatePaths(paths, horizon, random);

            public void Update(double observation)
            {
                if (refuses && observation == Refused)
                {
                    throw new InvalidOperationException("the scripted model refuses this observation");
                }

                inner.Update(observation);
            }
        }
    }

    [Fact]
    public void WindowSummary_TakesThePeakAlongEachPath()
    {
        // Two paths of four steps: the per-step quantiles would mix them; the peak is a per-path maximum.
        double[] paths = [1, 5, 1, 1, 5, 1, 1, 1];
        var (mean, peak) = WindowDistribution.Summarize(paths, horizon: 4, leadSteps: 0, windowSteps: 4, new double[2], new double[2]);
        Assert.Equal(5, peak.QuantileAt(0));
        Assert.Equal(5, peak.P99);
        Assert.Equal(2, mean.Mean, 12);
    }

    [Fact]
    public async Task RefreshAsync_ModelsDroppedByAnObservationDuringTheRefresh_DoesNotPublishTheirProfiles()
    {
        // The refresh published its profiles after leaving the region's gate, without looking whether the models it
        // simulated were still the region's: an observation that dropped them in between (a restart, or a step the
        // models refuse) was overwritten, and lookups served a Forecast from models that were gone while GetStatus
        // listed none. Here the observation is made from the last simulation, on the refreshing thread (the gate is
        // reentrant): it stands for another thread's observation landing between the simulation and the publication.
        var forecaster = new SimulationHookForecaster();
        var (engine, clock, _) = Create(forecaster: forecaster);
        Feed(engine, clock, 24 * 7);
        await engine.RefreshAsync();
        Assert.True(engine.TryGetProfile("eu-west", TimeSpan.FromHours(1), out var profile));
        Assert.Equal(ProfileSource.Forecast, profile.Source);

        // A step the models refuse (above ForecastLimits.MaximumObservation); it closes when the next step starts.
        engine.Observe("eu-west", clock.GetUtcNow(), new ResourceVector(1e200, 8, 0, 1));
        clock.Advance(TimeSpan.FromHours(1));
        var simulations = forecaster.Simulations;
        forecaster.AfterSimulation = n =>
        {
            if (n == simulations + ResourceVector.DimensionCount)
            {
                engine.Observe("eu-west", clock.GetUtcNow(), DailyDemand(0));
            }
        };

        await engine.RefreshAsync();

        var status = engine.GetStatus("eu-west")!;
        Assert.Equal(["none", "none", "none", "none"], status.Models);
        Assert.Contains("update failed", status.FallbackReason, StringComparison.Ordinal);
        Assert.True(engine.TryGetProfile("eu-west", TimeSpan.FromHours(1), out profile));
        Assert.Equal(ProfileSource.Fallback, profile.Source);
        Assert.Contains("update failed", profile.Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStatus_LookupsFallBackForStaleDataOrAStaleForecast_SaysWhy()
    {
        // GetStatus reported a fallback reason only when no profiles were published, so while lookups fell back
        // because the data or the forecast was stale it said null ("lookups do not fall back").
        var (engine, clock, _) = Create();
        Feed(engine, clock, 24 * 7);
        await engine.RefreshAsync();
        clock.Advance(TimeSpan.FromHours(3)); // the latest observation is 4 h old, the profiles 3 h (StaleAfter is 3 h)

        Assert.True(engine.TryGetProfile("eu-west", TimeSpan.FromHours(1), out var profile));
        Assert.Equal(ProfileSource.Fallback, profile.Source);
        Assert.Contains("data is stale", profile.Note, StringComparison.Ordinal);
        var status = engine.GetStatus("eu-west")!;
        Assert.Contains("data is stale", status.FallbackReason, StringComparison.Ordinal);
        Assert.Equal(Start + TimeSpan.FromDays(7), status.LastRefresh);

        Feed(engine, clock, 1); // fresh data, but no refresh for 4 h
        Assert.True(engine.TryGetProfile("eu-west", TimeSpan.FromHours(1), out profile));
        Assert.Equal(ProfileSource.Fallback, profile.Source);
        Assert.Contains("forecast is stale", profile.Note, StringComparison.Ordinal);
        Assert.Contains("forecast is stale", engine.GetStatus("eu-west")!.FallbackReason, StringComparison.Ordinal);

        await engine.RefreshAsync();
        Assert.True(engine.TryGetProfile("eu-west", TimeSpan.FromHours(1), out profile));
        Assert.Equal(ProfileSource.Forecast, profile.Source);
        Assert.Null(engine.GetStatus("eu-west")!.FallbackReason);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void Observe_BlankRegion_ThrowsNamingRegionAndRecordsNothing(string region)
    {
        // The engine took any non-null name, recorded the observation (a region with four history buffers, refreshed
        // from then on) and only then passed it to its fallback, which refused it: with the DI package's default
        // fallback, DecayingHistogramPredictor, Observe threw after the engine had kept a region no lookup could use.
        var options = HourlyOptions();
        options.Windows.Clear();
        options.Windows.Add(TimeSpan.FromHours(1));
        var clock = new FakeTimeProvider(Start);
        var engine = new PredictiveLoadEngine(
            new SeasonalNaiveForecaster(), new DecayingHistogramPredictor(timeProvider: clock), options, clock);

        var exception = Assert.Throws<ArgumentException>(() => engine.Observe(region, clock.GetUtcNow(), DailyDemand(0)));
        Assert.Equal("region", exception.ParamName);
        Assert.Empty(engine.Regions);
        Assert.Null(engine.GetStatus(region));
    }

    [Fact]
    public void Observe_GapBoundary_MaximumHistoryStepsAfterTheLatestFillsAndOneMoreRestarts()
    {
        // The class remarks say a gap of at least MaximumHistory missing steps restarts; Observe's remarks said a
        // timestamp at least MaximumHistory steps after the latest, one step earlier than the code restarts.
        var options = HourlyOptions();
        options.MaximumHistory = 48;
        var (engine, clock, _) = Create(options);
        clock.Advance(TimeSpan.FromHours(49)); // no timestamp below is ahead of the clock
        engine.Observe("filled", Start, DailyDemand(0));
        engine.Observe("filled", Start.AddHours(48), DailyDemand(0));
        engine.Observe("restarted", Start, DailyDemand(0));
        engine.Observe("restarted", Start.AddHours(49), DailyDemand(0));

        var filled = engine.GetStatus("filled")!;
        Assert.Equal(0, filled.Restarts);
        Assert.Equal(4 * 47, filled.GapsFilled);
        Assert.Equal(48, filled.Steps);
        var restarted = engine.GetStatus("restarted")!;
        Assert.Equal(1, restarted.Restarts);
        Assert.Equal(0, restarted.GapsFilled);
        Assert.Equal(0, restarted.Steps);
    }
}
