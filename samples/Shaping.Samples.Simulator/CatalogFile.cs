using Shaping.Core.Shapes;
using Shaping.Simulation.Catalogs;

namespace Shaping.Samples.Simulator;

/// <summary>
/// Reads a shape catalog (the embedded default, or a file given with --catalog) through
/// <see cref="ShapeCatalogJson"/>, the loader the accuracy console's backtest uses too.
/// </summary>
internal static class CatalogFile
{
    public static ShapeCatalog LoadDefault()
    {
        using var stream = typeof(CatalogFile).Assembly.GetManifestResourceStream("default-catalog.json")
            ?? throw new InvalidOperationException("The embedded default catalog is missing from the assembly.");
        return ShapeCatalogJson.Load(stream, "embedded default-catalog.json");
    }

    public static ShapeCatalog Load(string path) => ShapeCatalogJson.Load(path);
}
