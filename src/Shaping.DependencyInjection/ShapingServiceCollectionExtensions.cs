using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using System.Diagnostics.Metrics;
using Shaping.Core.Capacity;
using Shaping.Core.ControlPlane;
using Shaping.Core.Prediction;
using Shaping.Core.Provisioning;
using Shaping.Core.Telemetry;
using Shaping.Core.Scaling;
using Shaping.Core.Selection;
using Shaping.Core.Shapes;
using Shaping.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers predictive shaping in a host's service collection.</summary>
public static class ShapingServiceCollectionExtensions
{
    /// <summary>
    /// Registers predictive shaping: <see cref="ShapingOptions"/> validated when the host starts, the shape selector,
    /// a shape library, the replica inventory, the hysteresis scaler, the <see cref="RegionDecommissioner"/> and a
    /// <see cref="TimeProvider"/>, with embedded
    /// defaults so a host runs with no infrastructure: an in-memory capacity ledger and regions
    /// (<see cref="ShapingOptions.InMemoryRegions"/>), the decaying-histogram load predictor, and a synthetic
    /// utilisation source (<see cref="SyntheticUtilizationSource"/> over the replica inventory, driven by
    /// <see cref="ShapingOptions.SyntheticLoads"/>).
    /// </summary>
    /// <remarks>
    /// <para>
    /// Every default is added with <c>TryAdd</c>: a service the host registered before this call wins. Use the
    /// returned builder (<see cref="ShapingBuilderExtensions.UseCapacityLedger{TLedger}"/>,
    /// <see cref="ShapingBuilderExtensions.UseCatalog(IShapingBuilder, ShapeCatalog)"/>, …) to replace one afterwards.
    /// The hosted adjustment loop is registered only by <see cref="ShapingBuilderExtensions.AddAdjustmentLoop"/>.
    /// </para>
    /// <para>
    /// Shapes live in the container's <see cref="ShapeLibrary"/>: the request handler reads its
    /// <see cref="ShapeLibrary.Current"/> catalog on every request and the adjustment loop on every cycle, so shapes
    /// added or retired there at run time are used at once. By default the library is seeded with the
    /// <see cref="ShapeCatalog"/> the host registered, if any, or else with a small embedded catalog of general-,
    /// compute- and memory-optimised shapes; <c>UseCatalog</c> seeds it with another catalog and <c>UseShapeLibrary</c>
    /// hands over a library the host owns. The <see cref="ShapeCatalog"/> service stays resolvable, as a snapshot: the
    /// seed, or the library's catalog when first resolved; it does not follow later changes. A library with no shapes
    /// fails the host at start.
    /// </para>
    /// <para>
    /// A catalog the host registers itself seeds the library if it is registered before this call, or after it with
    /// <c>AddSingleton</c> (the container resolves the last registration); a <c>TryAddSingleton</c> after this call adds
    /// nothing, since the embedded default is registered by then; <c>UseCatalog</c> works in any order. When the
    /// library is the host's own (<c>UseShapeLibrary</c>, or a <see cref="ShapeLibrary"/> it registered), a
    /// catalog the host also registers is not what is served, so if the library does not hold that catalog's shapes the
    /// host fails at start, naming a shape and both ways to fix it.
    /// </para>
    /// <para>
    /// Calling this method again registers nothing more, except <paramref name="configure"/> when one is given (it
    /// is applied after the earlier ones).
    /// </para>
    /// </remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets options; <see langword="null"/> to keep the defaults (and whatever configuration binds).</param>
    /// <returns>A builder for plugging in the host's adapters.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IShapingBuilder AddPredictiveShaping(this IServiceCollection services, Action<ShapingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = new ShapingBuilder(services);
        if (configure is not null)
        {
            services.Configure(configure);
        }

        if (services.Any(d => d.ServiceType == typeof(ShapingRegistrations)))
        {
            return builder;
        }

