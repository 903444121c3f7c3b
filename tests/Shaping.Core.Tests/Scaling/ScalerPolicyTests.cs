using Shaping.Core.Scaling;

namespace Shaping.Core.Tests.Scaling;

public sealed class ScalerPolicyTests
{
    [Fact]
    public void Constructor_Defaults_AreValidAndDownIsSlower()
    {
        var policy = ScalerPolicy.Default;

        Assert.True(policy.DownBand < policy.TargetUtilization && policy.TargetUtilization < policy.UpBand);
        Assert.True(policy.DownStabilizationWindow > policy.UpStabilizationWindow);
    }

    [Fact]
    public void Constructor_DownBandAboveUpBand_NamesBothSettings()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>("downBand", () => new ScalerPolicy(upBand: 0.8, downBand: 0.9));

        Assert.StartsWith("ScalerPolicy.DownBand (0.9) must be below UpBand (0.8).", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0, "upBand", "ScalerPolicy.UpBand (0)")]
    [InlineData(1.5, "upBand", "ScalerPolicy.UpBand (1.5)")]
    [InlineData(double.NaN, "upBand", "ScalerPolicy.UpBand (NaN)")]
    public void Constructor_UpBandOutOfRange_Throws(double upBand, string paramName, string expected)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(paramName, () => new ScalerPolicy(upBand: upBand, downBand: 0, targetUtilization: 0.5));

        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_TargetOutsideBands_Throws()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>("targetUtilization", () => new ScalerPolicy(targetUtilization: 0.8));

        Assert.Contains("ScalerPolicy.TargetUtilization (0.8)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_DownWindowShorterThanUpWindow_Throws()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(
            "downStabilizationWindow",
            () => new ScalerPolicy(upStabilizationWindow: TimeSpan.FromMinutes(5), downStabilizationWindow: TimeSpan.FromMinutes(1)));

        Assert.Contains("ScalerPolicy.DownStabilizationWindow (00:01:00)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_OtherSettingsOutOfRange_ThrowNamingThem()
    {
        Assert.Throws<ArgumentOutOfRangeException>("smoothingTimeConstant", () => new ScalerPolicy(smoothingTimeConstant: TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>("upStabilizationWindow", () => new ScalerPolicy(upStabilizationWindow: TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>("cooldown", () => new ScalerPolicy(cooldown: TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>("maxSwitchesPerPeriod", () => new ScalerPolicy(maxSwitchesPerPeriod: 0));
        Assert.Throws<ArgumentOutOfRangeException>("maxSwitchesPerPeriod", () => new ScalerPolicy(maxSwitchesPerPeriod: ScalerPolicy.MaxSwitchCap + 1));
        Assert.Throws<ArgumentOutOfRangeException>("switchPeriod", () => new ScalerPolicy(switchPeriod: TimeSpan.Zero));
    }
}
