using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;
using Shaping.Core.Capacity;
using Shaping.Core.ControlPlane;
using Shaping.Core.Provisioning;
using Shaping.Core.Resources;
using Shaping.Core.Scaling;
using Shaping.Core.Shapes;
using Shaping.Core.Tests.Scaling;

namespace Shaping.Core.Tests.Provisioning;

public sealed class SyntheticUtilizationSourceTests
{
    private const string West = "eu-west";
    private const string East = "us-east";
    private static readonly DateTimeOffset Peak = new(2026, 3, 1, 14, 0, 0, TimeSpan.Zero);

    // Steady (no cycle at 14:00 since the amplitude is zero), noiseless: the demand is exactly the mean.
    private static SyntheticLoadModel Steady(double cores) => new(new ResourceVector(cores, cores * 4, 10, cores * 0.1), amplitude: 0, noise: 0);

    [Fact]
    public void Constructor_BadArguments_Throw()
    {
        var loads = new Dictionary<string, SyntheticLoadModel> { [West] = Steady(1) };

        Assert.Throws<ArgumentNullException>("inventory", () => new SyntheticUtilizationSource(null!, loads));
        Assert.Throws<ArgumentNullException>("regionLoads", () => new SyntheticUtilizationSource(new ReplicaInventory(), null!));
        Assert.Throws<ArgumentException>(
            "regionLoads", () => new SyntheticUtilizationSource(new ReplicaInventory(), new Dictionary<string, SyntheticLoadModel> { [West] = null! }));
        Assert.Throws<ArgumentException>(
            "regionLoads", () => new SyntheticUtilizationSource(new ReplicaInventory(), new Dictionary<string, SyntheticLoadModel> { [" "] = Steady(1) }));
        Assert.Throws<ArgumentNullException>("regions", () => SyntheticUtilizationSource.ForRegions(null!, loads));
        Assert.Throws<ArgumentException>(
            "regions", () => SyntheticUtilizationSource.ForRegions([new InMemoryRegion(West), new InMemoryRegion(West)], loads));
    }

    [Fact]
    public async Task ReadAsync_NoiselessLoad_SpreadsTheRegionDemandEvenlyOverItsReplicas()
    {
        var time = new FakeTimeProvider(Peak);
        var inventory = new ReplicaInventory();
        inventory.AddProvisioned(West, ["w1", "w2"], TestShapes.Large, ReservationId.Create("r1"));
        inventory.AddProvisioned(West, ["w3"], TestShapes.XLarge, ReservationId.Create("r2"));
        inventory.AddProvisioned(East, ["e1"], TestShapes.Large, ReservationId.Create("r3"));
        var source = new SyntheticUtilizationSource(
            inventory, new Dictionary<string, SyntheticLoadModel> { [West] = Steady(12), [East] = Steady(6) }, timeProvider: time);

        var observations = await source.ReadAsync();

        Assert.Equal(["w1", "w2", "w3", "e1"], observations.Select(o => o.ReplicaId));
        Assert.All(observations, o => Assert.Equal(Peak, o.Timestamp));
        var w1 = observations.Single(o => o.ReplicaId == "w1");
        Assert.Equal((West, "l-8x32"), (w1.Region, w1.ShapeName));
        AssertClose(new ResourceVector(4, 16, 10.0 / 3, 0.4), w1.Used);
        AssertClose(new ResourceVector(6, 24, 10, 0.6), observations.Single(o => o.ReplicaId == "e1").Used);
    }

    private static void AssertClose(ResourceVector expected, ResourceVector actual)
    {
        foreach (var d in Enum.GetValues<Dimension>())
        {
            Assert.Equal(expected[d], actual[d], 9);
        }
    }

    [Fact]
    public async Task ReadAsync_DemandAboveCapacity_IsCappedAtTheShape()
    {
        var inventory = new ReplicaInventory();
        inventory.AddProvisioned(West, ["w1"], TestShapes.Small, ReservationId.Create("r1"));
        var source = new SyntheticUtilizationSource(
            inventory, new Dictionary<string, SyntheticLoadModel> { [West] = Steady(5) }, timeProvider: new FakeTimeProvider(Peak));

        var used = Assert.Single(await source.ReadAsync()).Used;

        Assert.Equal(new ResourceVector(2, 8, 10, 0.5), used); // CPU and memory saturate at 2 cores and 8 GiB
    }

    [Fact]
    public async Task ReadAsync_RegionWithoutModel_IsReportedOnlyWithADefault()
    {
        var inventory = new ReplicaInventory();
        inventory.AddProvisioned(East, ["e1"], TestShapes.Medium, ReservationId.Create("r1"));
        var loads = new Dictionary<string, SyntheticLoadModel> { [West] = Steady(1) };
        var time = new FakeTimeProvider(Peak);

        var without = new SyntheticUtilizationSource(inventory, loads, timeProvider: time);
        var with = new SyntheticUtilizationSource(inventory, loads, Steady(2), timeProvider: time);

        Assert.Empty(await without.ReadAsync());
        Assert.Null(without.GetLoadModel(East));
        Assert.Equal(2, Assert.Single(await with.ReadAsync()).Used.CpuCores);
    }

