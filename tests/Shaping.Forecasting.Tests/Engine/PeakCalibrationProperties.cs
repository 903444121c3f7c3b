using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Shaping.Core.Prediction;
using Shaping.Core.Resources;
using Shaping.Forecasting.Engine;

namespace Shaping.Forecasting.Tests.Engine;

/// <summary>
/// Whatever outcomes a region's peak calibration has scored, what it publishes is a valid distribution that keeps the
/// models' median, lower quantiles and mean; a longer window's floor holds.
/// </summary>
[Properties(Arbitrary = [typeof(PeakCalibrationArbitraries)], MaxTest = 200)]
public sealed class PeakCalibrationProperties
{
    [Property]
    public bool Apply_KeepsTheMedianLowerLevelsAndMean_AndStaysOrdered(QuantileDistribution[] stated, double[] outcomes, QuantileDistribution target)
    {
        var calibration = Scored(stated, outcomes);

        var applied = calibration.Apply(0, (int)Dimension.Cpu, target);

        for (var i = 0; i <= 2; i++)
        {
            if (applied.QuantileAt(i) != target.QuantileAt(i))
            {
                return false;
            }
        }

        for (var i = 3; i < QuantileDistribution.LevelCount; i++)
        {
            var value = applied.QuantileAt(i);
            if (!double.IsFinite(value) || value < applied.QuantileAt(i - 1) || value < target.P50)
            {
                return false;
            }
        }

        return applied.Mean == target.Mean;
    }

    [Property]
    public bool Apply_FewerThanTwentyScores_ReturnsTheStatedDistributionUnchanged(QuantileDistribution[] stated, double[] outcomes, QuantileDistribution target)
    {
        var calibration = Scored(stated.Take(19).ToArray(), outcomes);

        return calibration.Apply(0, (int)Dimension.Cpu, target) == target;
    }

    [Property]
    public bool AtLeast_IsTheLevelwiseMaximum(QuantileDistribution value, QuantileDistribution floor)
    {
        var raised = PeakCalibration.AtLeast(value, floor);

        for (var i = 0; i < QuantileDistribution.LevelCount; i++)
        {
            if (raised.QuantileAt(i) != Math.Max(value.QuantileAt(i), floor.QuantileAt(i)))
            {
                return false;
            }
        }

        return raised.Mean == value.Mean;
    }

    [Fact]
    public void ScoreClosed_PeaksAboveTheStatedP95_WidenItAndPeaksBelow_NarrowIt()
    {
        var stated = QuantileDistribution.FromQuantiles(10, [8, 9, 10, 11, 12, 13, 15]);
        var above = Scored([.. Enumerable.Repeat(stated, 60)], [16]); // every peak above even the stated P99
        var below = Scored([.. Enumerable.Repeat(stated, 60)], [9.5]); // every peak below the median

        Assert.True(above.Apply(0, 0, stated).P95 >= 16, $"widened P95 {above.Apply(0, 0, stated).P95}");
        Assert.True(below.Apply(0, 0, stated).P95 < 10.5, $"narrowed P95 {below.Apply(0, 0, stated).P95}");
        Assert.True(below.Apply(0, 0, stated).P95 >= 10); // never below the median
    }

    [Fact]
    public void ScoreClosed_WindowStillOpenOrAlreadyDropped_IsNotScoredYetOrDropped()
    {
        var series = Series(out var steps, 30);
        var calibration = new PeakCalibration([4], scores: 20, learningRate: 0.005, refreshSteps: 1);
        var stated = Row(QuantileDistribution.FromQuantiles(10, [8, 9, 10, 11, 12, 13, 15]));
        calibration.Record(0, steps - 2, stated); // its last two steps are not closed yet

        calibration.ScoreClosed(series);

        Assert.Equal(1, calibration.PendingCount);
        Assert.Equal(0, calibration.Calibrator(0, Dimension.Cpu, 2).ObservationCount);

        Series(out _, 100, series); // 70 more steps: the buffer (capacity 40) has dropped the window's start
        calibration.ScoreClosed(series);

        Assert.Equal(0, calibration.PendingCount);
        Assert.Equal(0, calibration.Calibrator(0, Dimension.Cpu, 2).ObservationCount);
    }

