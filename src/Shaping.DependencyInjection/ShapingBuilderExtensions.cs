using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Shaping.Core.Capacity;
using Shaping.Core.ControlPlane;
using Shaping.Core.Prediction;
using Shaping.Core.Provisioning;
using Shaping.Core.Scaling;
using Shaping.Core.Shapes;
using Shaping.Core.Telemetry;
using Shaping.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Plugs a host's adapters into predictive shaping; each call replaces the default or earlier registration.</summary>
public static class ShapingBuilderExtensions
{
    /// <summary>Uses <typeparamref name="TLedger"/> as the capacity ledger (a singleton), for example one backed by a shared database.</summary>
    /// <typeparam name="TLedger">The ledger implementation.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IShapingBuilder UseCapacityLedger<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TLedger>(this IShapingBuilder builder)
        where TLedger : class, ICapacityLedger => Replace<ICapacityLedger, TLedger>(builder);

    /// <summary>
    /// Uses the capacity ledger <paramref name="factory"/> returns (called once, as a singleton), for example one the
    /// host registered itself under its own type: <c>UseCapacityLedger(sp => sp.GetRequiredService&lt;MyLedger&gt;())</c>
    /// serves that same instance, where <see cref="UseCapacityLedger{TLedger}(IShapingBuilder)"/> would create another.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Returns the ledger.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="factory"/> is <see langword="null"/>.</exception>
    public static IShapingBuilder UseCapacityLedger(this IShapingBuilder builder, Func<IServiceProvider, ICapacityLedger> factory) =>
        ReplaceWith(builder, factory);

    /// <summary>Uses <typeparamref name="TProvisioner"/> as the region control plane (a singleton), for example a Kubernetes adapter.</summary>
    /// <typeparam name="TProvisioner">The provisioner implementation.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IShapingBuilder UseProvisioner<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TProvisioner>(this IShapingBuilder builder)
        where TProvisioner : class, IProvisioner => Replace<IProvisioner, TProvisioner>(builder);

    /// <summary>
    /// Uses the region control plane <paramref name="factory"/> returns (called once, as a singleton), for example an
    /// adapter the host also resolves under its own type: <c>UseProvisioner(sp => sp.GetRequiredService&lt;MyAdapter&gt;())</c>
    /// serves that same instance, where <see cref="UseProvisioner{TProvisioner}(IShapingBuilder)"/> would create another.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Returns the provisioner.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="factory"/> is <see langword="null"/>.</exception>
    public static IShapingBuilder UseProvisioner(this IShapingBuilder builder, Func<IServiceProvider, IProvisioner> factory) =>
        ReplaceWith(builder, factory);

    /// <summary>Uses <typeparamref name="TPredictor"/> as the load predictor (a singleton), for example the forecasting engine.</summary>
    /// <typeparam name="TPredictor">The predictor implementation.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IShapingBuilder UseLoadPredictor<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TPredictor>(this IShapingBuilder builder)
        where TPredictor : class, ILoadPredictor => Replace<ILoadPredictor, TPredictor>(builder);

    /// <summary>
    /// Uses the load predictor <paramref name="factory"/> returns (called once, as a singleton), for example one the host
    /// also resolves under its own type, so that both are the same instance.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Returns the predictor.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="factory"/> is <see langword="null"/>.</exception>
    public static IShapingBuilder UseLoadPredictor(this IShapingBuilder builder, Func<IServiceProvider, ILoadPredictor> factory) =>
        ReplaceWith(builder, factory);

    /// <summary>Uses <typeparamref name="TSource"/> as the source of replica utilisation (a singleton), for example a Prometheus reader.</summary>
    /// <typeparam name="TSource">The utilisation source implementation.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IShapingBuilder UseUtilizationSource<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TSource>(this IShapingBuilder builder)
        where TSource : class, IUtilizationSource => Replace<IUtilizationSource, TSource>(builder);

    /// <summary>
    /// Uses the utilisation source <paramref name="factory"/> returns (called once, as a singleton), for example a
    /// metrics reader the host also resolves under its own type, so that both are the same instance.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Returns the source.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="factory"/> is <see langword="null"/>.</exception>
    public static IShapingBuilder UseUtilizationSource(this IShapingBuilder builder, Func<IServiceProvider, IUtilizationSource> factory) =>
        ReplaceWith(builder, factory);

    /// <summary>
    /// Uses a <see cref="ReplicaInventory"/> the host built, typically restored from the records it persisted before a
    /// restart (<c>new ReplicaInventory(records)</c>), as the inventory the request handler, the adjustment loop and
    /// the synthetic utilisation source share.
    /// </summary>
    /// <remarks>
    /// The inventory lives in process memory, so without a restore a restarted host forgets the replicas it provisioned:
    /// its loop cannot move them, and a resubmitted request is served afresh instead of being answered with its replicas,
    /// so it may provision others or count them twice in the ledger (see <see cref="ReplicaInventory"/>). Replaces the inventory registered before, the default included, in any order;
    /// registering a <see cref="ReplicaInventory"/> before <c>AddPredictiveShaping()</c> works as well. The host
    /// persists <see cref="ReplicaInventory.Snapshot"/> whenever <see cref="ReplicaInventory.Version"/> has changed.
    /// </remarks>
    /// <param name="builder">The builder.</param>
    /// <param name="inventory">The inventory.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="inventory"/> is <see langword="null"/>.</exception>
    public static IShapingBuilder UseReplicaInventory(this IShapingBuilder builder, ReplicaInventory inventory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(inventory);
        builder.Services.Replace(ServiceDescriptor.Singleton(inventory));
        return builder;
    }