    [Fact]
    public async Task ReadAsync_AfterAMoveToALargerShape_ReportsLowerUtilization()
    {
        var inventory = new ReplicaInventory();
        inventory.AddProvisioned(West, ["w1"], TestShapes.Small, ReservationId.Create("r1"));
        var source = new SyntheticUtilizationSource(
            inventory, new Dictionary<string, SyntheticLoadModel> { [West] = Steady(1.8) }, timeProvider: new FakeTimeProvider(Peak));

        var before = Assert.Single(await source.ReadAsync());
        inventory.Move("w1", TestShapes.Medium, ReservationId.Create("r2"));
        var after = Assert.Single(await source.ReadAsync());

        Assert.Equal(0.9, before.Used.CpuCores / TestShapes.Small.Capacity.CpuCores, 9);
        Assert.Equal(0.45, after.Used.CpuCores / TestShapes.Medium.Capacity.CpuCores, 9);
        Assert.Equal("m-4x16", after.ShapeName);
    }

    [Fact]
    public async Task ReadAsync_SameSeedAndTimes_GiveTheSameObservationsAndNoiseVaries()
    {
        var loads = new Dictionary<string, SyntheticLoadModel> { [West] = new(new ResourceVector(8, 32, 100, 1), noise: 0.2) };
        async Task<double[]> RunAsync(int seed)
        {
            var inventory = new ReplicaInventory();
            inventory.AddProvisioned(West, ["a", "b", "c"], TestShapes.XLarge, ReservationId.Create("r"));
            var time = new FakeTimeProvider(Peak);
            var source = new SyntheticUtilizationSource(inventory, loads, seed: seed, timeProvider: time);
            var values = new List<double>();
            for (var i = 0; i < 5; i++)
            {
                values.AddRange((await source.ReadAsync()).Select(o => o.Used.CpuCores));
                time.Advance(TimeSpan.FromMinutes(1));
            }

            return [.. values];
        }

        var first = await RunAsync(7);
        var again = await RunAsync(7);
        var other = await RunAsync(8);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.True(first.Distinct().Count() > 10);
    }

    [Fact]
    public async Task ForRegions_ReportsTheReplicasThatRunInTheRegions()
    {
        var west = new InMemoryRegion(West);
        var east = new InMemoryRegion(East);
        await west.ProvisionAsync(new ProvisionRequest("k1", West, TestShapes.Medium, 2));
        await east.ProvisionAsync(new ProvisionRequest("k2", East, TestShapes.Large, 1));
        var source = SyntheticUtilizationSource.ForRegions(
            [west, east], new Dictionary<string, SyntheticLoadModel> { [West] = Steady(4), [East] = Steady(4) }, timeProvider: new FakeTimeProvider(Peak));

        var observations = await source.ReadAsync();

        Assert.Equal(3, observations.Count);
        Assert.Equal([2.0, 2.0], observations.Where(o => o.Region == West).Select(o => o.Used.CpuCores));
        Assert.Equal(4, observations.Single(o => o.Region == East).Used.CpuCores);
        Assert.All(observations, o => Assert.StartsWith(o.Region, o.ReplicaId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReadAsync_Cancelled_Throws()
    {
        var source = new SyntheticUtilizationSource(new ReplicaInventory(), new Dictionary<string, SyntheticLoadModel>());
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await source.ReadAsync(cancelled.Token));
    }

    [Fact]
    public async Task ReadAsync_ConcurrentReadsWhileTheInventoryChanges_StayWithinCapacity()
    {
        var inventory = new ReplicaInventory();
        var source = new SyntheticUtilizationSource(
            inventory, new Dictionary<string, SyntheticLoadModel>(), new SyntheticLoadModel(new ResourceVector(50, 200, 100, 10), noise: 0.5), seed: 3);
        var writer = Task.Run(() =>
        {
            for (var i = 0; i < 2000; i++)
            {
                inventory.AddProvisioned(i % 2 == 0 ? West : East, [$"x{i}"], TestShapes.Small, ReservationId.Create($"r{i}"));
                if (i % 3 == 0)
                {
                    inventory.Remove($"x{i / 2}");
                }
            }
        });
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var reads = 0;
            while (!writer.IsCompleted || reads == 0)
            {
                foreach (var o in await source.ReadAsync())
                {
                    Assert.True(o.Used.IsValidAmount && o.Used.FitsWithin(TestShapes.Small.Capacity));
                }

                reads++;
            }
        })).ToArray();

