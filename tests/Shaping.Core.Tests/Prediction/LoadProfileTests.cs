using Shaping.Core.Prediction;
using Shaping.Core.Resources;

namespace Shaping.Core.Tests.Prediction;

public sealed class LoadProfileTests
{
    [Fact]
    public void Exact_ExposesMeanAndPeakPerDimension()
    {
        var profile = LoadProfile.Exact(new ResourceVector(1, 2, 3, 4), new ResourceVector(2, 3, 4, 5), TimeSpan.FromMinutes(5));
        Assert.Equal(new ResourceVector(1, 2, 3, 4), profile.ExpectedMean);
        Assert.Equal(new ResourceVector(2, 3, 4, 5), profile.PeakQuantile(0.95));
        Assert.Equal(TimeSpan.FromMinutes(5), profile.Window);
        Assert.Equal(1, profile.PeakCoverage(new ResourceVector(2, 3, 4, 5)));
        Assert.True(profile.PeakCoverage(new ResourceVector(2, 3, 3.9, 5)) < 0.05);
    }

    [Fact]
    public void Scale_DividesARegionIntoReplicas()
    {
        var region = LoadProfile.Exact(new ResourceVector(8, 16, 40, 4), new ResourceVector(12, 20, 40, 8), TimeSpan.FromHours(1));
        var replica = region.Scale(0.25);
        Assert.Equal(new ResourceVector(2, 4, 10, 1), replica.ExpectedMean);
        Assert.Equal(new ResourceVector(3, 5, 10, 2), replica.PeakQuantile(0.5));
    }

    [Fact]
    public void Constructor_PeakBelowMean_ThrowsNamingPeak()
    {
        var exception = Assert.Throws<ArgumentException>(
            () => LoadProfile.Exact(new ResourceVector(4, 1, 1, 1), new ResourceVector(3, 1, 1, 1), TimeSpan.FromHours(1)));
        Assert.Equal("peak", exception.ParamName);
    }

    [Fact]
    public void Constructor_WrongDimensionCountOrWindow_Throws()
    {
        var d = QuantileDistribution.Degenerate(1);
        Assert.Throws<ArgumentException>("mean", () => new LoadProfile(new[] { d, d, d }, new[] { d, d, d, d }, TimeSpan.FromHours(1)));
        Assert.Throws<ArgumentOutOfRangeException>("window", () => new LoadProfile(new[] { d, d, d, d }, new[] { d, d, d, d }, TimeSpan.Zero));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void PeakQuantile_ConfidenceOutsideItsRange_ThrowsNamingConfidence(double confidence)
    {
        // Before: the parameter named was 'probability', the distributions' own.
        var profile = LoadProfile.Exact(new ResourceVector(1, 1, 1, 1), new ResourceVector(2, 2, 2, 2), TimeSpan.FromHours(1));

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => profile.PeakQuantile(confidence));

        Assert.Equal("confidence", error.ParamName);
    }

    [Fact]
    public void Exact_NaNDemand_ThrowsNamingTheArgument()
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(
            () => LoadProfile.Exact(new ResourceVector(double.NaN, 1, 1, 1), new ResourceVector(1, 1, 1, 1), TimeSpan.FromHours(1)));
        Assert.Equal("mean", exception.ParamName);
    }
}
