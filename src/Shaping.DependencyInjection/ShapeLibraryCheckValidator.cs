using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Shaping.Core.Shapes;

namespace Shaping.DependencyInjection;

/// <summary>
/// Fails the host at start when the container's <see cref="ShapeLibrary"/> has no shapes: every request would then
/// end <c>NoFeasibleShape</c> and the adjustment loop could not be built, so it is better said once, at start, with
/// the calls that fix it. Also fails it when the host registered a <see cref="ShapeCatalog"/> beside a library of its
/// own that does not hold the catalog's shapes: the library is what the request handler and the adjustment loop
/// serve, so that catalog would be silently ignored.
/// </summary>
internal sealed class ShapeLibraryCheckValidator(ShapeLibrary library, ShapingRegistrations registrations, IServiceProvider services)
    : IValidateOptions<ShapeLibraryCheck>
{
    internal const string EmptyMessage =
        "The shape library has no shapes (ShapeLibrary.Current is empty). Give predictive shaping a catalog with "
        + "AddPredictiveShaping().UseCatalog(...), or a library that has shapes with UseShapeLibrary(...).";

    public ValidateOptionsResult Validate(string? name, ShapeLibraryCheck options)
    {
        var current = library.Current;
        var failures = new List<string>(2);
        if (current.IsEmpty)
        {
            failures.Add(EmptyMessage);
        }

        // Only when both are the host's: the catalog service is otherwise the library's seed or its snapshot, and
        // resolving it here would take the snapshot earlier than the host would. Resolved in a scope of its own, since
        // a host may register the catalog as a scoped view of the library.
        if (registrations.HostCatalogBesideHostLibrary() && IgnoredShape(current) is { } missing)
        {
            failures.Add(IgnoredCatalogMessage(missing.Name));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static string IgnoredCatalogMessage(string shapeName) =>
        $"The ShapeCatalog registered in the container is not used: its shape '{shapeName}' is not in the ShapeLibrary, "
        + "and the library (the host's own, from UseShapeLibrary(...) or a ShapeLibrary registration) is what predictive "
        + "shaping serves. To serve the catalog, seed the library with it through AddPredictiveShaping().UseCatalog(...) "
        + "instead of UseShapeLibrary(...); to serve the library, remove the ShapeCatalog registration (the ShapeCatalog "
        + "service is then a snapshot of the library) or put the catalog's shapes in the library.";

    private ResourceShape? IgnoredShape(ShapeCatalog current)
    {
        using var scope = services.CreateScope();
        return scope.ServiceProvider.GetRequiredService<ShapeCatalog>().Shapes.FirstOrDefault(shape => !Serves(current, shape));
    }

    // The library may number revisions its own way, so a shape counts as served when an active one of the same name has
    // the same capacity and profile.
    private static bool Serves(ShapeCatalog current, ResourceShape shape) =>
        current.TryGetShape(shape.Name, out var served) && served.Capacity == shape.Capacity && served.Profile == shape.Profile;
}
