using Microsoft.Extensions.Time.Testing;
using Shaping.Core.Prediction;
using Shaping.Core.Resources;
using Shaping.Forecasting.Engine;

namespace Shaping.Forecasting.Tests.Engine;

/// <summary>The engine's online calibration of its published peak quantiles (<see cref="PredictiveLoadEngineOptions.CalibratePeaks"/>).</summary>
public sealed partial class PredictiveLoadEngineTests
{
    private const int CalibrationHours = 24 * 12;
    private const int ScoredHours = 24 * 5;

    [Fact]
    public async Task CalibratePeaks_ModelsUnderstateTheSpread_PublishedPeakQuantilesWidenAndCoverNearTheirLevel()
    {
        // The models' paths have a quarter of the spread seasonal naive would give this noise.
        var raw = await RunNoisy(new SpreadScalingForecaster(0.25), calibrate: false);
        var calibrated = await RunNoisy(new SpreadScalingForecaster(0.25), calibrate: true);

        Assert.True(raw.Coverage95 < 0.8, $"raw P95 coverage {raw.Coverage95}");
        Assert.True(calibrated.Coverage95 >= 0.88, $"calibrated P95 coverage {calibrated.Coverage95}");
        Assert.True(calibrated.Spread > 2.5 * raw.Spread, $"spread {calibrated.Spread} vs {raw.Spread}");
        Assert.Equal(raw.Median, calibrated.Median, 9); // the calibration moves the upper quantiles, not the median
    }

    [Fact]
    public async Task CalibratePeaks_ModelsStateTheSpreadRight_PublishedPeakQuantilesStayClose()
    {
        var raw = await RunNoisy(new SpreadScalingForecaster(1), calibrate: false);
        var calibrated = await RunNoisy(new SpreadScalingForecaster(1), calibrate: true);

        var ratio = calibrated.Spread / raw.Spread;
        Assert.InRange(ratio, 0.75, 1.35);
        Assert.True(calibrated.Coverage95 >= 0.88, $"calibrated P95 coverage {calibrated.Coverage95}");
    }

    [Fact]
    public async Task CalibratePeaks_ModelsOverstateTheSpread_PublishedPeakQuantilesNarrow()
    {
        var raw = await RunNoisy(new SpreadScalingForecaster(3), calibrate: false);
        var calibrated = await RunNoisy(new SpreadScalingForecaster(3), calibrate: true);

        Assert.True(raw.Coverage95 > 0.99, $"raw P95 coverage {raw.Coverage95}");
        Assert.True(calibrated.Spread < 0.6 * raw.Spread, $"spread {calibrated.Spread} vs {raw.Spread}");
        Assert.True(calibrated.Coverage95 >= 0.88, $"calibrated P95 coverage {calibrated.Coverage95}");
    }

    [Fact]
    public async Task CalibratePeaks_SeriesRestartsAfterALongGap_StartsAgainFromTheModelsQuantiles()
    {
        var (raw, rawClock) = CreateNoisy(new SpreadScalingForecaster(0.25), calibrate: false);
        var (calibrated, calibratedClock) = CreateNoisy(new SpreadScalingForecaster(0.25), calibrate: true);
        await FeedNoisy(raw, rawClock, 24 * 6, new Random(3));
        await FeedNoisy(calibrated, calibratedClock, 24 * 6, new Random(3));
        Assert.NotEqual(Peak(raw), Peak(calibrated)); // adjusted before the gap

        rawClock.Advance(TimeSpan.FromDays(15)); // longer than MaximumHistory (14 days): the series restarts
        calibratedClock.Advance(TimeSpan.FromDays(15));
        await FeedNoisy(raw, rawClock, 24 * 2 + 1, new Random(4));
        await FeedNoisy(calibrated, calibratedClock, 24 * 2 + 1, new Random(4));

        Assert.Equal(1, calibrated.GetStatus("eu-west")!.Restarts);
        Assert.Equal(Peak(raw), Peak(calibrated));
    }

    [Fact]
    public async Task CalibratePeaks_RegionRemovedAndObservedAgain_StartsAgainFromTheModelsQuantiles()
    {
        var (raw, rawClock) = CreateNoisy(new SpreadScalingForecaster(0.25), calibrate: false);
        var (calibrated, calibratedClock) = CreateNoisy(new SpreadScalingForecaster(0.25), calibrate: true);
        await FeedNoisy(calibrated, calibratedClock, 24 * 6, new Random(3));
        rawClock.Advance(TimeSpan.FromDays(6));

        Assert.True(calibrated.RemoveRegion("eu-west"));
        await FeedNoisy(raw, rawClock, 24 * 2 + 1, new Random(4));
        await FeedNoisy(calibrated, calibratedClock, 24 * 2 + 1, new Random(4));

        Assert.Equal(Peak(raw), Peak(calibrated));
    }