    /// <summary>
    /// Uses the <see cref="ReplicaInventory"/> <paramref name="factory"/> returns (called once, as a singleton), for
    /// example one restored from a store the host registers: <c>UseReplicaInventory(sp =&gt; new
    /// ReplicaInventory(sp.GetRequiredService&lt;MyReplicaStore&gt;().Load()))</c>.
    /// </summary>
    /// <remarks>
    /// As <see cref="UseReplicaInventory(IShapingBuilder, ReplicaInventory)"/>. The factory runs when the request handler,
    /// the adjustment loop or the utilisation source is first resolved, before either serves or runs, so the records are
    /// in place before they are used; a store that can only be read asynchronously is better read before the host is
    /// built, and its records passed to the other overload.
    /// </remarks>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Builds the inventory; called once.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="factory"/> is <see langword="null"/>.</exception>
    public static IShapingBuilder UseReplicaInventory(this IShapingBuilder builder, Func<IServiceProvider, ReplicaInventory> factory) =>
        ReplaceWith(builder, factory);

    /// <summary>
    /// Seeds the shape library with a fixed catalog instead of the embedded default one: the request handler and the
    /// adjustment loop start from these shapes, and follow what is later added to or retired from the
    /// <see cref="ShapeLibrary"/>.
    /// </summary>
    /// <remarks>
    /// Replaces the <see cref="ShapeCatalog"/> and <see cref="ShapeLibrary"/> registered before, including a library
    /// given to <see cref="UseShapeLibrary(IShapingBuilder, ShapeLibrary)"/>. The <see cref="ShapeCatalog"/> service
    /// is then <paramref name="catalog"/> itself, a snapshot that does not follow the library.
    /// </remarks>
    /// <param name="builder">The builder.</param>
    /// <param name="catalog">The catalog; not empty.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="catalog"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="catalog"/> is empty.</exception>
    public static IShapingBuilder UseCatalog(this IShapingBuilder builder, ShapeCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(catalog);
        if (catalog.IsEmpty)
        {
            throw new ArgumentException("The catalog must contain at least one shape.", nameof(catalog));
        }

        return SeedLibrary(builder, ServiceDescriptor.Singleton(catalog));
    }