    [Fact]
    public void Record_WithinTheWindowsSpacing_KeepsOnlyOneRecord()
    {
        // A 24-step window is recorded once every 2 steps (12 per window length).
        var calibration = new PeakCalibration([24], scores: 20, learningRate: 0.005, refreshSteps: 1);
        var stated = Row(QuantileDistribution.FromQuantiles(10, [8, 9, 10, 11, 12, 13, 15]));

        for (var start = 100; start < 110; start++)
        {
            calibration.Record(0, start, stated);
        }

        Assert.Equal(5, calibration.PendingCount);
    }

    [Fact]
    public void Record_RefreshesFurtherApartThanTheSpacing_KeepsOneRecordPerRefreshInterval()
    {
        // Refreshed every 6 steps, a 24-step window cannot be recorded every 2 steps: it is recorded every 6.
        var calibration = new PeakCalibration([24], scores: 20, learningRate: 0.005, refreshSteps: 6);
        var stated = Row(QuantileDistribution.FromQuantiles(10, [8, 9, 10, 11, 12, 13, 15]));

        for (var start = 100; start < 112; start++)
        {
            calibration.Record(0, start, stated);
        }

        Assert.Equal(2, calibration.PendingCount);
    }

    /// <summary>A calibration of one window of one step whose CPU dimension scored each outcome against each stated distribution (cycled).</summary>
    private static PeakCalibration Scored(QuantileDistribution[] stated, double[] outcomes)
    {
        var calibration = new PeakCalibration([1], scores: 50, learningRate: 0.05, refreshSteps: 1);
        var series = new StepSeries(1000, 1);
        StepSeries[] dimensions = [series, series, series, series];
        for (var i = 0; i < stated.Length; i++)
        {
            calibration.Record(0, i, Row(stated[i]));
            series.Add(i, outcomes[i % outcomes.Length], 0, static (_, _) => { }); // opens step i, closing i − 1
            calibration.ScoreClosed(dimensions);
        }

        series.Add(stated.Length, 0, 0, static (_, _) => { });
        calibration.ScoreClosed(dimensions);
        return calibration;
    }

    private static QuantileDistribution[] Row(QuantileDistribution cpu) =>
        [cpu, QuantileDistribution.Degenerate(0), QuantileDistribution.Degenerate(0), QuantileDistribution.Degenerate(0)];

    // Four dimensions of one series with capacity 40, filled with steps 0 .. count − 1 closed (count open).
    private static StepSeries[] Series(out long openStep, int count, StepSeries[]? existing = null)
    {
        var series = existing ?? [new(40, 1), new(40, 1), new(40, 1), new(40, 1)];
        foreach (var s in series)
        {
            for (var step = Math.Max(0, s.OpenStep); step <= count; step++)
            {
                s.Add(step, 10 + (step % 3), 0, static (_, _) => { });
            }
        }

        openStep = series[0].OpenStep;
        return series;
    }
}

/// <summary>Generators for <see cref="PeakCalibrationProperties"/>.</summary>
public static class PeakCalibrationArbitraries
{
    public static Arbitrary<QuantileDistribution> Distribution() =>
        Gen.ArrayOf(Gen.Choose(0, 100_000), QuantileDistribution.LevelCount + 1)
            .Select(values =>
            {
                var quantiles = values.Take(QuantileDistribution.LevelCount).Select(v => v / 1000.0).Order().ToArray();
                return QuantileDistribution.FromQuantiles(values[^1] / 1000.0, quantiles);
            })
            .ToArbitrary();

    public static Arbitrary<double[]> Outcomes() =>
        Gen.NonEmptyListOf(Gen.Choose(0, 150_000).Select(v => v / 1000.0)).Select(l => l.ToArray()).ToArbitrary();

    public static Arbitrary<QuantileDistribution[]> Stated() =>
        Gen.ListOf(Distribution().Generator).Select(l => l.ToArray()).ToArbitrary();
}
