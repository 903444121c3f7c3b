using Shaping.Core.Resources;
using Shaping.Simulation.Policies;

namespace Shaping.Simulation.Tests.Policies;

public sealed class ConformalRatiosTests
{
    private static readonly bool[] CpuOnly = [true, false, false, false];
    private static readonly bool[] High = [false, false, false, false];
    private static readonly bool[] Low = [true, true, true, true];

    private static ResourceVector Cores(double cores) => new(cores, 0, 0, 0);

    // One position, a ring of 10, the 90 % quantile, a level calibrated apart from 4 ratios.
    private static ConformalRatios Calibration() => new(stepsPerBucket: 1, window: 10, quantile: 0.9, levelMinimum: 4);

    [Fact]
    public void Bounds_AreTheQuantilesOfTheRatiosInTheRing()
    {
        var calibration = Calibration();
        foreach (var demand in new[] { 1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }) // the first two leave the ring
        {
            calibration.Record(0, Cores(demand), Cores(10), CpuOnly, High);
        }

        Assert.True(calibration.HasNewRatios);
        calibration.Update(CpuOnly);

        Assert.False(calibration.HasNewRatios);
        Assert.Equal(1.1, calibration.Upper(0, 0, low: false), 12); // 9th of 10 ratios 0.3 … 1.2
        Assert.Equal(0.3, calibration.Lower(0, 0, low: false), 12);
    }

    [Fact]
    public void ALevelWithTooFewRatios_SharesThePooledBounds()
    {
        var calibration = Calibration();
        foreach (var demand in new[] { 10.0, 10, 10, 10, 10, 10 })
        {
            calibration.Record(0, Cores(demand), Cores(10), CpuOnly, High);
        }

        calibration.Record(0, Cores(30), Cores(10), CpuOnly, Low);
        calibration.Record(0, Cores(30), Cores(10), CpuOnly, Low);
        calibration.Update(CpuOnly);

        Assert.Equal(1, calibration.Upper(0, 0, low: false)); // 6 high ratios: calibrated apart
        Assert.Equal(3, calibration.Upper(0, 0, low: true)); // 2 low ones: the pooled 90 % of 8 ratios

        calibration.Record(0, Cores(20), Cores(10), CpuOnly, Low);
        calibration.Record(0, Cores(20), Cores(10), CpuOnly, Low);
        calibration.Update(CpuOnly);
        Assert.Equal(3, calibration.Upper(0, 0, low: true)); // 4 low ones now: their own 90 %
        Assert.Equal(2, calibration.Lower(0, 0, low: true));
        Assert.Equal(1, calibration.Lower(0, 0, low: false));
    }

    [Fact]
    public void RatiosWithoutAForecast_DoNotCount_AndABaseOfZeroIsARatioOfOne()
    {
        var calibration = Calibration();
        for (var i = 0; i < 5; i++)
        {
            calibration.Record(0, Cores(3), Cores(0), CpuOnly, High);
        }

        calibration.Update(CpuOnly);

        Assert.True(calibration.IsCalibrated(0, 5));
        Assert.False(calibration.IsCalibrated(1, 1)); // memory had no forecast: its ratios are NaN
        Assert.Equal(1, calibration.Upper(0, 0, low: false));
    }

    [Fact]
    public void IsCalibrated_NeedsEveryPosition()
    {
        var calibration = new ConformalRatios(stepsPerBucket: 2, window: 10, quantile: 0.9, levelMinimum: 4);
        for (var i = 0; i < 5; i++)
        {
            calibration.Record(0, Cores(3), Cores(3), CpuOnly, High);
        }

        Assert.False(calibration.IsCalibrated(0, 5));
        for (var i = 0; i < 5; i++)
        {
            calibration.Record(1, Cores(3), Cores(3), CpuOnly, High);
        }

        Assert.True(calibration.IsCalibrated(0, 5));
    }
}
