using Shaping.Core.Resources;
using Shaping.Core.Shapes;

namespace Shaping.Simulation.Tests;

/// <summary>Small catalogs for the tests, including the samples' T-shirt catalog recreated in code.</summary>
internal static class TestCatalogs
{
    public static ShapeCatalog TShirt() => new(
    [
        Shape("g-micro", 0.5, 1, 10, 0.5, 0.0104),
        Shape("g-small", 1, 4, 20, 1, 0.0416),
        Shape("g-medium", 2, 8, 50, 2.5, 0.0832),
        Shape("g-large", 4, 16, 100, 5, 0.1664),
        Shape("g-xlarge", 8, 32, 200, 10, 0.3328),
        Shape("c-medium", 2, 4, 50, 5, 0.0850),
        Shape("c-large", 4, 8, 100, 10, 0.1700),
        Shape("c-xlarge", 8, 16, 200, 12.5, 0.3400),
        Shape("r-medium", 2, 16, 50, 2.5, 0.1260),
        Shape("r-large", 4, 32, 100, 5, 0.2520),
        Shape("r-xlarge", 8, 64, 200, 10, 0.5040),
        Shape("g-2xlarge", 16, 64, 400, 12.5, 0.6656),
    ]);

    /// <summary>CPU-only shapes of 1, 2 and 4 cores at 0.1 per core-hour.</summary>
    public static ShapeCatalog Cpu() => new(
    [
        Shape("cpu-1", 1, 0, 0, 0, 0.1),
        Shape("cpu-2", 2, 0, 0, 0, 0.2),
        Shape("cpu-4", 4, 0, 0, 0, 0.4),
    ]);

    public static ResourceShape Shape(string name, double cpu, double mem, double disk, double net, double price) =>
        new(name, new ResourceVector(cpu, mem, disk, net), new ShapeProfile(price));
}
