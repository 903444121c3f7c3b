using Microsoft.Extensions.Time.Testing;
using Shaping.Core.Provisioning;

namespace Shaping.Core.Tests.Provisioning;

public sealed class InMemoryRegionTests
{
    private static ProvisionRequest Request(string key, int replicas = 2, string region = "eu") =>
        new(key, region, TestShapes.Medium, replicas);

    [Fact]
    public async Task Provision_NewKey_CreatesReplicasOnce()
    {
        var region = new InMemoryRegion("eu");
        var result = await region.ProvisionAsync(Request("k"));
        Assert.True(result.IsSuccess);
        Assert.Equal(2, result.ReplicaIds.Count);
        Assert.Equal(2, region.ReplicaCount);
        Assert.Equal(1, region.GetProvisionEffects("k"));
    }

    [Fact]
    public async Task Provision_SameKeyAgain_SameReplicasNoNewEffect()
    {
        var region = new InMemoryRegion("eu");
        var first = await region.ProvisionAsync(Request("k"));
        var second = await region.ProvisionAsync(Request("k"));
        Assert.Equal(first.ReplicaIds, second.ReplicaIds);
        Assert.Equal(1, region.GetProvisionEffects("k"));
        Assert.Equal(2, region.ReplicaCount);
    }

    [Fact]
    public async Task Provision_SameKeyDifferentContent_Rejected()
    {
        var region = new InMemoryRegion("eu");
        await region.ProvisionAsync(Request("k"));
        var result = await region.ProvisionAsync(Request("k", replicas: 3));
        Assert.Equal(ProvisionStatus.Rejected, result.Status);
        Assert.Equal(1, region.GetProvisionEffects("k"));
    }

    [Fact]
    public async Task Provision_LostResponse_TransientButReplayReturnsTheSameReplicas()
    {
        var region = new InMemoryRegion("eu", seed: 1) { LostResponseRate = 1 };
        var lost = await region.ProvisionAsync(Request("k"));
        Assert.Equal(ProvisionStatus.TransientFailure, lost.Status);
        Assert.Equal(2, region.ReplicaCount); // the effect happened

        region.LostResponseRate = 0;
        var replay = await region.ProvisionAsync(Request("k"));
        Assert.True(replay.IsSuccess);
        Assert.Equal(region.GetReplicas().Keys.Order(StringComparer.Ordinal), replay.ReplicaIds.Order(StringComparer.Ordinal));
        Assert.Equal(1, region.GetProvisionEffects("k"));
    }

    [Fact]
    public async Task Provision_TransientFailure_NoEffect()
    {
        var region = new InMemoryRegion("eu") { TransientFailureRate = 1 };
        var result = await region.ProvisionAsync(Request("k"));
        Assert.Equal(ProvisionStatus.TransientFailure, result.Status);
        Assert.Equal(0, region.ReplicaCount);
        Assert.Equal(0, region.GetProvisionEffects("k"));
    }

    [Fact]
    public async Task Provision_TransientRate_SeededAndRoughlyTheRate()
    {
        static async Task<int> Failures(int seed)
        {
            var region = new InMemoryRegion("eu", seed) { TransientFailureRate = 0.3 };
            var failures = 0;
            for (var i = 0; i < 1_000; i++)
            {
                failures += (await region.ProvisionAsync(Request($"k{i}", 1))).IsSuccess ? 0 : 1;
            }

            return failures;
        }

        var first = await Failures(7);
        Assert.Equal(first, await Failures(7));
        Assert.InRange(first, 240, 360);
    }

    [Fact]
    public async Task Provision_Outage_RegionUnavailableNoEffect()
    {
        var region = new InMemoryRegion("eu") { IsOutage = true };
        Assert.Equal(ProvisionStatus.RegionUnavailable, (await region.ProvisionAsync(Request("k"))).Status);
        Assert.Equal(ProvisionStatus.RegionUnavailable, (await region.ReleaseAsync("eu", "eu-1")).Status);
        Assert.Equal(0, region.ReplicaCount);
        region.IsOutage = false;
        Assert.True((await region.ProvisionAsync(Request("k"))).IsSuccess);
    }