    [Fact]
    public async Task CalibratePeaks_Default_IsOnAndCalibratesAnEngineBuiltWithTheDefaults()
    {
        // HourlyOptions sets no calibration setting: the engine calibrates as an engine with CalibratePeaks = true does.
        Assert.True(new PredictiveLoadEngineOptions().CalibratePeaks);
        var (byDefault, defaultClock, _) = Create(HourlyOptions(), new SpreadScalingForecaster(0.25));
        var (on, onClock) = CreateNoisy(new SpreadScalingForecaster(0.25), calibrate: true);
        var (off, offClock) = CreateNoisy(new SpreadScalingForecaster(0.25), calibrate: false);
        await FeedNoisy(byDefault, defaultClock, 24 * 6, new Random(3));
        await FeedNoisy(on, onClock, 24 * 6, new Random(3));
        await FeedNoisy(off, offClock, 24 * 6, new Random(3));

        Assert.Equal(Peak(on), Peak(byDefault));
        Assert.NotEqual(Peak(off), Peak(byDefault));
    }

    [Theory]
    [InlineData(nameof(PredictiveLoadEngineOptions.PeakCalibrationScores), 19, 0.005)]
    [InlineData(nameof(PredictiveLoadEngineOptions.PeakCalibrationScores), 10_001, 0.005)]
    [InlineData(nameof(PredictiveLoadEngineOptions.PeakCalibrationLearningRate), 500, -0.001)]
    [InlineData(nameof(PredictiveLoadEngineOptions.PeakCalibrationLearningRate), 500, 0.6)]
    [InlineData(nameof(PredictiveLoadEngineOptions.PeakCalibrationLearningRate), 500, double.NaN)]
    public void Options_PeakCalibrationOutOfRange_ThrowNamingTheSetting(string setting, int scores, double learningRate)
    {
        var options = new PredictiveLoadEngineOptions { PeakCalibrationScores = scores, PeakCalibrationLearningRate = learningRate };

        var exception = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.StartsWith($"PredictiveLoadEngineOptions.{setting} (", exception.Message, StringComparison.Ordinal);
        Assert.Equal(setting, exception.ParamName);
    }

    [Fact]
    public void Options_PeakCalibrationSettings_AreCopiedWithTheRest()
    {
        var options = new PredictiveLoadEngineOptions { CalibratePeaks = true, PeakCalibrationScores = 300, PeakCalibrationLearningRate = 0.01 };

        var copy = options.Clone();

        Assert.True(copy.CalibratePeaks);
        Assert.Equal(300, copy.PeakCalibrationScores);
        Assert.Equal(0.01, copy.PeakCalibrationLearningRate);
    }

    private static (PredictiveLoadEngine Engine, FakeTimeProvider Clock) CreateNoisy(IForecaster forecaster, bool calibrate)
    {
        var options = HourlyOptions();
        options.CalibratePeaks = calibrate;
        var (engine, clock, _) = Create(options, forecaster);
        return (engine, clock);
    }

    /// <summary>
    /// Twelve days of the daily CPU cycle plus Gaussian noise (standard deviation 2 cores), refreshed every hour from
    /// the third day. Returns, over the last five days, the share of hours whose CPU was at most the 1-hour window's
    /// stated P95 peak (the 1-hour window is the next hour's step), and the mean stated median and P95 − median.
    /// </summary>
    private static async Task<(double Coverage95, double Spread, double Median)> RunNoisy(IForecaster forecaster, bool calibrate)
    {
        var (engine, clock) = CreateNoisy(forecaster, calibrate);
        var random = new Random(11);
        QuantileDistribution? stated = null;
        int scored = 0, covered = 0;
        double spread = 0, median = 0;
        for (var h = 0; h < CalibrationHours; h++)
        {
            var demand = NoisyDemand(h, random);
            if (stated is { } peak && h >= CalibrationHours - ScoredHours)
            {
                scored++;
                covered += demand.CpuCores <= peak.P95 ? 1 : 0;
                spread += peak.P95 - peak.P50;
                median += peak.P50;
            }

            engine.Observe("eu-west", clock.GetUtcNow(), demand);
            clock.Advance(TimeSpan.FromHours(1));
            stated = null;
            if (h >= 48)
            {
                await engine.RefreshAsync();
                stated = Peak(engine);
            }
        }

        return ((double)covered / scored, spread / scored, median / scored);
    }

    private static async Task FeedNoisy(PredictiveLoadEngine engine, FakeTimeProvider clock, int hours, Random random)
    {
        for (var h = 0; h < hours; h++)
        {
            engine.Observe("eu-west", clock.GetUtcNow(), NoisyDemand(h, random));
            clock.Advance(TimeSpan.FromHours(1));
            await engine.RefreshAsync();
        }
    }

    private static QuantileDistribution Peak(PredictiveLoadEngine engine)
    {
        Assert.True(engine.TryGetProfile("eu-west", TimeSpan.FromHours(1), out var profile));
        Assert.Equal(ProfileSource.Forecast, profile.Source);
        return profile.Peak(Dimension.Cpu);
    }

    private static ResourceVector NoisyDemand(int hour, Random random)
    {
        // Box-Muller: a standard normal from two uniforms.
        var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var daily = DailyDemand(hour % 24);
        return daily with { CpuCores = daily.CpuCores + (2 * normal) };
    }
}
