using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Shaping.Core.Provisioning;
using Shaping.Core.Resources;

namespace Shaping.Core.Tests.Provisioning;

public sealed class SyntheticLoadModelTests
{
    private static readonly ResourceVector Mean = new(10, 40, 100, 2);
    private static readonly DateTimeOffset Midnight = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(-0.1, 0.0, "amplitude")]
    [InlineData(1.1, 0.0, "amplitude")]
    [InlineData(double.NaN, 0.0, "amplitude")]
    [InlineData(0.3, -0.01, "noise")]
    [InlineData(0.3, 1.5, "noise")]
    [InlineData(0.3, double.PositiveInfinity, "noise")]
    public void Constructor_OutOfRangeSetting_ThrowsNamingIt(double amplitude, double noise, string parameter)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(parameter, () => new SyntheticLoadModel(Mean, amplitude, noise));

        Assert.Contains(parameter, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_BadMeanPeriodOrPeak_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>("meanDemand", () => new SyntheticLoadModel(new ResourceVector(-1, 0, 0, 0)));
        Assert.Throws<ArgumentOutOfRangeException>("meanDemand", () => new SyntheticLoadModel(new ResourceVector(double.NaN, 0, 0, 0)));
        Assert.Throws<ArgumentOutOfRangeException>("period", () => new SyntheticLoadModel(Mean, period: TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>("peakOffset", () => new SyntheticLoadModel(Mean, peakOffset: TimeSpan.FromHours(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(
            "peakOffset", () => new SyntheticLoadModel(Mean, period: TimeSpan.FromHours(1), peakOffset: TimeSpan.FromHours(1)));
    }

    [Fact]
    public void ExpectedDemand_DailyDefault_PeaksAt1400UtcAndBottomsAt0200()
    {
        var model = new SyntheticLoadModel(Mean, amplitude: 0.5);

        var peak = model.ExpectedDemand(Midnight + TimeSpan.FromHours(14));
        var trough = model.ExpectedDemand(Midnight + TimeSpan.FromHours(2));
        var between = model.ExpectedDemand(Midnight + TimeSpan.FromHours(8));

        Assert.Equal(15, peak.CpuCores, 9);
        Assert.Equal(60, peak.MemoryGiB, 9);
        Assert.Equal(5, trough.CpuCores, 9);
        Assert.Equal(10, between.CpuCores, 9);
        Assert.Equal(TimeSpan.FromHours(14), model.PeakOffset);
    }

    [Fact]
    public void CycleFactor_ShortPeriod_RepeatsEveryPeriodAndPeaksAtTheOffset()
    {
        var model = new SyntheticLoadModel(Mean, amplitude: 0.4, period: TimeSpan.FromSeconds(20), peakOffset: TimeSpan.FromSeconds(5));
        var start = DateTimeOffset.UnixEpoch + TimeSpan.FromDays(20_000);

        Assert.Equal(1.4, model.CycleFactor(start + TimeSpan.FromSeconds(5)), 9);
        Assert.Equal(0.6, model.CycleFactor(start + TimeSpan.FromSeconds(15)), 9);
        Assert.Equal(model.CycleFactor(start + TimeSpan.FromSeconds(7)), model.CycleFactor(start + TimeSpan.FromSeconds(27)), 9);
    }

    [Fact]
    public void DemandAt_NoiseDraws_ScaleTheExpectedDemandAndNeverGoNegative()
    {
        var model = new SyntheticLoadModel(Mean, amplitude: 0, noise: 0.2);

        Assert.Equal(Mean, model.DemandAt(Midnight, 0));
        Assert.Equal(12, model.DemandAt(Midnight, 1).CpuCores, 9);
        Assert.Equal(ResourceVector.Zero, model.DemandAt(Midnight, -10));
        Assert.Throws<ArgumentOutOfRangeException>("standardNormal", () => model.DemandAt(Midnight, double.NaN));
    }

    [Property(MaxTest = 200)]
    public Property ExpectedDemand_AnyTime_IsFiniteAndWithinTheSwing()
    {
        var cases =
            from ticks in Gen.Choose(-1_000_000, 1_000_000).Select(i => i * 37_000_000_000L)
            from amplitude in Gen.Choose(0, 100).Select(i => i / 100.0)
            from periodSeconds in Gen.Choose(1, 86_400 * 7)
            from peakFraction in Gen.Choose(0, 99).Select(i => i / 100.0)
            select (ticks, amplitude, periodSeconds, peakFraction);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var period = TimeSpan.FromSeconds(c.periodSeconds);
            var model = new SyntheticLoadModel(Mean, c.amplitude, 0, period, period * c.peakFraction);
            var at = DateTimeOffset.UnixEpoch + TimeSpan.FromTicks(c.ticks) + TimeSpan.FromDays(30_000);
            var demand = model.ExpectedDemand(at);
            var factor = model.CycleFactor(at);
            return demand.IsValidAmount
                && factor >= 1 - c.amplitude - 1e-12
                && factor <= 1 + c.amplitude + 1e-12
                && Math.Abs(demand.CpuCores - (Mean.CpuCores * factor)) < 1e-9;
        });
    }
}
