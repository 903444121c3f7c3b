using Shaping.Core.Capacity;
using Shaping.Core.ControlPlane;

namespace Shaping.Core.Tests.ControlPlane;

public sealed class ReplicaInventoryTests
{
    // A provisioner that answers one id twice (an adapter bug) must not leave the inventory half-written: the id
    // tracked with no occupant counted for its reservation would release the reservation with the first removal.
    [Fact]
    public void AddProvisioned_SameIdTwiceInOneCall_ThrowsAndTracksNothing()
    {
        var inventory = new ReplicaInventory();
        var reservation = new ReservationId("r");

        var error = Assert.Throws<ArgumentException>(() => inventory.AddProvisioned("eu", ["a", "b", "a"], TestShapes.Small, reservation));

        Assert.Equal("replicaIds", error.ParamName);
        Assert.Contains("'a'", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, inventory.Count);
        Assert.False(inventory.TryGet("a", out _));
    }

    // Two replicas share one reservation: the restored inventory must hand it back for release only when the second
    // leaves, as the original would, not when the first does.
    [Fact]
    public void Restore_SharedReservation_IsReturnedOnlyWhenItsLastReplicaLeaves()
    {
        var original = new ReplicaInventory();
        original.AddProvisioned("eu", ["a", "b"], TestShapes.Small, new ReservationId("shared"));
        original.AddProvisioned("eu", ["c"], TestShapes.Medium, new ReservationId("own"));
        var restored = new ReplicaInventory();

        restored.Restore(original.Snapshot());

        Assert.Equal(3, restored.Count);
        Assert.True(restored.TryGet("c", out var c));
        Assert.Equal(new ReplicaRecord("eu", "c", TestShapes.Medium, new ReservationId("own")), c);
        Assert.Null(restored.Move("a", TestShapes.Large, new ReservationId("move-a")));
        Assert.Equal(new ReservationId("shared"), restored.Remove("b"));
        Assert.Equal(new ReservationId("own"), restored.Remove("c"));
    }

    [Fact]
    public void Constructor_WithRecords_TracksThemAtVersionZero()
    {
        var original = new ReplicaInventory();
        original.AddProvisioned("eu", ["a", "b"], TestShapes.Small, new ReservationId("shared"));

        var restored = new ReplicaInventory(original.Snapshot());

        Assert.Equal(0, restored.Version);
        Assert.Equal(2, restored.Count);
        Assert.Null(restored.Remove("a"));
        Assert.Equal(new ReservationId("shared"), restored.Remove("b"));
    }

    [Fact]
    public void Restore_Null_Throws()
    {
        var inventory = new ReplicaInventory();

        Assert.Throws<ArgumentNullException>("records", () => inventory.Restore(null!));
        Assert.Throws<ArgumentNullException>("records", () => new ReplicaInventory(null!));
    }

    public static TheoryData<string, ReplicaRecord?> BadRecords { get; } = new()
    {
        { "null", null },
        { "Region", new ReplicaRecord(null!, "x", TestShapes.Small, new ReservationId("r")) },
        { "Region", new ReplicaRecord(" ", "x", TestShapes.Small, new ReservationId("r")) },
        { "ReplicaId", new ReplicaRecord("eu", null!, TestShapes.Small, new ReservationId("r")) },
        { "ReplicaId", new ReplicaRecord("eu", "", TestShapes.Small, new ReservationId("r")) },
        { "Shape", new ReplicaRecord("eu", "x", null!, new ReservationId("r")) },
        { "Reservation", new ReplicaRecord("eu", "x", TestShapes.Small, default) },
        { "Reservation", new ReplicaRecord("eu", "x", TestShapes.Small, new ReservationId("")) },
        { "more than once", new ReplicaRecord("eu", "a", TestShapes.Small, new ReservationId("r")) }, // "a" is also the first record
    };

    // Records read back from a store can break the annotations; a bad one anywhere restores nothing at all, so the
    // inventory is still empty and can be restored from good records afterwards.
    [Theory]
    [MemberData(nameof(BadRecords))]
    public void Restore_BadRecord_ThrowsNamingItAndRestoresNothing(string expected, ReplicaRecord? bad)
    {
        var inventory = new ReplicaInventory();
        ReplicaRecord good = new("eu", "a", TestShapes.Small, new ReservationId("r"));

        var error = Assert.Throws<ArgumentException>(() => inventory.Restore([good, bad!]));

        Assert.Equal("records", error.ParamName);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, inventory.Count);
        Assert.False(inventory.TryGet("a", out _));
        Assert.Equal(0, inventory.Version);
        Assert.Throws<ArgumentException>(() => new ReplicaInventory([good, bad!]));

        inventory.Restore([good]);
        Assert.Equal(new ReservationId("r"), inventory.Remove("a")); // its only occupant: the failed call counted nothing
    }

    // A late restore would drop the replicas provisioned meanwhile, whose reservations nothing would then release.
    [Fact]
    public void Restore_InventoryInUse_ThrowsAndKeepsWhatItTracks()
    {
        var inventory = new ReplicaInventory();
        inventory.AddProvisioned("eu", ["a"], TestShapes.Small, new ReservationId("r"));

        Assert.Throws<InvalidOperationException>(() => inventory.Restore([new ReplicaRecord("eu", "b", TestShapes.Small, new ReservationId("q"))]));

        Assert.Equal(1, inventory.Count);
        Assert.False(inventory.TryGet("b", out _));
        Assert.Equal(1, inventory.Version);
    }

    // Emptied by removals, the inventory may be restored again: nothing it tracks would be lost.
    [Fact]
    public void Restore_AfterEverythingWasRemoved_Succeeds()
    {
        var inventory = new ReplicaInventory();
        inventory.AddProvisioned("eu", ["a"], TestShapes.Small, new ReservationId("r"));
        inventory.Remove("a");

        inventory.Restore([new ReplicaRecord("eu", "b", TestShapes.Small, new ReservationId("r"))]);

        Assert.Equal(new ReservationId("r"), inventory.Remove("b"));
    }

    // A host persists when Version moved: every change moves it, and what changes nothing leaves it.
    [Fact]
    public void Version_ChangesWithEveryChangeAndOnlyThen()
    {
        var inventory = new ReplicaInventory();
        Assert.Equal(0, inventory.Version);

        inventory.AddProvisioned("eu", ["a", "b"], TestShapes.Small, new ReservationId("r"));
        Assert.Equal(1, inventory.Version);

        inventory.AddProvisioned("eu", [], TestShapes.Small, new ReservationId("q"));
        Assert.Throws<ArgumentException>(() => inventory.AddProvisioned("eu", ["a"], TestShapes.Small, new ReservationId("q")));
        Assert.Throws<ArgumentException>(() => inventory.Move("nobody", TestShapes.Large, new ReservationId("m")));
        Assert.Null(inventory.Remove("nobody"));
        _ = inventory.TryGet("a", out _);
        _ = inventory.Snapshot();
        Assert.Equal(1, inventory.Version);

        inventory.Move("a", TestShapes.Large, new ReservationId("m"));
        Assert.Equal(2, inventory.Version);
        inventory.Remove("b");
        Assert.Equal(3, inventory.Version);
        inventory.Remove("a");
        Assert.Equal(4, inventory.Version);
        inventory.Restore([new ReplicaRecord("eu", "c", TestShapes.Small, new ReservationId("q"))]);
        Assert.Equal(5, inventory.Version);
    }
}