        services.AddSingleton(new ShapingRegistrations(services));
        services.AddOptionsWithValidateOnStart<ShapingOptions, ShapingOptionsValidator>();
        services.AddOptions<ShapeLibraryCheck>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ShapeLibraryCheck>, ShapeLibraryCheckValidator>());
        AddInMemoryDefaults(services);
        return builder;
    }

    // ---------------------------------------------------------------------------------------------------------
    // The embedded defaults: everything a host needs to run with no infrastructure. Each is a TryAdd, so a host's
    // own registration (made before AddPredictiveShaping) wins, and the builder's Use* methods replace them.
    // ---------------------------------------------------------------------------------------------------------
    private static void AddInMemoryDefaults(IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ShapeSelector>();

        // The library is the source of truth for shapes. With a library of the host's own, the catalog service is a
        // snapshot of it; otherwise the catalog (the host's, or the embedded default) is the seed the library is
        // built from. Never both ways at once, so neither resolves the other in a circle.
        // Only a library registered as an instance counts here: a factory of the host's might itself resolve the catalog
        // (as the embedded default does), and then the catalog keeps its embedded default as before.
        var hostLibrary = services.Any(d => d.ServiceType == typeof(ShapeLibrary) && !d.IsKeyedService && d.ImplementationInstance is not null);
        services.TryAddSingleton<ShapeCatalog>(hostLibrary ? LibrarySnapshot : DefaultCatalog);
        services.TryAddSingleton<ShapeLibrary>(SeededLibrary);
        services.TryAddSingleton<ReplicaInventory>();
        services.TryAddSingleton(sp => new HysteresisScaler(
            sp.GetRequiredService<ShapeLibrary>().Current,
            sp.GetRequiredService<IOptions<ShapingOptions>>().Value.Scaler.ToPolicy()));
        services.TryAddSingleton(sp => sp.GetService<IMeterFactory>() is { } factory
            ? new ShapingTelemetry(factory)
            : ShapingTelemetry.Shared);
        services.TryAddSingleton<ICapacityLedger>(sp => new InMemoryCapacityLedger(
            sp.GetRequiredService<IOptions<ShapingOptions>>().Value.InMemoryRegions,
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IProvisioner>(sp =>
        {
            var time = sp.GetRequiredService<TimeProvider>();
            return new RegionalProvisioner(sp.GetRequiredService<IOptions<ShapingOptions>>().Value.InMemoryRegions.Keys
                .Select(region => new InMemoryRegion(region, timeProvider: time)));
        });
        services.TryAddSingleton<IUtilizationSource>(sp => new SyntheticUtilizationSource(
            sp.GetRequiredService<ReplicaInventory>(),
            new Dictionary<string, SyntheticLoadModel>(sp.GetRequiredService<IOptions<ShapingOptions>>().Value.SyntheticLoads, StringComparer.Ordinal),
            SyntheticLoadModel.Default,
            seed: 0,
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(typeof(ILoadPredictor), DefaultPredictorFactory);
        services.TryAddSingleton(sp => new RegionDecommissioner(
            sp.GetService<ShapeAdjustmentLoop>(), sp.GetService<ILoadPredictor>()));
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ShapingOptions>>().Value;
            return new ReplicaRequestHandler(
                sp.GetRequiredService<ShapeLibrary>(),
                sp.GetRequiredService<ILoadPredictor>(),
                sp.GetRequiredService<ICapacityLedger>(),
                sp.GetRequiredService<IProvisioner>(),
                sp.GetRequiredService<ReplicaInventory>(),
                options.ToRequestHandlerOptions(),
                sp.GetRequiredService<ShapeSelector>(),
                sp.GetRequiredService<ShapingTelemetry>(),
                sp.GetRequiredService<TimeProvider>());
        });
    }

    /// <summary>
    /// The catalog service when the host registers none: the embedded default shapes, which seed the default library; or,
    /// when the library that wins is an instance the host registered after <c>AddPredictiveShaping</c> (so that no
    /// default seeds it), a snapshot of that library, as <see cref="LibrarySnapshot"/> gives for one registered before.
    /// </summary>
    internal static readonly Func<IServiceProvider, ShapeCatalog> DefaultCatalog =
        static sp => sp.GetService<ShapingRegistrations>()?.HostLibraryInstance() is { } library ? library.Current : DefaultShapes.Create();

    /// <summary>The catalog service when the library is the host's: the library's catalog when first resolved.</summary>
    internal static readonly Func<IServiceProvider, ShapeCatalog> LibrarySnapshot =
        static sp => sp.GetRequiredService<ShapeLibrary>().Current;

    /// <summary>The library service unless the host brings one: seeded with the catalog service's shapes.</summary>
    internal static readonly Func<IServiceProvider, ShapeLibrary> SeededLibrary =
        static sp => new ShapeLibrary(sp.GetRequiredService<ShapeCatalog>().Shapes);

    /// <summary>The factory of the embedded default predictor, so <c>AddForecasting</c> can tell it from a host's own.</summary>
    internal static readonly Func<IServiceProvider, object> DefaultPredictorFactory =
        static sp => new DecayingHistogramPredictor(timeProvider: sp.GetRequiredService<TimeProvider>());
}
