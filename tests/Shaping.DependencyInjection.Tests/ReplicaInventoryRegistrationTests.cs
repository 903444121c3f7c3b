using Microsoft.Extensions.DependencyInjection;
using Shaping.Core.Capacity;
using Shaping.Core.ControlPlane;
using Shaping.Core.Prediction;
using Shaping.Core.Provisioning;
using Shaping.Core.Resources;
using Shaping.Core.Shapes;

namespace Shaping.DependencyInjection.Tests;

/// <summary>A host restores the replica inventory it persisted before a restart through the container.</summary>
public sealed class ReplicaInventoryRegistrationTests
{
    private static readonly ResourceVector RegionTotal = new(512, 2048, 20_000, 200);
    private static readonly ResourceShape Shape = new("g-2x8", new ResourceVector(2, 8, 50, 1), new ShapeProfile(0.1));

    // Two containers in turn over one ledger and one region (both outlive the process in a real deployment): the
    // second serves a resubmission of the first's completed request. Only with the first's inventory restored does
    // the handler see that the region's answer names replicas the ledger already counts.
    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 2)]
    public async Task UseReplicaInventory_RestoredAfterARestart_ResubmissionIsCountedOnce(bool restore, int timesCounted)
    {
        var ledger = new InMemoryCapacityLedger([new("local", RegionTotal)]);
        var provisioner = new RegionalProvisioner(new InMemoryRegion("local"));
        var predictor = new DecayingHistogramPredictor();
        var now = TimeProvider.System.GetUtcNow();
        for (var i = 0; i < 30; i++)
        {
            predictor.Observe("local", now.AddMinutes(i - 30), new ResourceVector(1.5, 3, 10, 0.2));
        }

        var request = new ReplicaRequest("local", 2, TimeSpan.FromHours(1), "A");
        IReadOnlyList<ReplicaRecord> persisted;
        ReplicaResult first;
        await using (var before = Build(ledger, provisioner, predictor, builder => { }))
        {
            first = await before.GetRequiredService<ReplicaRequestHandler>().HandleAsync(request);
            Assert.True(first.IsProvisioned, first.Message);
            persisted = before.GetRequiredService<ReplicaInventory>().Snapshot();
        }

        Assert.True(ledger.TryGetRegionCapacity("local", out var capacity));
        var committed = capacity.Committed;
        var restored = new ReplicaInventory(persisted);
        await using var after = Build(ledger, provisioner, predictor, builder =>
        {
            if (restore)
            {
                builder.UseReplicaInventory(restored);
            }
        });

        var again = await after.GetRequiredService<ReplicaRequestHandler>().HandleAsync(request);

        Assert.True(again.IsProvisioned, again.Message);
        Assert.Equal(first.ReplicaIds, again.ReplicaIds);
        Assert.True(ledger.TryGetRegionCapacity("local", out capacity));
        Assert.Equal(committed.CpuCores * timesCounted, capacity.Committed.CpuCores, 9);
        Assert.Equal(restore, ReferenceEquals(restored, after.GetRequiredService<ReplicaInventory>()));
    }

    [Fact]
    public async Task UseReplicaInventory_Factory_IsCalledOnceAndSharedByTheHandlerTheLoopAndTheSource()
    {
        var calls = 0;
        var services = new ServiceCollection();
        services.AddPredictiveShaping()
            .UseReplicaInventory(_ =>
            {
                calls++;
                return new ReplicaInventory([new ReplicaRecord("local", "kept", Shape, new ReservationId("r"))]);
            })
            .AddAdjustmentLoop();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        Assert.NotNull(provider.GetRequiredService<ReplicaRequestHandler>());
        Assert.NotNull(provider.GetRequiredService<ShapeAdjustmentLoop>());
        var observed = await provider.GetRequiredService<IUtilizationSource>().ReadAsync();

        Assert.Equal(1, calls);
        Assert.True(provider.GetRequiredService<ReplicaInventory>().TryGet("kept", out _));
        Assert.Equal("kept", Assert.Single(observed).ReplicaId); // the synthetic source reports the restored replica
        Assert.Single(services, d => d.ServiceType == typeof(ReplicaInventory));
    }

    // TryAdd: an inventory the host registers first wins over the default, as for every other service.
    [Fact]
    public async Task ReplicaInventoryRegisteredBeforeAddPredictiveShaping_IsTheOneServed()
    {
        var inventory = new ReplicaInventory();
        var services = new ServiceCollection();
        services.AddSingleton(inventory);
        services.AddPredictiveShaping().AddAdjustmentLoop();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        Assert.Same(inventory, provider.GetRequiredService<ReplicaInventory>());
        Assert.Single(services, d => d.ServiceType == typeof(ReplicaInventory));
    }

    [Fact]
    public void UseReplicaInventory_NullArguments_Throw()
    {
        var builder = new ServiceCollection().AddPredictiveShaping();

        Assert.Throws<ArgumentNullException>("builder", () => ShapingBuilderExtensions.UseReplicaInventory(null!, new ReplicaInventory()));
        Assert.Throws<ArgumentNullException>("inventory", () => builder.UseReplicaInventory((ReplicaInventory)null!));
        Assert.Throws<ArgumentNullException>("factory", () => builder.UseReplicaInventory((Func<IServiceProvider, ReplicaInventory>)null!));
    }

    private static ServiceProvider Build(ICapacityLedger ledger, IProvisioner provisioner, ILoadPredictor predictor, Action<IShapingBuilder> configure)
    {
        var services = new ServiceCollection();
        var builder = services.AddPredictiveShaping(options => options.InMemoryRegions["local"] = RegionTotal)
            .UseCapacityLedger(_ => ledger)
            .UseProvisioner(_ => provisioner)
            .UseLoadPredictor(_ => predictor);
        configure(builder);
        return services.BuildServiceProvider(validateScopes: true);
    }
}
