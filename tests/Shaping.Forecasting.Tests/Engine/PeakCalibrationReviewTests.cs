using Shaping.Core.Prediction;
using Shaping.Forecasting.Engine;

namespace Shaping.Forecasting.Tests.Engine;

/// <summary>Review: scores measured in stated medians explode when the median is near zero (a near-idle region).</summary>
public sealed class PeakCalibrationReviewTests
{
    [Fact]
    public void NearIdleBursts_ThenBusyRegime_P95StaysWithinTenTimesTheStatedP95()
    {
        // 60 windows of a near-idle region (stated median 0.001 core, P95 0.002) whose realised peak is a 0.5-core
        // burst in one window of eight, then the region gets busy: stated median 10, P95 12.
        var calibration = new PeakCalibration([1], scores: 500, learningRate: 0.005, refreshSteps: 1);
        var series = new StepSeries(1000, 1);
        StepSeries[] dimensions = [series, series, series, series];
        var idle = QuantileDistribution.FromQuantiles(0.001, [0, 0.0005, 0.001, 0.0015, 0.0018, 0.002, 0.003]);
        QuantileDistribution[] row = [idle, idle, idle, idle];
        for (var i = 0; i < 60; i++)
        {
            calibration.Record(0, i, row);
            series.Add(i, i % 8 == 0 ? 0.5 : 0.001, 0, static (_, _) => { });
            calibration.ScoreClosed(dimensions);
        }

        var busy = QuantileDistribution.FromQuantiles(10, [6, 8, 10, 11, 11.5, 12, 14]);
        var p95 = calibration.Apply(0, 0, busy).P95;

        Assert.True(p95 <= 120, $"busy P95 published as {p95} (stated 12)");
    }
}
