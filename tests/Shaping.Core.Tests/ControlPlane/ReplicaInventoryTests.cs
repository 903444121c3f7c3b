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
        { "RequestKey", new ReplicaRecord("eu", "x", TestShapes.Small, new ReservationId("r")) { RequestKey = " " } },
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

    // Emptied by removals, the inventory has still been used: a snapshot restored now would bring back replicas released
    // since (their reservations released in the ledger), so Restore is refused as for an inventory that tracks replicas.
    [Fact]
    public void Restore_AfterEverythingWasRemoved_ThrowsAndRestoresNothing()
    {
        var inventory = new ReplicaInventory();
        inventory.AddProvisioned("eu", ["a"], TestShapes.Small, new ReservationId("r"));
        inventory.Remove("a");

        var error = Assert.Throws<InvalidOperationException>(() => inventory.Restore([new ReplicaRecord("eu", "a", TestShapes.Small, new ReservationId("r"))]));

        Assert.Contains("Version 2", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, inventory.Count);
        Assert.Equal(2, inventory.Version);
    }

    // An empty snapshot changes nothing: Version stays 0 (no persist is due), and the inventory is still unused, so a
    // later Restore (the host's real snapshot) is accepted.
    [Fact]
    public void Restore_NoRecords_ChangesNothingAndLeavesTheInventoryRestorable()
    {
        var inventory = new ReplicaInventory();

        inventory.Restore([]);
        Assert.Equal(0, inventory.Version);
        Assert.Equal(0, inventory.Count);
        new ReplicaInventory([]).Restore([]); // built from no records: unused as well

        inventory.Restore([new ReplicaRecord("eu", "a", TestShapes.Small, new ReservationId("r"))]);
        Assert.Equal(1, inventory.Version);
        Assert.Throws<InvalidOperationException>(() => inventory.Restore([]));
        Assert.Equal(1, inventory.Version);
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

        var restored = new ReplicaInventory();
        restored.Restore([]);
        Assert.Equal(0, restored.Version);
        restored.Restore([new ReplicaRecord("eu", "c", TestShapes.Small, new ReservationId("q"))]);
        Assert.Equal(1, restored.Version);
    }

    // A request's replicas, added by one call or several, are found by its key in the order added; a moved one keeps
    // its key and place; one removed leaves, and the last removed takes the key with it.
    [Fact]
    public void TryGetRequestReplicas_FollowsAddMoveAndRemove()
    {
        var inventory = new ReplicaInventory();
        inventory.AddProvisioned("eu", ["a", "b"], TestShapes.Small, new ReservationId("r"), requestKey: "A");
        inventory.AddProvisioned("eu", ["x"], TestShapes.Small, new ReservationId("s"), requestKey: "B");
        inventory.AddProvisioned("eu", ["c"], TestShapes.Medium, new ReservationId("q"), requestKey: "A");
        inventory.AddProvisioned("eu", ["n"], TestShapes.Small, new ReservationId("t"));

        Assert.Equal(["a", "b", "c"], Ids(inventory, "A"));
        Assert.Equal(["x"], Ids(inventory, "B"));
        Assert.Empty(Ids(inventory, "n")); // a replica id is no request key

        inventory.Move("b", TestShapes.Large, new ReservationId("m"));
        Assert.True(inventory.TryGetRequestReplicas("A", out var moved));
        Assert.Equal(new ReplicaRecord("eu", "b", TestShapes.Large, new ReservationId("m")) { RequestKey = "A" }, moved[1]);

        inventory.Remove("b"); // the middle one
        Assert.Equal(["a", "c"], Ids(inventory, "A"));
        inventory.AddProvisioned("eu", ["d"], TestShapes.Small, new ReservationId("u"), requestKey: "A");
        inventory.Remove("a"); // the first
        Assert.Equal(["c", "d"], Ids(inventory, "A"));
        inventory.Remove("d"); // the last
        Assert.Equal(["c"], Ids(inventory, "A"));
        inventory.Remove("c");
        Assert.Empty(Ids(inventory, "A"));
        Assert.Equal(["x"], Ids(inventory, "B"));
    }

    // A replica tracked under another request's key keeps it: the inventory does not move replicas between requests.
    [Fact]
    public void AdoptRequestKey_GivesTheKeyOnlyToTrackedReplicasWithoutOne()
    {
        var inventory = new ReplicaInventory();
        inventory.AddProvisioned("eu", ["a", "b"], TestShapes.Small, new ReservationId("r"));
        inventory.AddProvisioned("eu", ["c"], TestShapes.Small, new ReservationId("s"), requestKey: "B");
        var version = inventory.Version;

        Assert.Equal(2, inventory.AdoptRequestKey(["b", "c", "nobody", "a"], "A"));

        Assert.True(inventory.TryGetRequestReplicas("A", out var a));
        Assert.Equal(["b", "a"], a.Select(r => r.ReplicaId));
        Assert.True(inventory.TryGetRequestReplicas("B", out var b));
        Assert.Equal(["c"], b.Select(r => r.ReplicaId));
        Assert.Equal(version + 1, inventory.Version);
        Assert.Equal(0, inventory.AdoptRequestKey(["a", "b"], "A")); // nothing left to give: no change
        Assert.Equal(version + 1, inventory.Version);
    }

    // A snapshot keeps each request's replicas in order, so a restored inventory answers them in the same order.
    [Fact]
    public void Restore_KeepsEachRequestsReplicasInOrder()
    {
        var original = new ReplicaInventory();
        original.AddProvisioned("eu", ["k"], TestShapes.Small, new ReservationId("s"));
        original.AddProvisioned("eu", ["z", "y"], TestShapes.Small, new ReservationId("r"), requestKey: "A");
        original.AddProvisioned("eu", ["w", "v"], TestShapes.Small, new ReservationId("q"), requestKey: "B");
        original.Remove("k"); // a hole before A's replicas, which the next one added may fill in the dictionary's storage
        original.AddProvisioned("eu", ["a"], TestShapes.Small, new ReservationId("p"), requestKey: "A");

        var restored = new ReplicaInventory(original.Snapshot());

        Assert.Equal(["z", "y", "a"], Ids(restored, "A"));
        Assert.Equal(["w", "v"], Ids(restored, "B"));
        Assert.True(restored.TryGet("a", out var a));
        Assert.Equal("A", a.RequestKey);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void AddProvisioned_EmptyRequestKey_ThrowsAndTracksNothing(string requestKey)
    {
        var inventory = new ReplicaInventory();

        var error = Assert.Throws<ArgumentException>(() => inventory.AddProvisioned("eu", ["a"], TestShapes.Small, new ReservationId("r"), requestKey));

        Assert.Equal("requestKey", error.ParamName);
        Assert.Equal(0, inventory.Count);
        Assert.Equal(0, inventory.Version);
    }

    // A replica id already tracked refuses the whole call, and the request's earlier replicas stay its only ones.
    [Fact]
    public void AddProvisioned_RefusedCall_LeavesTheRequestsReplicasAsTheyWere()
    {
        var inventory = new ReplicaInventory();
        inventory.AddProvisioned("eu", ["a"], TestShapes.Small, new ReservationId("r"), requestKey: "A");

        Assert.Throws<ArgumentException>(() => inventory.AddProvisioned("eu", ["b", "a"], TestShapes.Small, new ReservationId("q"), requestKey: "A"));
        Assert.Throws<ArgumentException>(() => inventory.AddProvisioned("eu", ["c", "c"], TestShapes.Small, new ReservationId("q"), requestKey: "A"));

        Assert.Equal(["a"], Ids(inventory, "A"));
        Assert.Equal(new ReservationId("r"), inventory.Remove("a"));
        Assert.Empty(Ids(inventory, "A"));
    }

    // The handler asks for every request it does not remember, most of them new: a miss must not allocate.
    [Fact]
    public void TryGetRequestReplicas_Miss_AllocatesNothing()
    {
        var inventory = new ReplicaInventory();
        inventory.AddProvisioned("eu", ["a", "b"], TestShapes.Small, new ReservationId("r"), requestKey: "A");
        Assert.False(inventory.TryGetRequestReplicas("B", out _)); // warm up

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            _ = inventory.TryGetRequestReplicas("B", out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    // The request's replica ids; empty when it is not found (found, it has at least one).
    private static string[] Ids(ReplicaInventory inventory, string requestKey) =>
        inventory.TryGetRequestReplicas(requestKey, out var records) ? [.. records.Select(r => r.ReplicaId)] : [];

    // What AddProvisioned accepts, Restore must accept too, or a snapshot of it cannot be restored after a restart.
    [Theory]
    [InlineData(" ", "r1", "res")]
    [InlineData("eu", "", "res")]
    [InlineData("eu", "r1", null)]
    public void AddProvisioned_AMemberRestoreWouldRefuse_IsRefusedUpFront(string region, string replicaId, string? reservation)
    {
        var inventory = new ReplicaInventory();
        var shape = new Shaping.Core.Shapes.ResourceShape("s", new Shaping.Core.Resources.ResourceVector(1, 1, 1, 1), new Shaping.Core.Shapes.ShapeProfile(0.1));

        Assert.ThrowsAny<ArgumentException>(() => inventory.AddProvisioned(region, [replicaId], shape, reservation is null ? default : ReservationId.Create(reservation)));

        Assert.Equal(0, inventory.Count);
        new ReplicaInventory().Restore(inventory.Snapshot());
    }
}
