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

    /// <summary>Uses <typeparamref name="TProvisioner"/> as the region control plane (a singleton), for example a Kubernetes adapter.</summary>
    /// <typeparam name="TProvisioner">The provisioner implementation.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IShapingBuilder UseProvisioner<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TProvisioner>(this IShapingBuilder builder)
        where TProvisioner : class, IProvisioner => Replace<IProvisioner, TProvisioner>(builder);

    /// <summary>Uses <typeparamref name="TPredictor"/> as the load predictor (a singleton), for example the forecasting engine.</summary>
    /// <typeparam name="TPredictor">The predictor implementation.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IShapingBuilder UseLoadPredictor<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TPredictor>(this IShapingBuilder builder)
        where TPredictor : class, ILoadPredictor => Replace<ILoadPredictor, TPredictor>(builder);

    /// <summary>Uses <typeparamref name="TSource"/> as the source of replica utilisation (a singleton), for example a Prometheus reader.</summary>
    /// <typeparam name="TSource">The utilisation source implementation.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IShapingBuilder UseUtilizationSource<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TSource>(this IShapingBuilder builder)
        where TSource : class, IUtilizationSource => Replace<IUtilizationSource, TSource>(builder);

    /// <summary>Uses a fixed catalog of shapes instead of the embedded default one.</summary>
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

        builder.Services.Replace(ServiceDescriptor.Singleton(catalog));
        return builder;
    }

    /// <summary>Uses a catalog of the given shapes instead of the embedded default one.</summary>
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

    /// <summary>Uses a catalog built from the container when first needed (for example from a <see cref="ShapeLibrary"/>).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Builds the catalog.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="factory"/> is <see langword="null"/>.</exception>
    public static IShapingBuilder UseCatalog(this IShapingBuilder builder, Func<IServiceProvider, ShapeCatalog> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.Replace(ServiceDescriptor.Singleton(factory));
        return builder;
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

    private static IShapingBuilder Replace<TService, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TImplementation>(IShapingBuilder builder)
        where TService : class
        where TImplementation : class, TService
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<TService, TImplementation>());
        return builder;
    }

    private static T Required<T>(IServiceProvider services, string howToRegister)
        where T : class =>
        services.GetService<T>()
        ?? throw new InvalidOperationException(
            $"The shape adjustment loop needs an {typeof(T).Name}; register one with services.AddPredictiveShaping().{howToRegister}.");
}
