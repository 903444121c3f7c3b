using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Shaping.Core.Capacity;
using Shaping.Core.ControlPlane;
using Shaping.Core.Prediction;
using Shaping.Core.Provisioning;
using Shaping.Core.Resources;
using Shaping.Core.Scaling;
using Shaping.Core.Selection;
using Shaping.Core.Shapes;

namespace Shaping.DependencyInjection.Tests;

public sealed class ShapingServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddPredictiveShaping_NoConfiguration_ResolvesWorkingDefaultsAndStarts()
    {
        var services = new ServiceCollection();
        services.AddPredictiveShaping();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        await provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None);
        var catalog = provider.GetRequiredService<ShapeCatalog>();
        var selector = provider.GetRequiredService<ShapeSelector>();
        var options = provider.GetRequiredService<IOptions<ShapingOptions>>().Value;
        var profile = LoadProfile.Exact(new ResourceVector(2, 6, 10, 0.5), new ResourceVector(3, 10, 20, 1), options.PlanningWindow);
        var ranking = new ScoredShape[3];
        var selection = selector.Select(catalog, profile, options.ToScoringPolicy(), ranking);

        Assert.False(catalog.IsEmpty);
        Assert.True(selection.Count > 0);
        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
        Assert.NotNull(provider.GetRequiredService<ReplicaInventory>());
        var library = provider.GetRequiredService<ShapeLibrary>();
        Assert.Same(library.Current, provider.GetRequiredService<HysteresisScaler>().Catalog);
        Assert.Equal(catalog.Shapes.Select(s => s.Name), library.Current.Shapes.Select(s => s.Name));
        Assert.Empty(provider.GetServices<IHostedService>());
    }

    [Fact]
    public void AddPredictiveShaping_SecondCall_AddsNothing()
    {
        var services = new ServiceCollection();
        services.AddPredictiveShaping();
        var count = services.Count;

        services.AddPredictiveShaping();
        services.AddPredictiveShaping().AddAdjustmentLoop().AddAdjustmentLoop();
        var withLoop = services.Count;
        services.AddPredictiveShaping().AddAdjustmentLoop();

        Assert.Equal(count + 2, withLoop);
        Assert.Equal(withLoop, services.Count);
    }

    [Fact]
    public void AddPredictiveShaping_HostRegistrationsMadeBefore_Win()
    {
        var time = new FakeTimeProvider();
        var catalog = new ShapeCatalog([new ResourceShape("only", new ResourceVector(1, 1, 1, 1), new ShapeProfile(1))]);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton(catalog);

        services.AddPredictiveShaping();
        using var provider = services.BuildServiceProvider();

        Assert.Same(time, provider.GetRequiredService<TimeProvider>());
        Assert.Same(catalog, provider.GetRequiredService<ShapeCatalog>());
        var library = provider.GetRequiredService<ShapeLibrary>();
        Assert.Equal("only", Assert.Single(library.Current.Shapes).Name); // the library is seeded from the host's catalog
        Assert.Same(library.Current, provider.GetRequiredService<HysteresisScaler>().Catalog);
    }

    [Fact]
    public void Builder_UseMethods_RegisterOrReplacePorts()
    {
        var shapes = new[] { new ResourceShape("a", new ResourceVector(1, 2, 3, 4), new ShapeProfile(1)) };
        var services = new ServiceCollection();
        services.AddPredictiveShaping()
            .UseCapacityLedger<RefusingLedger>()
            .UseProvisioner<RejectingProvisioner>()
            .UseLoadPredictor<SilentPredictor>()
            .UseUtilizationSource<CountingUtilizationSource>()
            .UseCatalog(shapes);
        services.AddPredictiveShaping().UseCapacityLedger<RefusingLedger>();
        using var provider = services.BuildServiceProvider();

        Assert.IsType<RefusingLedger>(provider.GetRequiredService<ICapacityLedger>());
        Assert.IsType<RejectingProvisioner>(provider.GetRequiredService<IProvisioner>());
        Assert.IsType<SilentPredictor>(provider.GetRequiredService<ILoadPredictor>());
        Assert.IsType<CountingUtilizationSource>(provider.GetRequiredService<IUtilizationSource>());
        Assert.Equal("a", Assert.Single(provider.GetRequiredService<ShapeCatalog>().Shapes).Name);
        Assert.Single(services, d => d.ServiceType == typeof(ICapacityLedger));
        Assert.Single(services, d => d.ServiceType == typeof(ShapeCatalog));
    }

    [Fact]
    public void Builder_UseMethodsWithAFactory_ServeTheHostsOwnInstances()
    {
        // A host that also needs its adapters under their own types registers them once and hands the same instances
        // to the ports (the generic Use* methods would create second instances).
        var services = new ServiceCollection();
        services.AddSingleton<RefusingLedger>();
        services.AddSingleton<RejectingProvisioner>();
        services.AddSingleton<SilentPredictor>();
        services.AddSingleton<CountingUtilizationSource>();
        services.AddPredictiveShaping()
            .UseCapacityLedger(sp => sp.GetRequiredService<RefusingLedger>())
            .UseProvisioner(sp => sp.GetRequiredService<RejectingProvisioner>())
            .UseLoadPredictor(sp => sp.GetRequiredService<SilentPredictor>())
            .UseUtilizationSource(sp => sp.GetRequiredService<CountingUtilizationSource>());
        services.AddPredictiveShaping().UseProvisioner(sp => sp.GetRequiredService<RejectingProvisioner>());
        using var provider = services.BuildServiceProvider();

        Assert.Same(provider.GetRequiredService<RefusingLedger>(), provider.GetRequiredService<ICapacityLedger>());
        Assert.Same(provider.GetRequiredService<RejectingProvisioner>(), provider.GetRequiredService<IProvisioner>());
        Assert.Same(provider.GetRequiredService<SilentPredictor>(), provider.GetRequiredService<ILoadPredictor>());
        Assert.Same(provider.GetRequiredService<CountingUtilizationSource>(), provider.GetRequiredService<IUtilizationSource>());
        Assert.Single(services, d => d.ServiceType == typeof(IProvisioner));
        Assert.Throws<ArgumentNullException>(() => services.AddPredictiveShaping().UseProvisioner((Func<IServiceProvider, IProvisioner>)null!));
    }

    [Fact]
    public async Task Builder_UseCatalogFactory_SeedsTheLibraryFromTheContainer()
    {
        var services = new ServiceCollection();
        services.AddSingleton(new ShapeStore([Shape("stored")]));
        services.AddPredictiveShaping().UseCatalog(sp => new ShapeCatalog(sp.GetRequiredService<ShapeStore>().Shapes)).AddAdjustmentLoop();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        await provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None);
        var library = provider.GetRequiredService<ShapeLibrary>();

        Assert.Equal("stored", Assert.Single(library.Current.Shapes).Name);
        Assert.Equal("stored", Assert.Single(provider.GetRequiredService<ShapeCatalog>().Shapes).Name);
        Assert.Same(library.Current, provider.GetRequiredService<HysteresisScaler>().Catalog);
        Assert.NotNull(provider.GetRequiredService<ShapeAdjustmentLoop>());
        Assert.NotNull(provider.GetRequiredService<ReplicaRequestHandler>());
    }

    [Fact]
    public async Task Builder_UseCatalog_SeedsTheLibraryAndReplacesAnEarlierLibrary()
    {
        var services = new ServiceCollection();
        services.AddPredictiveShaping().UseShapeLibrary(new ShapeLibrary([Shape("owned")])).UseCatalog([Shape("a"), Shape("b")]);
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        await provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None);

        Assert.Equal(["a", "b"], provider.GetRequiredService<ShapeLibrary>().Current.Shapes.Select(s => s.Name).Order());
        Assert.Single(services, d => d.ServiceType == typeof(ShapeLibrary));
        Assert.Single(services, d => d.ServiceType == typeof(ShapeCatalog));
    }

    [Fact]
    public async Task Builder_UseShapeLibrary_TheHandlerAndTheLoopUseTheHostsLibrary()
    {
        var library = new ShapeLibrary([Shape("owned")]);
        var services = new ServiceCollection();
        services.AddPredictiveShaping().UseCatalog([Shape("seed")]).UseShapeLibrary(library).AddAdjustmentLoop();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        await provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None);

        Assert.Same(library, provider.GetRequiredService<ShapeLibrary>());
        Assert.Same(library.Current, provider.GetRequiredService<ShapeCatalog>()); // a snapshot of the library
        Assert.Same(library.Current, provider.GetRequiredService<HysteresisScaler>().Catalog);
        Assert.NotNull(provider.GetRequiredService<ShapeAdjustmentLoop>());
        Assert.NotNull(provider.GetRequiredService<ReplicaRequestHandler>());
        Assert.Single(services, d => d.ServiceType == typeof(ShapeLibrary));
        Assert.Single(services, d => d.ServiceType == typeof(ShapeCatalog));
    }

    [Fact]
    public async Task Builder_UseShapeLibraryFactory_BuildsItFromTheContainerWithoutACycle()
    {
        var services = new ServiceCollection();
        services.AddSingleton(new ShapeStore([Shape("stored")]));
        services.AddPredictiveShaping().UseShapeLibrary(sp => new ShapeLibrary(sp.GetRequiredService<ShapeStore>().Shapes)).AddAdjustmentLoop();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        await provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None);
        var library = provider.GetRequiredService<ShapeLibrary>();

        Assert.Equal("stored", Assert.Single(library.Current.Shapes).Name);
        Assert.Same(library.Current, provider.GetRequiredService<ShapeCatalog>());
        Assert.NotNull(provider.GetRequiredService<ShapeAdjustmentLoop>());
    }

    [Fact]
    public void Builder_UseShapeLibraryFactoryReadingTheCatalog_FailsWithTheContainersCycleError()
    {
        // The catalog is the library's snapshot, so a library factory that reads it is a cycle: the container must
        // report it as one (not overflow the stack), naming the library.
        var services = new ServiceCollection();
        services.AddPredictiveShaping().UseShapeLibrary(sp => new ShapeLibrary(sp.GetRequiredService<ShapeCatalog>().Shapes));
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<ShapeLibrary>());

        Assert.Contains("circular dependency", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(ShapeLibrary), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Builder_UseCatalogFactoryReadingTheLibrary_FailsWithTheContainersCycleError()
    {
        var services = new ServiceCollection();
        services.AddPredictiveShaping().UseCatalog(sp => sp.GetRequiredService<ShapeLibrary>().Current);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<ShapeCatalog>());

        Assert.Contains("circular dependency", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPredictiveShaping_HostLibraryRegisteredBefore_IsTheSourceAndTheCatalogIsItsSnapshot()
    {
        var library = new ShapeLibrary([Shape("owned")]);
        var services = new ServiceCollection();
        services.AddSingleton(library);
        services.AddPredictiveShaping();
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        Assert.Same(library, provider.GetRequiredService<ShapeLibrary>());
        Assert.Same(library.Current, provider.GetRequiredService<ShapeCatalog>());
        Assert.Same(library.Current, provider.GetRequiredService<HysteresisScaler>().Catalog);
    }

    [Fact]
    public async Task AddPredictiveShaping_HostLibraryRegisteredAfter_TheCatalogIsItsSnapshotNotTheDefaultShapes()
    {
        // Registered after the call, the host's library is what is served (the last registration wins); the catalog
        // service must then be that library's snapshot, as it is for one registered before, not the embedded default
        // shapes, which nothing serves.
        var library = new ShapeLibrary([Shape("owned")]);
        var services = new ServiceCollection();
        services.AddPredictiveShaping().AddAdjustmentLoop();
        services.AddSingleton(library);
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        await provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None);

        Assert.Same(library, provider.GetRequiredService<ShapeLibrary>());
        Assert.Same(library.Current, provider.GetRequiredService<ShapeCatalog>());
        Assert.Same(library.Current, provider.GetRequiredService<HysteresisScaler>().Catalog);
    }

    [Fact]
    public void AddPredictiveShaping_HostLibraryFactoryRegisteredBeforeThatReadsTheCatalog_ResolvesWithoutACycle()
    {
        // The embedded default's own pattern: a library built from the catalog service. It must keep working.
        var services = new ServiceCollection();
        services.AddSingleton(sp => new ShapeLibrary(sp.GetRequiredService<ShapeCatalog>().Shapes));
        services.AddPredictiveShaping().AddAdjustmentLoop();
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var library = provider.GetRequiredService<ShapeLibrary>();
        Assert.Equal(provider.GetRequiredService<ShapeCatalog>().Shapes.Select(s => s.Name), library.Current.Shapes.Select(s => s.Name));
        Assert.NotNull(provider.GetRequiredService<ShapeAdjustmentLoop>());
    }

    [Fact]
    public async Task AddPredictiveShaping_EmptyCatalogOrLibrary_FailsAtStartNamingTheFix()
    {
        var fromCatalog = new ServiceCollection();
        fromCatalog.AddPredictiveShaping().UseCatalog(_ => new ShapeCatalog([])).AddAdjustmentLoop();
        var fromLibrary = new ServiceCollection();
        fromLibrary.AddPredictiveShaping().UseShapeLibrary(new ShapeLibrary());

        foreach (var services in new[] { fromCatalog, fromLibrary })
        {
            await using var provider = services.BuildServiceProvider();
            var ex = await Assert.ThrowsAsync<OptionsValidationException>(
                () => provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None));

            var message = Assert.Single(ex.Failures);
            Assert.Contains("UseCatalog", message, StringComparison.Ordinal);
            Assert.Contains("UseShapeLibrary", message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AddPredictiveShaping_CatalogAddedAfter_SeedsTheLibrary()
    {
        // A plain AddSingleton after AddPredictiveShaping is the last registration, so it is the catalog service, and the
        // library (built from that service when first resolved) serves it. The start-up check must leave this alone.
        var instance = new ServiceCollection();
        instance.AddPredictiveShaping().AddAdjustmentLoop();
        instance.AddSingleton(new ShapeCatalog([Shape("host")]));
        var factory = new ServiceCollection();
        factory.AddPredictiveShaping().AddAdjustmentLoop();
        factory.AddSingleton(_ => new ShapeCatalog([Shape("host")]));

        foreach (var services in new[] { instance, factory })
        {
            await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
            await provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None);

            var library = provider.GetRequiredService<ShapeLibrary>();
            Assert.Equal("host", Assert.Single(library.Current.Shapes).Name);
            Assert.Same(library.Current, provider.GetRequiredService<HysteresisScaler>().Catalog);
            Assert.Equal("host", Assert.Single(provider.GetRequiredService<ShapeCatalog>().Shapes).Name);
        }
    }

    public static TheoryData<string> CatalogsBesideAHostLibrary() =>
    [
        "UseShapeLibrary, then AddSingleton(catalog)",
        "UseShapeLibrary(factory), then AddSingleton(catalog factory)",
        "UseShapeLibrary, then Replace(catalog)",
        "library instance before AddPredictiveShaping, catalog after",
        "library instance and catalog both before AddPredictiveShaping",
    ];

    [Theory]
    [MemberData(nameof(CatalogsBesideAHostLibrary))]
    public async Task AddPredictiveShaping_CatalogBesideTheHostsLibrary_FailsAtStartNamingTheFix(string registration)
    {
        // The library is the source of shapes, so a catalog the host registers beside a library of its own is not what
        // the handler and the loop serve; before this check the host started and silently served the library's shapes
        // while the ShapeCatalog service returned the host's catalog.
        var services = new ServiceCollection();
        var library = new ShapeLibrary([Shape("owned")]);
        var catalog = new ShapeCatalog([Shape("wanted")]);
        switch (registration)
        {
            case "UseShapeLibrary, then AddSingleton(catalog)":
                services.AddPredictiveShaping().UseShapeLibrary(library);
                services.AddSingleton(catalog);
                break;
            case "UseShapeLibrary(factory), then AddSingleton(catalog factory)":
                services.AddPredictiveShaping().UseShapeLibrary(_ => library);
                services.AddSingleton(_ => catalog);
                break;
            case "UseShapeLibrary, then Replace(catalog)":
                services.AddPredictiveShaping().UseShapeLibrary(library);
                services.Replace(ServiceDescriptor.Singleton(catalog));
                break;
            case "library instance before AddPredictiveShaping, catalog after":
                services.AddSingleton(library);
                services.AddPredictiveShaping();
                services.AddSingleton(catalog);
                break;
            default:
                services.AddSingleton(catalog);
                services.AddSingleton(library);
                services.AddPredictiveShaping();
                break;
        }

        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(
            () => provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None));

        var message = Assert.Single(ex.Failures);
        Assert.Contains("'wanted'", message, StringComparison.Ordinal);
        Assert.Contains("UseCatalog(", message, StringComparison.Ordinal);
        Assert.Contains("UseShapeLibrary(", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddPredictiveShaping_CatalogBesideTheHostsLibraryThatHoldsItsShapes_Starts()
    {
        // A host that builds its library from the catalog it also registers serves that catalog: nothing to report.
        var catalog = new ShapeCatalog([Shape("a"), Shape("b")]);
        var given = new ServiceCollection();
        given.AddPredictiveShaping().UseShapeLibrary(new ShapeLibrary([.. catalog.Shapes, Shape("extra")]));
        given.AddSingleton(catalog);
        var built = new ServiceCollection();
        built.AddSingleton(catalog);
        built.AddSingleton(sp => new ShapeLibrary(sp.GetRequiredService<ShapeCatalog>().Shapes));
        built.AddPredictiveShaping().AddAdjustmentLoop();

        foreach (var services in new[] { given, built })
        {
            await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
            await provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None);

            Assert.Same(catalog, provider.GetRequiredService<ShapeCatalog>());
            Assert.Contains(provider.GetRequiredService<ShapeLibrary>().Current.Shapes, s => s.Name == "a");
        }
    }

    [Fact]
    public async Task AddPredictiveShaping_HostLibraryWithoutACatalog_StartsAndTheCatalogIsItsSnapshot()
    {
        var library = new ShapeLibrary([Shape("owned")]);
        var services = new ServiceCollection();
        services.AddSingleton(library);
        services.AddPredictiveShaping().AddAdjustmentLoop();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        await provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None);

        Assert.Same(library.Current, provider.GetRequiredService<ShapeCatalog>());
    }

    [Fact]
    public void Builder_UseShapeLibrary_NullArguments_Throw()
    {
        var builder = new ServiceCollection().AddPredictiveShaping();

        Assert.Throws<ArgumentNullException>("library", () => builder.UseShapeLibrary((ShapeLibrary)null!));
        Assert.Throws<ArgumentNullException>("factory", () => builder.UseShapeLibrary((Func<IServiceProvider, ShapeLibrary>)null!));
        Assert.Throws<ArgumentNullException>("builder", () => ((IShapingBuilder)null!).UseShapeLibrary(new ShapeLibrary()));
    }

    private static ResourceShape Shape(string name) => new(name, new ResourceVector(2, 8, 50, 1), new ShapeProfile(0.1));

    private sealed record ShapeStore(IReadOnlyList<ResourceShape> Shapes);

    [Fact]
    public void Builder_UseCatalogEmpty_Throws()
    {
        var builder = new ServiceCollection().AddPredictiveShaping();

        Assert.Throws<ArgumentException>("catalog", () => builder.UseCatalog(ShapeCatalog.Empty));
    }

    [Fact]
    public async Task AddPredictiveShaping_InvalidOption_FailsAtStartNamingTheSetting()
    {
        var services = new ServiceCollection();
        services.AddPredictiveShaping(o => o.Scaler.DownBand = 0.9);
        await using var provider = services.BuildServiceProvider();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(
            () => provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None));

        Assert.Contains("ShapingOptions.Scaler.DownBand (0.9) must be below UpBand (0.8).", ex.Failures);
    }

    [Fact]
    public async Task AddPredictiveShaping_SeveralInvalidOptions_NamesEachWithItsValue()
    {
        var services = new ServiceCollection();
        services.AddPredictiveShaping(o =>
        {
            o.Tradeoff = 1.5;
            o.AdjustmentInterval = TimeSpan.Zero;
            o.Scaler.MaxSwitchesPerPeriod = 0;
            o.Scaler.UpStabilizationWindow = TimeSpan.FromMinutes(20);
            o.AdjustmentMaxRetryBackoff = TimeSpan.FromSeconds(30);
        });
        await using var provider = services.BuildServiceProvider();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(
            () => provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None));

        Assert.Contains("ShapingOptions.Tradeoff (1.5) must be in [0, 1].", ex.Failures);
        Assert.Contains("ShapingOptions.AdjustmentInterval (00:00:00) must be positive.", ex.Failures);
        Assert.Contains("ShapingOptions.Scaler.MaxSwitchesPerPeriod (0) must be between 1 and 8.", ex.Failures);
        Assert.Contains("ShapingOptions.Scaler.DownStabilizationWindow (00:10:00) must be at least UpStabilizationWindow (00:20:00).", ex.Failures);
        Assert.Contains("ShapingOptions.AdjustmentMaxRetryBackoff (00:00:30) must be at least AdjustmentRetryBackoff (00:01:00).", ex.Failures);
        Assert.Equal(5, ex.Failures.Count());
    }

    [Fact]
    public async Task AddPredictiveShaping_InvalidInMemoryRegion_FailsAtStartNamingIt()
    {
        var services = new ServiceCollection();
        services.AddPredictiveShaping(o => o.InMemoryRegions["eu"] = new ResourceVector(-1, 4, 4, 4));
        await using var provider = services.BuildServiceProvider();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(
            () => provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None));

        Assert.StartsWith("ShapingOptions.InMemoryRegions[eu] (-1 cores", Assert.Single(ex.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddPredictiveShaping_ConfigureOnSecondCall_IsApplied()
    {
        var services = new ServiceCollection();
        services.AddPredictiveShaping(o => o.Tradeoff = 0.2);
        services.AddPredictiveShaping(o => o.Headroom = 0.3);
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<ShapingOptions>>().Value;

        Assert.Equal((0.2, 0.3), (options.Tradeoff, options.Headroom));
        await provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None);
    }

    [Fact]
    public async Task AddAdjustmentLoop_HostedServiceRunsCyclesOnTheTimeProvider()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var source = new CountingUtilizationSource();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<IUtilizationSource>(source);
        services.AddPredictiveShaping(o => o.AdjustmentInterval = TimeSpan.FromSeconds(10))
            .UseCapacityLedger<RefusingLedger>()
            .UseProvisioner<RejectingProvisioner>()
            .AddAdjustmentLoop();
        await using var provider = services.BuildServiceProvider();
        var hosted = Assert.Single(provider.GetServices<IHostedService>());
        var loop = provider.GetRequiredService<ShapeAdjustmentLoop>();

        await hosted.StartAsync(CancellationToken.None);
        Assert.True(await source.Reads.WaitAsync(TimeSpan.FromSeconds(30)));
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(await source.Reads.WaitAsync(TimeSpan.FromSeconds(30)));
        await hosted.StopAsync(CancellationToken.None);

        Assert.True(loop.CompletedCycles >= 1);
        Assert.Equal(0, loop.FailedCycles);
    }

    [Fact]
    public async Task AddAdjustmentLoop_UtilizationSourceRemoved_ExplainsWhatToRegister()
    {
        var services = new ServiceCollection();
        services.AddPredictiveShaping().UseCapacityLedger<RefusingLedger>().UseProvisioner<RejectingProvisioner>().AddAdjustmentLoop();
        services.RemoveAll<IUtilizationSource>();
        await using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<ShapeAdjustmentLoop>());

        Assert.Contains("UseUtilizationSource<T>()", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPredictiveShaping_NoUtilizationSource_DefaultsToTheSyntheticSourceOverTheInventory()
    {
        var services = new ServiceCollection();
        services.AddPredictiveShaping();
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var source = Assert.IsType<SyntheticUtilizationSource>(provider.GetRequiredService<IUtilizationSource>());

        Assert.Same(source, provider.GetRequiredService<IUtilizationSource>());
        Assert.Same(SyntheticLoadModel.Default, source.GetLoadModel("local"));
    }

    [Fact]
    public void AddPredictiveShaping_HostUtilizationSource_WinsOverTheSyntheticDefault()
    {
        var own = new CountingUtilizationSource();
        var before = new ServiceCollection();
        before.AddSingleton<IUtilizationSource>(own);
        before.AddPredictiveShaping().AddAdjustmentLoop();
        var after = new ServiceCollection();
        after.AddPredictiveShaping().AddAdjustmentLoop().UseUtilizationSource<CountingUtilizationSource>();
        using var first = before.BuildServiceProvider();
        using var second = after.BuildServiceProvider();

        Assert.Same(own, first.GetRequiredService<IUtilizationSource>());
        Assert.Single(before, d => d.ServiceType == typeof(IUtilizationSource));
        Assert.IsType<CountingUtilizationSource>(second.GetRequiredService<IUtilizationSource>());
        Assert.Single(after, d => d.ServiceType == typeof(IUtilizationSource));
    }

    [Fact]
    public async Task AddAdjustmentLoop_NoFurtherConfiguration_RunsCyclesOnTheSyntheticSourceAndFeedsThePredictor()
    {
        var start = new DateTimeOffset(2026, 1, 1, 14, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider(start);
        var predictor = new SignallingPredictor();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<ILoadPredictor>(predictor);
        var steady = new SyntheticLoadModel(new ResourceVector(6, 12, 30, 1.5), amplitude: 0, noise: 0);
        services.AddPredictiveShaping(o =>
            {
                o.AdjustmentInterval = TimeSpan.FromSeconds(10);
                o.SyntheticLoads["local"] = steady;
            })
            .AddAdjustmentLoop();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        await provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None);
        var catalog = provider.GetRequiredService<ShapeCatalog>();
        var shape = catalog[catalog.IndexOf("general-4x16")];
        provider.GetRequiredService<ReplicaInventory>().AddProvisioned("local", ["local-1", "local-2"], shape, ReservationId.Create("r"));
        var hosted = Assert.Single(provider.GetServices<IHostedService>());
        var loop = provider.GetRequiredService<ShapeAdjustmentLoop>();

        await hosted.StartAsync(CancellationToken.None);
        var first = await predictor.Next.WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromSeconds(10));
        var second = await predictor.Next.WaitAsync(TimeSpan.FromSeconds(30));
        await hosted.StopAsync(CancellationToken.None);

        Assert.Equal(("local", start, steady.MeanDemand), first);
        Assert.Equal(("local", start + TimeSpan.FromSeconds(10), steady.MeanDemand), second);
        Assert.True(loop.CompletedCycles >= 2);
        Assert.Equal(0, loop.FailedCycles);
        Assert.True(loop.TryGetState("local-1", out var state));
        Assert.Equal(provider.GetRequiredService<ShapeCatalog>().IndexOf("general-4x16"), state.ShapeIndex);
    }

    [Fact]
    public async Task AddAdjustmentLoop_ShapesRetiredAndAddedInTheLibrary_AreFollowedByTheLoop()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 14, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddPredictiveShaping(o =>
            {
                o.SyntheticLoads["local"] = new SyntheticLoadModel(new ResourceVector(0.5, 1, 5, 0.1), amplitude: 0, noise: 0);
                o.Scaler.SmoothingTimeConstant = TimeSpan.Zero;
                o.Scaler.DownStabilizationWindow = o.Scaler.UpStabilizationWindow;
                o.Scaler.Cooldown = TimeSpan.Zero;
            })
            .AddAdjustmentLoop();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        var predictor = provider.GetRequiredService<ILoadPredictor>();
        for (var minute = 120; minute > 0; minute--)
        {
            predictor.Observe("local", time.GetUtcNow().AddMinutes(-minute), new ResourceVector(12, 40, 40, 1.5));
        }

        var provisioned = await provider.GetRequiredService<ReplicaRequestHandler>()
            .HandleAsync(new ReplicaRequest("local", 2, TimeSpan.FromHours(1), "k"));
        Assert.True(provisioned.IsProvisioned, provisioned.Message);
        var library = provider.GetRequiredService<ShapeLibrary>();
        var loop = provider.GetRequiredService<ShapeAdjustmentLoop>();

        // The load is far below what was provisioned: the cheapest shapes would be the targets, but they are retired.
        library.Retire("general-2x8");
        library.Retire("general-4x16");
        var afterRetire = await RunCyclesAsync(loop, time, 3);
        library.Add(new ResourceShape("tiny-1x2", new ResourceVector(1, 2, 20, 0.5), new ShapeProfile(0.03, 1, SizeClass.Small)));
        var afterAdd = await RunCyclesAsync(loop, time, 4);

        Assert.NotEmpty(afterRetire);
        Assert.All(afterRetire.Concat(afterAdd), m => Assert.False(library.IsRetired(m.To.Name), m.To.Name));
        Assert.All(afterRetire, m => Assert.Equal((ShapeMoveOutcome.Applied, "memory-4x32"), (m.Outcome, m.To.Name)));
        Assert.Contains(afterAdd, m => m.Outcome == ShapeMoveOutcome.Applied && m.To.Name == "tiny-1x2");
        Assert.All(provider.GetRequiredService<ReplicaInventory>().Snapshot(), r => Assert.Equal("tiny-1x2", r.Shape.Name));
    }

    private static async Task<List<ShapeMove>> RunCyclesAsync(ShapeAdjustmentLoop loop, FakeTimeProvider time, int cycles)
    {
        var moves = new List<ShapeMove>();
        for (var i = 0; i < cycles; i++)
        {
            moves.AddRange((await loop.RunOnceAsync()).Moves);
            time.Advance(TimeSpan.FromMinutes(1));
        }

        return moves;
    }

    [Fact]
    public async Task AddPredictiveShaping_NullSyntheticLoad_FailsAtStartNamingIt()
    {
        var services = new ServiceCollection();
        services.AddPredictiveShaping(o => o.SyntheticLoads["eu"] = null!);
        await using var provider = services.BuildServiceProvider();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(
            () => provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None));

        Assert.Equal("ShapingOptions.SyntheticLoads[eu] must not be null.", Assert.Single(ex.Failures));
    }

    [Fact]
    public void AddPredictiveShaping_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>("services", () => ((IServiceCollection)null!).AddPredictiveShaping());
        Assert.Throws<ArgumentNullException>("builder", () => ((IShapingBuilder)null!).UseCapacityLedger<RefusingLedger>());
        Assert.Throws<ArgumentNullException>("builder", () => ((IShapingBuilder)null!).AddAdjustmentLoop());
    }
}