    [Fact]
    public async Task Provision_OtherRegion_Rejected()
    {
        var region = new InMemoryRegion("eu");
        Assert.Equal(ProvisionStatus.Rejected, (await region.ProvisionAsync(Request("k", region: "us"))).Status);
    }

    [Fact]
    public async Task Provision_Latency_WaitsOnTheTimeProvider()
    {
        var time = new FakeTimeProvider();
        var region = new InMemoryRegion("eu", timeProvider: time) { Latency = TimeSpan.FromSeconds(2) };
        var pending = region.ProvisionAsync(Request("k")).AsTask();
        Assert.False(pending.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(pending.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await pending).IsSuccess);
    }

    [Fact]
    public async Task Provision_CancelledDuringLatency_ThrowsAndNoEffect()
    {
        var time = new FakeTimeProvider();
        var region = new InMemoryRegion("eu", timeProvider: time) { Latency = TimeSpan.FromSeconds(2) };
        using var cts = new CancellationTokenSource();
        var pending = region.ProvisionAsync(Request("k"), cts.Token).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(0, region.GetProvisionEffects("k"));
    }

    [Fact]
    public async Task Release_Twice_SucceedsBothTimes()
    {
        var region = new InMemoryRegion("eu");
        var ids = (await region.ProvisionAsync(Request("k", 1))).ReplicaIds;
        Assert.True((await region.ReleaseAsync("eu", ids[0])).IsSuccess);
        Assert.True((await region.ReleaseAsync("eu", ids[0])).IsSuccess);
        Assert.Equal(0, region.ReplicaCount);
        Assert.Equal(ProvisionStatus.Rejected, (await region.ReleaseAsync("eu", "never")).Status);
    }

    [Fact]
    public async Task Release_ForgetReleasedKeys_KeyProvisionsAfresh()
    {
        var region = new InMemoryRegion("eu") { ForgetReleasedKeys = true };
        var ids = (await region.ProvisionAsync(Request("k", 1))).ReplicaIds;
        await region.ReleaseAsync("eu", ids[0]);
        Assert.Equal(0, region.GetProvisionEffects("k"));
        var again = await region.ProvisionAsync(Request("k", 1));
        Assert.NotEqual(ids[0], again.ReplicaIds[0]);
    }

    [Fact]
    public async Task Provision_ReplayAfterSomeReleased_ListsThemAsReleased()
    {
        var region = new InMemoryRegion("eu");
        var ids = (await region.ProvisionAsync(Request("k", 3))).ReplicaIds;
        Assert.Empty((await region.ProvisionAsync(Request("k", 3))).ReleasedReplicaIds); // all run
        await region.ReleaseAsync("eu", ids[1]);

        var replay = await region.ProvisionAsync(Request("k", 3));
        Assert.True(replay.IsSuccess);
        Assert.Equal(ids, replay.ReplicaIds); // the key's first replicas, as the contract says
        Assert.Equal([ids[1]], replay.ReleasedReplicaIds);

        await region.ReleaseAsync("eu", ids[0]);
        await region.ReleaseAsync("eu", ids[2]);
        Assert.Equal(ids, (await region.ProvisionAsync(Request("k", 3))).ReleasedReplicaIds);
        Assert.Equal(1, region.GetProvisionEffects("k"));
    }

    [Fact]
    public void ProvisionResult_ReleasedReplicaIds_DefaultsToEmptyAndRefusesNull()
    {
        Assert.Empty(ProvisionResult.Success(["a"]).ReleasedReplicaIds);
        Assert.Equal(["a"], ProvisionResult.Success(["a", "b"], ["a"]).ReleasedReplicaIds);
        Assert.Throws<ArgumentNullException>(() => ProvisionResult.Success(["a"], null!));
    }