    /// <summary>Seeds the shape library with a catalog of the given shapes instead of the embedded default one.</summary>
    /// <remarks>As <see cref="UseCatalog(IShapingBuilder, ShapeCatalog)"/>.</remarks>
    /// <param name="builder">The builder.</param>
    /// <param name="shapes">The shapes; at least one, names unique.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="shapes"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">No shape is given, or two share a name.</exception>
    public static IShapingBuilder UseCatalog(this IShapingBuilder builder, IEnumerable<ResourceShape> shapes)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        return builder.UseCatalog(new ShapeCatalog(shapes));
    }

    /// <summary>
    /// Seeds the shape library with a catalog built from the container when first needed, for example from the host's
    /// configuration or a shape store it already registers.
    /// </summary>
    /// <remarks>
    /// The library is built from this catalog, so <paramref name="factory"/> must not resolve the
    /// <see cref="ShapeLibrary"/> (nor the <see cref="ShapeCatalog"/>, which it produces): that is a circular
    /// dependency, which the container reports with an <see cref="InvalidOperationException"/> when either is first
    /// resolved. A host that owns a library registers it with
    /// <see cref="UseShapeLibrary(IShapingBuilder, Func{IServiceProvider, ShapeLibrary})"/> instead. Replaces the
    /// catalog and library registered before; an empty catalog fails the host at start.
    /// </remarks>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Builds the catalog; called once.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="factory"/> is <see langword="null"/>.</exception>
    public static IShapingBuilder UseCatalog(this IShapingBuilder builder, Func<IServiceProvider, ShapeCatalog> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        return SeedLibrary(builder, ServiceDescriptor.Singleton<ShapeCatalog>(factory));
    }

    /// <summary>
    /// Uses a <see cref="ShapeLibrary"/> the host owns as the source of shapes: the request handler and the adjustment
    /// loop read its current catalog, so what the host adds or retires there is used at once.
    /// </summary>
    /// <remarks>
    /// Replaces the library and catalog registered before (including a <c>UseCatalog</c> call). The
    /// <see cref="ShapeCatalog"/> service becomes a snapshot of <paramref name="library"/>'s catalog when first
    /// resolved. A library that still has no shapes when the host starts fails the start; so does a
    /// <see cref="ShapeCatalog"/> registered afterwards whose shapes the library does not hold, since it would not be
    /// served: seed the library from a catalog with <c>UseCatalog</c> instead.
    /// </remarks>
    /// <param name="builder">The builder.</param>
    /// <param name="library">The library.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="library"/> is <see langword="null"/>.</exception>
    public static IShapingBuilder UseShapeLibrary(this IShapingBuilder builder, ShapeLibrary library)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(library);
        return OwnLibrary(builder, ServiceDescriptor.Singleton(library));
    }

    /// <summary>
    /// Uses a <see cref="ShapeLibrary"/> the host builds from the container when first needed (for example one loaded
    /// from its shape store) as the source of shapes.
    /// </summary>
    /// <remarks>
    /// As <see cref="UseShapeLibrary(IShapingBuilder, ShapeLibrary)"/>. The <see cref="ShapeCatalog"/> service is a
    /// snapshot of this library, so <paramref name="factory"/> must not resolve it: that is a circular dependency,
    /// which the container reports with an <see cref="InvalidOperationException"/> when either is first resolved.
    /// </remarks>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Builds the library; called once.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="factory"/> is <see langword="null"/>.</exception>
    public static IShapingBuilder UseShapeLibrary(this IShapingBuilder builder, Func<IServiceProvider, ShapeLibrary> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        return OwnLibrary(builder, ServiceDescriptor.Singleton<ShapeLibrary>(factory));
    }

    /// <summary>
    /// Registers the <see cref="ShapeAdjustmentLoop"/> and a hosted service that runs it every
    /// <see cref="ShapingOptions.AdjustmentInterval"/> for the lifetime of the host. Calling it again adds nothing.
    /// </summary>
    /// <remarks>
    /// The loop needs an <see cref="IUtilizationSource"/>, an <see cref="ICapacityLedger"/> and an
    /// <see cref="IProvisioner"/> in the container; <c>AddPredictiveShaping()</c> registers in-memory defaults for
    /// each, the utilisation source being a <see cref="SyntheticUtilizationSource"/> (synthetic demand from
    /// <see cref="ShapingOptions.SyntheticLoads"/>), so the loop runs with no further configuration. A production host
    /// reads real measurements with <see cref="UseUtilizationSource{TSource}"/>. An <see cref="ILoadPredictor"/>, when
    /// registered, receives the observed demand per region and supplies forecasts in proactive mode. The loop follows
    /// the container's <see cref="ShapeLibrary"/>: shapes retired or added there are used from its next cycle on, as
    /// the request handler does.
    /// </remarks>
    /// <param name="builder">The builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IShapingBuilder AddAdjustmentLoop(this IShapingBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingleton(sp => new ShapeAdjustmentLoop(
            Required<IUtilizationSource>(sp, "UseUtilizationSource<T>()"),
            Required<ICapacityLedger>(sp, "UseCapacityLedger<T>()"),
            Required<IProvisioner>(sp, "UseProvisioner<T>()"),
            sp.GetRequiredService<ReplicaInventory>(),
            sp.GetRequiredService<HysteresisScaler>(),
            sp.GetService<ILoadPredictor>(),
            sp.GetRequiredService<IOptions<ShapingOptions>>().Value.ToAdjustmentOptions(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ShapingTelemetry>(),
            sp.GetRequiredService<ShapeLibrary>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ShapeAdjustmentHostedService>());
        return builder;
    }

    // The catalog is the seed and the library is built from it.
    private static IShapingBuilder SeedLibrary(IShapingBuilder builder, ServiceDescriptor catalog)
    {
        builder.Services.Replace(catalog);
        builder.Services.Replace(ServiceDescriptor.Singleton<ShapeLibrary>(ShapingServiceCollectionExtensions.SeededLibrary));
        return builder;
    }

    // The library is the host's and the catalog is a snapshot of it.
    private static IShapingBuilder OwnLibrary(IShapingBuilder builder, ServiceDescriptor library)
    {
        builder.Services.Replace(library);
        builder.Services.Replace(ServiceDescriptor.Singleton<ShapeCatalog>(ShapingServiceCollectionExtensions.LibrarySnapshot));
        return builder;
    }

    private static IShapingBuilder Replace<TService, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TImplementation>(IShapingBuilder builder)
        where TService : class
        where TImplementation : class, TService
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<TService, TImplementation>());
        return builder;
    }

    private static IShapingBuilder ReplaceWith<TService>(IShapingBuilder builder, Func<IServiceProvider, TService> factory)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.Replace(ServiceDescriptor.Singleton(factory));
        return builder;
    }

    private static T Required<T>(IServiceProvider services, string howToRegister)
        where T : class =>
        services.GetService<T>()
        ?? throw new InvalidOperationException(
            $"The shape adjustment loop needs an {typeof(T).Name}; register one with services.AddPredictiveShaping().{howToRegister}.");
}
