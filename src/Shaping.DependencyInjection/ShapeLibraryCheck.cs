namespace Shaping.DependencyInjection;

/// <summary>
/// The options type of the start-up check that the container's shape library has shapes, and holds those of any
/// <see cref="Shaping.Core.Shapes.ShapeCatalog"/> the host registered beside a library of its own. It carries no settings:
/// it exists so the check runs through <c>ValidateOnStart</c> like every other setting, without making each
/// resolution of <see cref="ShapingOptions"/> build the library.
/// </summary>
internal sealed class ShapeLibraryCheck;
