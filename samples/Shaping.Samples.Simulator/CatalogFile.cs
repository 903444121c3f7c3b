using System.Text.Json;
using System.Text.Json.Serialization;
using Shaping.Core.Resources;
using Shaping.Core.Shapes;

namespace Shaping.Samples.Simulator;

/// <summary>Reads a shape catalog from JSON (the embedded default, or a file given with --catalog).</summary>
internal static class CatalogFile
{
    public static ShapeCatalog LoadDefault()
    {
        using var stream = typeof(CatalogFile).Assembly.GetManifestResourceStream("default-catalog.json")
            ?? throw new InvalidOperationException("The embedded default catalog is missing from the assembly.");
        return Load(stream, "embedded default-catalog.json");
    }

    public static ShapeCatalog Load(string path)
    {
        using var stream = File.OpenRead(path);
        return Load(stream, path);
    }

    private static ShapeCatalog Load(Stream stream, string origin)
    {
        var document = JsonSerializer.Deserialize(stream, CatalogJsonContext.Default.CatalogDocument)
            ?? throw new InvalidDataException($"{origin}: empty catalog document.");
        if (document.Shapes is not { Count: > 0 })
        {
            throw new InvalidDataException($"{origin}: the catalog needs a non-empty \"shapes\" array.");
        }

        var shapes = new List<ResourceShape>();
        foreach (var entry in document.Shapes)
        {
            try
            {
                shapes.Add(new ResourceShape(
                    entry.Name,
                    new ResourceVector(entry.CpuCores, entry.MemoryGiB, entry.StorageGiB, entry.NetworkGbps),
                    new ShapeProfile(entry.PricePerHour, entry.PerformanceFactor, entry.SizeClass)));
            }
            catch (ArgumentException exception)
            {
                throw new InvalidDataException($"{origin}: shape '{entry.Name}' is invalid: {exception.Message}", exception);
            }
        }

        return new ShapeCatalog(shapes);
    }
}

internal sealed record CatalogDocument(string? Description, IReadOnlyList<CatalogEntry>? Shapes);

internal sealed record CatalogEntry(
    string Name,
    double CpuCores,
    double MemoryGiB,
    double StorageGiB,
    double NetworkGbps,
    double PricePerHour,
    double PerformanceFactor = 1.0,
    SizeClass SizeClass = SizeClass.Unspecified);

[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(CatalogDocument))]
internal sealed partial class CatalogJsonContext : JsonSerializerContext;
