using Shaping.Core.Resources;
using Shaping.Core.Shapes;

namespace Shaping.Core.Tests.Shapes;

public sealed class ShapeCatalogTests
{
    private static ResourceShape Shape(string name, double price, double cores = 2) =>
        new(name, new ResourceVector(cores, 4, 10, 1), new ShapeProfile(price));

    [Fact]
    public void Constructor_LaysShapesOutByPriceThenName()
    {
        var catalog = new ShapeCatalog([Shape("z", 0.3), Shape("b", 0.1), Shape("a", 0.1, 4)], version: 7);

        Assert.Equal(["a", "b", "z"], catalog.Shapes.Select(s => s.Name));
        Assert.Equal([0.1, 0.1, 0.3], catalog.PricePerHour.ToArray());
        Assert.Equal([4.0, 2.0, 2.0], catalog.CpuCores.ToArray());
        Assert.Equal(7, catalog.Version);
        Assert.Equal(2, catalog.IndexOf("z"));
        Assert.Equal(-1, catalog.IndexOf("missing"));
        Assert.True(catalog.TryGetShape("b", out var b));
        Assert.Equal(0.1, b.PricePerHour);
    }

    [Fact]
    public void Constructor_DuplicateName_ThrowsNamingShapes()
    {
        var exception = Assert.Throws<ArgumentException>(() => new ShapeCatalog([Shape("a", 0.1), Shape("a", 0.2)]));
        Assert.Equal("shapes", exception.ParamName);
    }

    [Fact]
    public void ResourceShape_InvalidArguments_ThrowNamingThem()
    {
        Assert.Throws<ArgumentOutOfRangeException>("capacity", () => new ResourceShape("x", new ResourceVector(-1, 1, 1, 1), new ShapeProfile(1)));
        Assert.Throws<ArgumentOutOfRangeException>("capacity", () => new ResourceShape("x", new ResourceVector(double.NaN, 1, 1, 1), new ShapeProfile(1)));
        Assert.Throws<ArgumentOutOfRangeException>("capacity", () => new ResourceShape("x", ResourceVector.Zero, new ShapeProfile(1)));
        Assert.Throws<ArgumentOutOfRangeException>("profile", () => new ResourceShape("x", new ResourceVector(1, 1, 1, 1), default));
        Assert.Throws<ArgumentException>("name", () => new ResourceShape(" ", new ResourceVector(1, 1, 1, 1), new ShapeProfile(1)));
        Assert.Throws<ArgumentOutOfRangeException>("pricePerHour", () => new ShapeProfile(0));
        Assert.Throws<ArgumentOutOfRangeException>("performanceFactor", () => new ShapeProfile(1, double.NaN));
    }
}
