using Shaping.Core.Resources;

namespace Shaping.Core.Tests.Resources;

public sealed class ResourceVectorTests
{
    [Fact]
    public void FitsWithin_ComparesEveryDimension()
    {
        var capacity = new ResourceVector(4, 16, 100, 10);
        Assert.True(new ResourceVector(4, 16, 100, 10).FitsWithin(capacity));
        Assert.False(new ResourceVector(4, 16, 100, 10.01).FitsWithin(capacity));
        Assert.False(new ResourceVector(4.5, 1, 1, 1).FitsWithin(capacity));
    }

    [Fact]
    public void Arithmetic_IsPerDimension()
    {
        var a = new ResourceVector(1, 2, 3, 4);
        var b = new ResourceVector(4, 3, 2, 1);
        Assert.Equal(new ResourceVector(5, 5, 5, 5), a + b);
        Assert.Equal(new ResourceVector(-3, -1, 1, 3), a - b);
        Assert.Equal(new ResourceVector(2, 4, 6, 8), a * 2);
        Assert.Equal(new ResourceVector(4, 3, 3, 4), ResourceVector.Max(a, b));
        Assert.Equal(new ResourceVector(1, 2, 2, 1), ResourceVector.Min(a, b));
    }

    [Fact]
    public void Indexer_And_With_AddressEachDimension()
    {
        var v = ResourceVector.Of(Dimension.Storage, 7).With(Dimension.Network, 2);
        Assert.Equal(0, v[Dimension.Cpu]);
        Assert.Equal(7, v[Dimension.Storage]);
        Assert.Equal(2, v[Dimension.Network]);
        Assert.Throws<ArgumentOutOfRangeException>(() => v[(Dimension)9]);
    }

    [Theory]
    [InlineData(double.NaN, 1)]
    [InlineData(1, double.PositiveInfinity)]
    [InlineData(-1, 1)]
    public void ThrowIfInvalidAmount_RejectsNaNInfinityAndNegatives(double cpu, double memory)
    {
        var capacity = new ResourceVector(cpu, memory, 1, 1);
        Assert.False(capacity.IsValidAmount);
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => ResourceVector.ThrowIfInvalidAmount(capacity));
        Assert.Equal("capacity", exception.ParamName);
    }

    [Fact]
    public void ToString_RoundsToThreeDecimals_AndAFormatKeepsSmallAmounts()
    {
        var v = new ResourceVector(0.0002, 1, 0, 0.0005);

        Assert.Equal("0 cores, 1 GiB, 0 GiB disk, 0.001 Gbps", v.ToString());
        Assert.Equal(v.ToString(), v.ToString(null, null));
        Assert.Equal("0.0002 cores, 1 GiB, 0 GiB disk, 0.0005 Gbps", v.ToString("G6", null));
        Assert.Equal("peak 8.89889 cores, 17.7978 GiB, 0 GiB disk, 0.335956 Gbps", $"peak {new ResourceVector(8.898891, 17.79777, 0, 0.3359561):G6}");
    }
}
