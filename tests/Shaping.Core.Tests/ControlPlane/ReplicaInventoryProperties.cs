using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Shaping.Core.Capacity;
using Shaping.Core.ControlPlane;
using Shaping.Core.Shapes;

namespace Shaping.Core.Tests.ControlPlane;

/// <summary>One call on an inventory, over small pools of ids so that calls collide.</summary>
/// <param name="Kind">0: AddProvisioned, 1: Move, 2: Remove.</param>
/// <param name="Replica">The (first) replica, an index into a pool of 8 ids.</param>
/// <param name="Count">How many consecutive ids AddProvisioned adds (wrapping around the pool); 0 adds none.</param>
/// <param name="Shape">The shape, an index into four shapes.</param>
/// <param name="Reservation">The reservation, an index into a pool of 5 ids, so reservations are shared and reused.</param>
/// <param name="Region">The region of AddProvisioned, an index into two.</param>
/// <param name="Request">The request key of AddProvisioned: 0 for none, else an index into two keys, so requests gain replicas over several calls.</param>
public sealed record InventoryOp(int Kind, int Replica, int Count, int Shape, int Reservation, int Region, int Request);

/// <summary>Calls on one inventory; after the first <see cref="Split"/> the inventory is persisted and restored.</summary>
/// <param name="Ops">The calls.</param>
/// <param name="Split">How many calls precede the snapshot.</param>
/// <param name="ByConstructor">Restore with the constructor rather than <see cref="ReplicaInventory.Restore"/>.</param>
public sealed record InventoryScenario(InventoryOp[] Ops, int Split, bool ByConstructor);

public static class InventoryArbitraries
{
    public static Arbitrary<InventoryScenario> Scenario() =>
        (from ops in Gen.ArrayOf(Op()).Resize(40)
         from split in Gen.Choose(0, ops.Length)
         from byConstructor in Gen.Elements(true, false)
         select new InventoryScenario(ops, split, byConstructor)).ToArbitrary();

    private static Gen<InventoryOp> Op() =>
        from kind in Gen.Frequency((3, Gen.Constant(0)), (4, Gen.Constant(1)), (3, Gen.Constant(2)))
        from replica in Gen.Choose(0, 7)
        from count in Gen.Choose(0, 3)
        from shape in Gen.Choose(0, 3)
        from reservation in Gen.Choose(0, 4)
        from region in Gen.Choose(0, 1)
        from request in Gen.Choose(0, 2)
        select new InventoryOp(kind, replica, count, shape, reservation, region, request);
}

[Properties(Arbitrary = [typeof(InventoryArbitraries)], MaxTest = 500)]
public sealed class ReplicaInventoryProperties
{
    private static readonly ResourceShape[] Shapes = [TestShapes.Small, TestShapes.Medium, TestShapes.Large, TestShapes.XLarge];
    private static readonly string[] Regions = ["eu", "us"];
    private static readonly string?[] RequestKeys = [null, "A", "B"];

    // Snapshot → persist → restore loses nothing: the restored inventory tracks the same records (request keys
    // included), finds the same replicas by request key in the same order, and answers every later call as the
    // original does (the same reservation returned for release, or none, or the same refusal).
    [Property]
    public bool SnapshotThenRestore_TracksTheSameRecordsAndAnswersEveryLaterCallTheSame(InventoryScenario scenario)
    {
        var original = new ReplicaInventory();
        foreach (var op in scenario.Ops.Take(scenario.Split))
        {
            _ = Apply(original, op);
        }

        var persisted = original.Snapshot().ToArray(); // what a host would write to its store
        ReplicaInventory restored;
        if (scenario.ByConstructor)
        {
            restored = new ReplicaInventory(persisted);
        }
        else
        {
            restored = new ReplicaInventory();
            restored.Restore(persisted);
        }

        AssertSameRecords(original, restored);
        foreach (var op in scenario.Ops.Skip(scenario.Split))
        {
            var released = ReleasableAfter(restored, op);
            var expected = Apply(original, op);
            var actual = Apply(restored, op);
            Assert.Equal(expected, actual);
            Assert.Equal(released, actual.Vacated); // and the original's answer is the right one
            AssertSameRecords(original, restored);
        }

        return true;
    }

    [Fact]
    public void Scenario_Generator_SharesReservationsAndRestoresNonEmptyInventories()
    {
        var sample = Gen.Sample(InventoryArbitraries.Scenario().Generator, 200);
        Assert.Contains(sample, s => s.Split > 3 && s.Ops.Length - s.Split > 3);
        Assert.Contains(sample, s => s.Ops.Take(s.Split).Count(o => o.Kind == 0 && o.Count > 1) > 1);
        Assert.Contains(sample, s => s.ByConstructor);
        Assert.Contains(sample, s => !s.ByConstructor);
        Assert.Contains(sample, s => s.Ops.Take(s.Split).Count(o => o.Kind == 0 && o.Count > 0 && o.Request == 1) > 1);
    }

    // The model: a Move or a Remove returns the replica's old reservation exactly when no tracked replica uses it after
    // the call.
    private static ReservationId? ReleasableAfter(ReplicaInventory inventory, InventoryOp op)
    {
        if (op.Kind == 0 || !inventory.TryGet(Id(op.Replica), out var record))
        {
            return null;
        }

        var stillUsed = inventory.Snapshot().Count(r => r.Reservation == record.Reservation) > 1
            || (op.Kind == 1 && Reservation(op.Reservation) == record.Reservation);
        return stillUsed ? null : record.Reservation;
    }

    private static Answer Apply(ReplicaInventory inventory, InventoryOp op)
    {
        try
        {
            switch (op.Kind)
            {
                case 0:
                    var ids = Enumerable.Range(op.Replica, op.Count).Select(i => Id(i % 8)).ToArray();
                    inventory.AddProvisioned(Regions[op.Region], ids, Shapes[op.Shape], Reservation(op.Reservation), RequestKeys[op.Request]);
                    return new Answer(false, null);
                case 1:
                    return new Answer(false, inventory.Move(Id(op.Replica), Shapes[op.Shape], Reservation(op.Reservation)));
                default:
                    return new Answer(false, inventory.Remove(Id(op.Replica)));
            }
        }
        catch (ArgumentException)
        {
            return new Answer(true, null);
        }
    }

    private static void AssertSameRecords(ReplicaInventory expected, ReplicaInventory actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(
            expected.Snapshot().OrderBy(r => r.ReplicaId, StringComparer.Ordinal),
            actual.Snapshot().OrderBy(r => r.ReplicaId, StringComparer.Ordinal));
        foreach (var key in RequestKeys.OfType<string>())
        {
            var found = expected.TryGetRequestReplicas(key, out var records);
            Assert.Equal(found, actual.TryGetRequestReplicas(key, out var restored));
            Assert.Equal(records, restored); // the same records in the same order

            // The index is exactly the records carrying the key.
            var model = expected.Snapshot().Where(r => r.RequestKey == key).OrderBy(r => r.ReplicaId, StringComparer.Ordinal);
            Assert.Equal(model, (records ?? []).OrderBy(r => r.ReplicaId, StringComparer.Ordinal));
        }
    }

    private static string Id(int index) => $"r{index}";

    private static ReservationId Reservation(int index) => new($"v{index}");

    private readonly record struct Answer(bool Threw, ReservationId? Vacated);
}