    [Fact]
    public async Task Resize_SameKey_ResizesOnce()
    {
        var region = new InMemoryRegion("eu");
        var id = (await region.ProvisionAsync(Request("k", 1))).ReplicaIds[0];
        var resize = new ResizeRequest("r1", "eu", id, TestShapes.Large);
        Assert.True((await region.ResizeAsync(resize)).IsSuccess);
        Assert.True((await region.ResizeAsync(resize)).IsSuccess);
        Assert.Equal(TestShapes.Large, region.GetReplicas()[id]);
        Assert.Equal(ProvisionStatus.Rejected, (await region.ResizeAsync(resize with { ReplicaId = "other" })).Status);
        Assert.Equal(ProvisionStatus.Rejected, (await region.ResizeAsync(new ResizeRequest("r2", "eu", "nope", TestShapes.Large))).Status);
    }

    [Theory]
    [InlineData(null, "eu", "ProvisionRequest.IdempotencyKey")]
    [InlineData("k", null, "ProvisionRequest.Region")]
    [InlineData(" ", "eu", "ProvisionRequest.IdempotencyKey")]
    [InlineData("k", "", "ProvisionRequest.Region")]
    public async Task Provision_BlankMember_MessageNamesTheMember(string? key, string? regionName, string member)
    {
        var region = new InMemoryRegion("eu");
        var error = await Assert.ThrowsAnyAsync<ArgumentException>(
            async () => await region.ProvisionAsync(new ProvisionRequest(key!, regionName!, TestShapes.Medium, 1)));
        Assert.Equal("request", error.ParamName);
        Assert.Contains(member, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, region.ReplicaCount);
    }

    [Fact]
    public async Task Provision_NullShape_MessageNamesShape()
    {
        var region = new InMemoryRegion("eu");
        var error = await Assert.ThrowsAsync<ArgumentNullException>(
            async () => await region.ProvisionAsync(new ProvisionRequest("k", "eu", null!, 1)));
        Assert.Equal("request", error.ParamName);
        Assert.Contains("ProvisionRequest.Shape", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "eu", "r", "ResizeRequest.IdempotencyKey")]
    [InlineData("k", " ", "r", "ResizeRequest.Region")]
    [InlineData("k", "eu", null, "ResizeRequest.ReplicaId")]
    public async Task Resize_BlankMember_MessageNamesTheMember(string? key, string? regionName, string? replicaId, string member)
    {
        var region = new InMemoryRegion("eu");
        var error = await Assert.ThrowsAnyAsync<ArgumentException>(
            async () => await region.ResizeAsync(new ResizeRequest(key!, regionName!, replicaId!, TestShapes.Large)));
        Assert.Equal("request", error.ParamName);
        Assert.Contains(member, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resize_NullShape_MessageNamesNewShape()
    {
        var region = new InMemoryRegion("eu");
        var error = await Assert.ThrowsAsync<ArgumentNullException>(
            async () => await region.ResizeAsync(new ResizeRequest("k", "eu", "r", null!)));
        Assert.Equal("request", error.ParamName);
        Assert.Contains("ResizeRequest.NewShape", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_OutOfRange_Throw()
    {
        var region = new InMemoryRegion("eu");
        Assert.Throws<ArgumentOutOfRangeException>(() => region.TransientFailureRate = 1.5);
        Assert.Throws<ArgumentOutOfRangeException>(() => region.LostResponseRate = -0.1);
        Assert.Throws<ArgumentOutOfRangeException>(() => region.Latency = TimeSpan.FromSeconds(-1));
        Assert.Throws<ArgumentException>(() => new InMemoryRegion(""));
    }

    [Fact]
    public async Task RegionalProvisioner_RoutesByRegionAndAnswersUnknownAsUnavailable()
    {
        var eu = new InMemoryRegion("eu");
        var us = new InMemoryRegion("us");
        var router = new RegionalProvisioner(eu, us);
        Assert.True((await router.ProvisionAsync(Request("k", 1, "us"))).IsSuccess);
        Assert.Equal(1, us.ReplicaCount);
        Assert.Equal(0, eu.ReplicaCount);
        Assert.Equal(ProvisionStatus.RegionUnavailable, (await router.ProvisionAsync(Request("k", 1, "ap"))).Status);
        Assert.Throws<ArgumentException>(() => new RegionalProvisioner(eu, new InMemoryRegion("eu")));
    }
}
