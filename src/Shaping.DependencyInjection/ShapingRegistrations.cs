using Microsoft.Extensions.DependencyInjection;
using Shaping.Core.Shapes;

namespace Shaping.DependencyInjection;

/// <summary>
/// Registered once by <c>AddPredictiveShaping</c>: marks a collection that already has predictive shaping (so a second
/// call adds nothing), and keeps the collection so the start-up check can see which shape registrations won, including
/// those the host made after the call. By the time the host starts, the collection is complete (the generic host
/// makes it read-only when it builds the provider); a collection edited after a provider was built from it, as a test
/// fixture reused across providers may be, is read as it is at that provider's start.
/// </summary>
/// <remarks>
/// Registrations made straight into a third-party container (not through the <see cref="IServiceCollection"/>) are not
/// seen; the check then says nothing, as before.
/// </remarks>
internal sealed class ShapingRegistrations(IServiceCollection services)
{
    /// <summary>
    /// Gets whether the container serves shapes from a <see cref="ShapeLibrary"/> that is not built from the
    /// <see cref="ShapeCatalog"/> service (the host's own: <c>UseShapeLibrary</c>, or one it registered) while that
    /// service is also the host's own (neither the embedded default nor the snapshot of the library). The catalog
    /// then reaches the library only if the host built the library from it, which the check compares.
    /// </summary>
    public bool HostCatalogBesideHostLibrary()
    {
        var library = Winner(typeof(ShapeLibrary));
        var catalog = Winner(typeof(ShapeCatalog));
        return library is not null
            && catalog is not null
            && !ShapingServiceCollectionExtensions.SeededLibrary.Equals(library.ImplementationFactory)
            && !ShapingServiceCollectionExtensions.LibrarySnapshot.Equals(catalog.ImplementationFactory)
            && !ShapingServiceCollectionExtensions.DefaultCatalog.Equals(catalog.ImplementationFactory);
    }

    /// <summary>
    /// Gets the <see cref="ShapeLibrary"/> the container serves when its winning registration is an instance (the
    /// host's own, which resolves nothing, so the catalog service can be its snapshot without a cycle); otherwise
    /// <see langword="null"/>.
    /// </summary>
    public ShapeLibrary? HostLibraryInstance() => Winner(typeof(ShapeLibrary))?.ImplementationInstance as ShapeLibrary;

    // The container resolves the last registration of a service.
    private ServiceDescriptor? Winner(Type serviceType) =>
        services.LastOrDefault(d => d.ServiceType == serviceType && !d.IsKeyedService);
}
