using Shaping.Core.Capacity;
using Shaping.Core.ControlPlane;

namespace Shaping.Core.Tests.ControlPlane;

public sealed class ReplicaRequestHandlerResubmissionTests
{
    [Fact]
    public async Task HandleAsync_ResubmittedAfterForecastChanged_ReturnsFirstResultWithoutProvisioningAgain()
    {
        var f = new HandlerFixture();
        var first = await f.Handler.HandleAsync(HandlerFixture.Request(key: "k"));
        Assert.Equal(TestShapes.Medium, first.Shape);

        // The forecast grows: the same request now ranks a larger shape first, whose provisioning key differs.
        f.Predictor.Set("eu", TestShapes.RegionProfile(12, replicas: 2));
        var again = await f.Handler.HandleAsync(HandlerFixture.Request(key: "k"));

        Assert.True(again.IsProvisioned);
        Assert.Equal(first.Shape, again.Shape);
        Assert.Equal(first.ReplicaIds, again.ReplicaIds);
        Assert.Equal(first.Reservation, again.Reservation);
        Assert.Equal(0, again.Attempts);
        Assert.Contains("resubmission", again.Message, StringComparison.Ordinal);
        Assert.Equal(2, f.Eu.ReplicaCount);
        Assert.Equal(1, f.Eu.TotalProvisionEffects);
        Assert.Equal(TestShapes.Medium.Capacity * 2, f.Capacity("eu").Committed);
        f.AssertConsistent();
    }

    [Fact]
    public async Task HandleAsync_ResubmittedWhenRegionIsFull_ReturnsFirstResult()
    {
        var f = new HandlerFixture();
        var first = await f.Handler.HandleAsync(HandlerFixture.Request(key: "k"));
        f.Ledger.SetRegionCapacity("eu", f.Capacity("eu").Committed); // nothing left to reserve
        var again = await f.Handler.HandleAsync(HandlerFixture.Request(key: "k"));
        Assert.True(again.IsProvisioned);
        Assert.Equal(first.ReplicaIds, again.ReplicaIds);
        f.AssertConsistent();
    }

    [Fact]
    public async Task HandleAsync_SameKeyConcurrently_ProvisionsOnce()
    {
        var f = new HandlerFixture();
        f.Eu.Latency = TimeSpan.FromMilliseconds(5); // on the fake clock: every call waits until time advances
        var calls = Enumerable.Range(0, 8).Select(_ => f.Handler.HandleAsync(HandlerFixture.Request(key: "k")).AsTask()).ToArray();
        while (!calls.All(c => c.IsCompleted))
        {
            f.Time.Advance(TimeSpan.FromMilliseconds(5));
            await Task.Yield();
        }

        var results = await Task.WhenAll(calls);
        Assert.All(results, r => Assert.True(r.IsProvisioned));
        Assert.Single(results.Select(r => string.Join(",", r.ReplicaIds)).Distinct());
        Assert.Equal(1, results.Count(r => r.Attempts > 0));
        Assert.Equal(1, f.Eu.TotalProvisionEffects);
        Assert.Equal(2, f.Inventory.Count);
        f.AssertConsistent();
    }

    [Fact]
    public async Task HandleAsync_KeyReusedForAnotherRequest_ThrowsNamingTheKey()
    {
        var f = new HandlerFixture();
        await f.Handler.HandleAsync(HandlerFixture.Request(key: "k", replicas: 2));
        var error = await Assert.ThrowsAsync<ArgumentException>(() => f.Handler.HandleAsync(HandlerFixture.Request(key: "k", replicas: 3)).AsTask());
        Assert.Contains("'k'", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, f.Inventory.Count);
    }

    [Fact]
    public async Task HandleAsync_MemoryFull_ForgetsOldestKey()
    {
        var f = new HandlerFixture(new ReplicaRequestHandlerOptions { CompletedRequestMemory = 1 });
        await f.Handler.HandleAsync(HandlerFixture.Request(key: "a", replicas: 1));
        await f.Handler.HandleAsync(HandlerFixture.Request(key: "b", replicas: 1));
        var b = await f.Handler.HandleAsync(HandlerFixture.Request(key: "b", replicas: 1)); // remembered
        var a = await f.Handler.HandleAsync(HandlerFixture.Request(key: "a", replicas: 1)); // forgotten: found in the inventory
        Assert.Equal(0, a.Attempts);
        Assert.Equal(0, b.Attempts);
        Assert.NotNull(b.Profile); // the first result, from memory
        Assert.Null(a.Profile); // the inventory's replicas, which keep no profile
        Assert.Contains("no longer remembered", a.Message, StringComparison.Ordinal);
        Assert.Equal(2, f.Eu.TotalProvisionEffects); // no new replicas
        f.AssertConsistent();
    }

    [Fact]
    public async Task HandleAsync_DefaultOptionsAndPrimaryFull_ReachesFailoverRegion()
    {
        var f = new HandlerFixture();
        f.Ledger.SetRegionCapacity("eu", HandlerFixture.RegionTotal with { CpuCores = 1 }); // no shape fits in eu
        var result = await f.Handler.HandleAsync(HandlerFixture.Request(key: "k", failover: "us"));
        Assert.True(result.IsProvisioned);
        Assert.Equal("us", result.Region);
        f.AssertConsistent();
    }

    [Fact]
    public void Constructor_CompletedRequestMemoryNegative_ThrowsNamingTheSetting()
    {
        var f = new HandlerFixture();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ReplicaRequestHandler(
            f.Library, f.Predictor, f.Ledger, f.Provisioner, f.Inventory, new ReplicaRequestHandlerOptions { CompletedRequestMemory = -1 }));
        Assert.Contains("CompletedRequestMemory", error.Message, StringComparison.Ordinal);
    }
}