        await Task.WhenAll([writer, .. readers]);
    }

    [Property(MaxTest = 200)]
    public Property ReadAsync_AnyLoadAndReplicas_UtilizationIsFiniteInZeroToOneAndFollowsDemandOverCapacity()
    {
        var catalog = ScalerTestData.Ladder;
        var cases =
            from cores in Gen.Choose(0, 20_000).Select(i => i / 100.0)
            from amplitude in Gen.Choose(0, 100).Select(i => i / 100.0)
            from noise in Gen.Elements(0.0, 0.05, 0.3, 1.0)
            from minutes in Gen.Choose(0, 7 * 24 * 60)
            from replicaShapes in Gen.ListOf(Gen.Choose(0, catalog.Count - 1)).Where(l => l.Count is > 0 and < 40)
            from seed in Gen.Choose(0, int.MaxValue)
            select (cores, amplitude, noise, minutes, replicaShapes, seed);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var time = new FakeTimeProvider(Peak + TimeSpan.FromMinutes(c.minutes));
            var model = new SyntheticLoadModel(new ResourceVector(c.cores, c.cores * 3, c.cores * 5, c.cores / 10), c.amplitude, c.noise);
            var inventory = new ReplicaInventory();
            for (var i = 0; i < c.replicaShapes.Count; i++)
            {
                inventory.AddProvisioned(West, [$"r{i:000}"], catalog[c.replicaShapes[i]], ReservationId.Create($"res{i}"));
            }

            var source = new SyntheticUtilizationSource(
                inventory, new Dictionary<string, SyntheticLoadModel> { [West] = model }, seed: c.seed, timeProvider: time);
            var observations = source.ReadAsync().AsTask().GetAwaiter().GetResult();
            var share = model.ExpectedDemand(time.GetUtcNow()) * (1.0 / c.replicaShapes.Count);
            foreach (var o in observations)
            {
                var capacity = catalog[catalog.IndexOf(o.ShapeName)].Capacity;
                foreach (var d in Enum.GetValues<Dimension>())
                {
                    var utilization = capacity[d] == 0 ? 0 : o.Used[d] / capacity[d];
                    if (!double.IsFinite(utilization) || utilization < 0 || utilization > 1)
                    {
                        return false;
                    }

                    // Noiseless: exactly demand ÷ capacity, saturating at 1.
                    if (c.noise == 0 && Math.Abs(utilization - Math.Min(1, share[d] / capacity[d])) > 1e-9)
                    {
                        return false;
                    }
                }
            }

            return observations.Count == c.replicaShapes.Count;
        });
    }

    [Fact]
    public async Task ShapeAdjustmentLoop_DrivenBySyntheticPressure_MovesTheReplicaUpThroughTheInMemoryPorts()
    {
        var time = new FakeTimeProvider(Peak);
        var inventory = new ReplicaInventory();
        var ledger = new InMemoryCapacityLedger([new(West, new ResourceVector(100, 400, 1000, 50))], time);
        var region = new InMemoryRegion(West, timeProvider: time);
        var reservation = ReservationId.Create("initial");
        await ledger.TryReserveAsync(new ReservationRequest(reservation, West, "s", ScalerTestData.Ladder[1].Capacity, 1, TimeSpan.FromMinutes(5)));
        await ledger.CommitAsync(reservation);
        var provisioned = await region.ProvisionAsync(new ProvisionRequest("k", West, ScalerTestData.Ladder[1], 1));
        inventory.AddProvisioned(West, provisioned.ReplicaIds, ScalerTestData.Ladder[1], reservation);
        // 1.8 cores on a 2-core shape: 90 % utilisation, above the 80 % band.
        var source = new SyntheticUtilizationSource(
            inventory, new Dictionary<string, SyntheticLoadModel> { [West] = new(new ResourceVector(1.8, 2, 5, 0.2), amplitude: 0, noise: 0) }, timeProvider: time);
        var scaler = new HysteresisScaler(
            ScalerTestData.Ladder, new ScalerPolicy(smoothingTimeConstant: TimeSpan.Zero, upStabilizationWindow: TimeSpan.FromMinutes(1)));
        using var loop = new ShapeAdjustmentLoop(source, ledger, region, inventory, scaler, timeProvider: time);

        var first = await loop.RunOnceAsync();
        time.Advance(TimeSpan.FromMinutes(1));
        var second = await loop.RunOnceAsync();

        Assert.Empty(first.Moves);
        var move = Assert.Single(second.Moves);
        Assert.Equal((ShapeMoveOutcome.Applied, "s", "m"), (move.Outcome, move.From.Name, move.To.Name));
        Assert.Equal(ScalerReason.SustainedAboveUpBand, move.Decision.Reason);
        Assert.Equal("m", region.GetReplicas()[provisioned.ReplicaIds[0]].Name);
        Assert.Equal([move], loop.GetRecentMoves());
    }
}
