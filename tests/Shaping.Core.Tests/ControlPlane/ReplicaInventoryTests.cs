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
}
