using Shaping.Core.Resources;
using Shaping.Core.Shapes;

namespace Shaping.DependencyInjection;

/// <summary>
/// The small catalog a host gets when it configures none, so that it runs with no infrastructure: general-purpose
/// shapes from 2 to 32 cores at 4 GiB per core, plus a compute-optimised and a memory-optimised family member.
/// Prices are illustrative (currency per hour), in the proportions public clouds use.
/// </summary>
internal static class DefaultShapes
{
    public static ShapeCatalog Create() => new(
    [
        Shape("general-2x8", 2, 8, 50, 1.0, 0.096, 1.0, SizeClass.Small),
        Shape("general-4x16", 4, 16, 100, 2.5, 0.192, 1.0, SizeClass.Medium),
        Shape("general-8x32", 8, 32, 200, 5, 0.384, 1.0, SizeClass.Large),
        Shape("general-16x64", 16, 64, 400, 10, 0.768, 1.0, SizeClass.XLarge),
        Shape("general-32x128", 32, 128, 800, 20, 1.536, 1.0, SizeClass.XLarge),
        Shape("compute-8x16", 8, 16, 100, 10, 0.340, 1.2, SizeClass.Large),
        Shape("memory-4x32", 4, 32, 100, 5, 0.252, 1.0, SizeClass.Medium),
    ]);

    private static ResourceShape Shape(
        string name, double cores, double memoryGiB, double storageGiB, double networkGbps, double pricePerHour, double performance, SizeClass sizeClass) =>
        new(name, new ResourceVector(cores, memoryGiB, storageGiB, networkGbps), new ShapeProfile(pricePerHour, performance, sizeClass));
}
