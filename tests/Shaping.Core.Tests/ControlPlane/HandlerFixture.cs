using Shaping.Core.Capacity;
using Shaping.Core.ControlPlane;
using Shaping.Core.Prediction;
using Shaping.Core.Provisioning;
using Shaping.Core.Resources;
using Shaping.Core.Shapes;

namespace Shaping.Core.Tests.ControlPlane;

/// <summary>Two in-memory regions ("eu", "us") with a ledger, a fixed predictor and a handler over them.</summary>
internal sealed class HandlerFixture
{
    public static readonly ResourceVector RegionTotal = new(64, 256, 2048, 32);

    private readonly ReplicaRequestHandlerOptions _options;
    private readonly ILoadPredictor _predictor;

    public HandlerFixture(
        ReplicaRequestHandlerOptions? options = null,
        Func<IProvisioner, IProvisioner>? wrap = null,
        int seed = 0,
        ILoadPredictor? predictor = null,
        Func<ICapacityLedger, ICapacityLedger>? wrapLedger = null)
    {
        Time = new TimerTrackingClock(Epoch);
        Library = TestShapes.Library();
        Predictor = new FixedPredictor()
            .Set("eu", TestShapes.RegionProfile(3, replicas: 2))
            .Set("us", TestShapes.RegionProfile(3, replicas: 2));
        Ledger = new InMemoryCapacityLedger([new("eu", RegionTotal), new("us", RegionTotal)], Time);
        Eu = new InMemoryRegion("eu", seed, Time);
        Us = new InMemoryRegion("us", seed + 1, Time);
        IProvisioner provisioner = new RegionalProvisioner(Eu, Us);
        Provisioner = wrap is null ? provisioner : wrap(provisioner);
        Inventory = new ReplicaInventory();
        options ??= new ReplicaRequestHandlerOptions();
        options.RetryDelay = TimeSpan.Zero;
        HandlerLedger = wrapLedger is null ? Ledger : wrapLedger(Ledger);
        _options = options;
        _predictor = predictor ?? Predictor;
        Handler = NewHandler();
    }

    /// <summary>The fixture clock's start; tests that build their own clocked parts start them here.</summary>
    public static DateTimeOffset Epoch { get; } = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);

    public TimerTrackingClock Time { get; }

    public ShapeLibrary Library { get; }

    public FixedPredictor Predictor { get; }

    /// <summary>The in-memory ledger under any wrapper: what the tests inspect.</summary>
    public InMemoryCapacityLedger Ledger { get; }

    /// <summary>The ledger the handler talks to: <see cref="Ledger"/>, or the wrapper around it.</summary>
    public ICapacityLedger HandlerLedger { get; }

    public InMemoryRegion Eu { get; }

    public InMemoryRegion Us { get; }

    public IProvisioner Provisioner { get; }

    public ReplicaInventory Inventory { get; private set; }

    public ReplicaRequestHandler Handler { get; private set; }

    /// <summary>
    /// A process restart of the control plane: <see cref="Handler"/> becomes a new handler, with none of the old one's
    /// memory, over the same regions, ledger and inventory (which a host keeps or rebuilds across restarts).
    /// </summary>
    public void Restart() => Handler = NewHandler();

    /// <summary>
    /// A process restart in which the inventory is rebuilt too: <see cref="Inventory"/> becomes
    /// <paramref name="inventory"/> (restored from a snapshot, or a fresh one) and <see cref="Handler"/> a new handler over it.
    /// </summary>
    public void Restart(ReplicaInventory inventory)
    {
        Inventory = inventory;
        Handler = NewHandler();
    }

    /// <summary>
    /// A restart in which the inventory is restored from records without their request keys, as from a snapshot
    /// persisted before records carried them: the new handler cannot find a request's replicas by its key, so a
    /// resubmission reaches the region, which answers the key with the replicas the inventory tracks.
    /// </summary>
    public void RestartWithoutRequestKeys() =>
        Restart(new ReplicaInventory(Inventory.Snapshot().Select(record => record with { RequestKey = null })));

    public static ReplicaRequest Request(string key = "req-1", int replicas = 2, double? tradeoff = 0, params string[] failover) =>
        new("eu", replicas, TimeSpan.FromHours(1), key) { Tradeoff = tradeoff, FailoverRegions = failover.Length == 0 ? null : failover };

    private ReplicaRequestHandler NewHandler() =>
        new(Library, _predictor, HandlerLedger, Provisioner, Inventory, _options, timeProvider: Time);

    public RegionCapacity Capacity(string region)
    {
        Assert.True(Ledger.TryGetRegionCapacity(region, out var capacity));
        return capacity;
    }

    /// <summary>Nothing held, and the ledger's committed capacity is exactly what the inventory's replicas use.</summary>
    public void AssertConsistent()
    {
        Assert.Equal(0, Ledger.CountHeld());
        foreach (var region in new[] { "eu", "us" })
        {
            var expected = ResourceVector.Zero;
            foreach (var replica in Inventory.Snapshot().Where(r => r.Region == region))
            {
                expected += replica.Shape.Capacity;
            }

            var committed = Capacity(region).Committed;
            Assert.Equal(expected.CpuCores, committed.CpuCores, 9);
            Assert.Equal(expected.MemoryGiB, committed.MemoryGiB, 9);
            Assert.Equal(expected.NetworkGbps, committed.NetworkGbps, 9);
            var running = (region == "eu" ? Eu : Us).GetReplicas().Keys.Order(StringComparer.Ordinal);
            Assert.Equal(running, Inventory.Snapshot().Where(r => r.Region == region).Select(r => r.ReplicaId).Order(StringComparer.Ordinal));
        }
    }
}
