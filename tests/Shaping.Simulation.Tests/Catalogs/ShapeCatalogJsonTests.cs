using System.Text;
using Shaping.Core.Shapes;
using Shaping.Simulation.Catalogs;

namespace Shaping.Simulation.Tests.Catalogs;

public sealed class ShapeCatalogJsonTests
{
    private static ShapeCatalog Load(string json) =>
        ShapeCatalogJson.Load(new MemoryStream(Encoding.UTF8.GetBytes(json)), "catalog.json");

    [Fact]
    public void Load_WithoutPerformanceFactorAndSizeClass_UsesTheirDefaults()
    {
        // The accuracy console's backtest used to require both and threw KeyNotFoundException.
        var catalog = Load("""{"shapes":[{"name":"a","cpuCores":4,"memoryGiB":16,"storageGiB":0,"networkGbps":1,"pricePerHour":0.1}]}""");

        var shape = Assert.Single(catalog.Shapes);
        Assert.Equal("a", shape.Name);
        Assert.Equal(4, shape.Capacity.CpuCores);
        Assert.Equal(1.0, shape.Profile.PerformanceFactor);
        Assert.Equal(SizeClass.Unspecified, shape.Profile.SizeClass);
    }

    [Fact]
    public void Load_FullEntryWithCaseInsensitiveNames_ReadsEveryField()
    {
        var catalog = Load("""{"Shapes":[{"NAME":"c","cpuCores":8,"memoryGiB":16,"storageGiB":200,"networkGbps":12.5,"pricePerHour":0.34,"performanceFactor":1.3,"sizeClass":"XLarge"}]}""");

        var shape = Assert.Single(catalog.Shapes);
        Assert.Equal(1.3, shape.Profile.PerformanceFactor);
        Assert.Equal(SizeClass.XLarge, shape.Profile.SizeClass);
        Assert.Equal(0.34, shape.PricePerHour);
    }

    [Theory]
    [InlineData("not json", "not a valid catalog JSON document")]
    [InlineData("""{"shapes":[]}""", "the catalog needs a non-empty \"shapes\" array")]
    [InlineData("""{"description":"x"}""", "the catalog needs a non-empty \"shapes\" array")]
    [InlineData("""{"shapes":[{"name":"a","cpuCores":1,"memoryGiB":2,"storageGiB":0,"networkGbps":1,"pricePerHour":0.1},{"name":"a","cpuCores":2,"memoryGiB":4,"storageGiB":0,"networkGbps":1,"pricePerHour":0.2}]}""", "'a' appears more than once")]
    [InlineData("""{"shapes":[{"name":"a","cpuCores":1,"memoryGiB":2,"storageGiB":0,"networkGbps":1,"pricePerHour":-0.1}]}""", "shape 'a' is invalid")]
    [InlineData("""{"shapes":[{"name":null,"cpuCores":1,"memoryGiB":2,"storageGiB":0,"networkGbps":1,"pricePerHour":0.1}]}""", "is invalid")]
    [InlineData("""{"shapes":[null]}""", "null entry")]
    [InlineData("""{"shapes":[{"name":"a","cpuCores":1,"memoryGiB":2,"storageGiB":0,"networkGbps":1,"pricePerHour":0.1,"sizeClass":"Huge"}]}""", "not a valid catalog JSON document")]
    [InlineData("""{"shapes":[{"name":"a","cpuCores":1,"memoryGiB":2,"storageGiB":0,"networkGbps":1,"pricePerHour":0.1,"sizeClass":99}]}""", "unknown sizeClass (99)")]
    [InlineData("""{"shapes":[{"name":"a","cpuCores":4,"storageGiB":0,"networkGbps":1,"pricePerHour":0.2}]}""", "missing required properties including: 'MemoryGiB'")] // missing: not 0 GiB
    [InlineData("""{"shapes":[{"name":"a","cpuCores":4,"memory":16,"memoryGiB":16,"storageGiB":0,"networkGbps":1,"pricePerHour":0.2}]}""", "memory")] // misspelt extra field
    [InlineData("""{"shapes":[{"name":"a","cpuCores":1,"memoryGiB":2,"storageGiB":0,"networkGbps":1,"pricePerHour":0.1,"sizeClass":"Small, Large"}]}""", "sizeClass")] // was read as Small | Large = Custom
    [InlineData("""{"shapes":[{"name":"a","cpuCores":1,"memoryGiB":2,"storageGiB":0,"networkGbps":1,"pricePerHour":0.1,"sizeClass":"Small,Micro"}]}""", "sizeClass")] // was read as Medium
    [InlineData("""{"shapes":[{"name":"a","cpuCores":4,"memoryGiB":16,"storageGiB":0,"networkGbps":1,"pricePerHour":0.2,"cpuCores":8}]}""", "Duplicate property 'CpuCores'")] // a field given twice: the last one used to win silently
    public void Load_InvalidCatalog_ThrowsOneLineNamingTheSource(string json, string problem)
    {
        var error = Assert.Throws<InvalidDataException>(() => Load(json));

        Assert.StartsWith("catalog.json: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain("(Parameter '", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"Huge\"", "'Huge'")]
    [InlineData("\"Small, Large\"", "'Small, Large'")]
    [InlineData("true", "True")]
    public void Load_UnknownSizeClass_NamesTheJsonPathOnOneLine(string sizeClass, string shown)
    {
        // The converter's message named neither the shape nor where it was; the path says which shape.
        var json = "{\"shapes\":[{\"name\":\"a\",\"cpuCores\":1,\"memoryGiB\":2,\"storageGiB\":0,\"networkGbps\":1,\"pricePerHour\":0.1},\n"
            + "{\"name\":\"b\",\"cpuCores\":1,\"memoryGiB\":2,\"storageGiB\":0,\"networkGbps\":1,\"pricePerHour\":0.1,\"sizeClass\":" + sizeClass + "}]}";

        var error = Assert.Throws<InvalidDataException>(() => Load(json));

        Assert.StartsWith("catalog.json: not a valid catalog JSON document: sizeClass must be one of", error.Message, StringComparison.Ordinal);
        Assert.Contains($"got {shown}", error.Message, StringComparison.Ordinal);
        Assert.Contains("$.shapes[1].sizeClass", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFoundNamingIt()
    {
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.json");
        var error = Assert.Throws<FileNotFoundException>(() => ShapeCatalogJson.Load(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }
}
