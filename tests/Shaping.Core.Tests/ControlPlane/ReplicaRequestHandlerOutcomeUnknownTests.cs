using Shaping.Core.ControlPlane;
using Step = Shaping.Core.Tests.ScriptedProvisioner.Step;

namespace Shaping.Core.Tests.ControlPlane;

/// <summary>
/// A request whose provisioning outcome is unknown keeps its reservation, and its resubmission replays the same
/// provisioning key in the same region before anything else, so the request is never provisioned twice.
/// </summary>
public sealed class ReplicaRequestHandlerOutcomeUnknownTests
{
    [Fact]
    public async Task HandleAsync_ResubmittedAfterLostAnswers_ReplaysTheSameKeyInTheSameRegion()
    {
        var f = new HandlerFixture();
        f.Ledger.SetRegionCapacity("eu", TestShapes.Medium.Capacity * 2); // room for one request of 2 × m
        f.Eu.LostResponseRate = 1; // every eu call acts and loses its answer

        var first = await f.Handler.HandleAsync(HandlerFixture.Request("A", failover: "us"));

        Assert.Equal(ReplicaOutcome.ProvisioningFailed, first.Outcome);
        Assert.True(first.IsOutcomeUnknown);
        Assert.Equal(2, f.Eu.ReplicaCount); // they exist: the answers were lost
        Assert.Equal(TestShapes.Medium.Capacity * 2, f.Capacity("eu").Held); // and their capacity stays held

        f.Eu.LostResponseRate = 0;
        var other = await f.Handler.HandleAsync(HandlerFixture.Request("B"));
        Assert.Equal(ReplicaOutcome.NoCapacity, other.Outcome);

        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A", failover: "us"));

        Assert.True(again.IsProvisioned);
        Assert.Equal("eu", again.Region);
        Assert.Equal(1, again.Attempts);
        Assert.Equal(f.Eu.GetReplicas().Keys.Order(StringComparer.Ordinal), again.ReplicaIds.Order(StringComparer.Ordinal));
        Assert.Equal(1, f.Eu.TotalProvisionEffects);
        Assert.Equal(0, f.Us.ReplicaCount);
        f.AssertConsistent();
    }

    [Fact]
    public async Task HandleAsync_AdapterErrorWithoutAFullStop_IsClosedBeforeTheHandlersOwnSentence()
    {
        var f = new HandlerFixture(wrap: p => new ScriptedProvisioner(p).Then(Step.Transient, Step.Transient, Step.Transient));

        var result = await f.Handler.HandleAsync(HandlerFixture.Request("A"));

        Assert.True(result.IsOutcomeUnknown);
        Assert.Contains("failed (TransientFailure): scripted. The outcome of an earlier try is unknown", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_ResubmittedAfterTheHoldExpired_ReplaysTheKeyAndReservesAgain()
    {
        var f = new HandlerFixture();
        f.Eu.LostResponseRate = 1;
        var first = await f.Handler.HandleAsync(HandlerFixture.Request("A", failover: "us"));
        Assert.True(first.IsOutcomeUnknown);

        f.Time.Advance(TimeSpan.FromMinutes(6)); // past the 5-minute hold
        f.Eu.LostResponseRate = 0;
        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A", failover: "us"));

        Assert.True(again.IsProvisioned);
        Assert.Equal("eu", again.Region);
        Assert.Contains("expired", again.Message, StringComparison.Ordinal);
        Assert.Equal(1, f.Eu.TotalProvisionEffects);
        Assert.Equal(0, f.Us.ReplicaCount);
        f.AssertConsistent();
    }

    [Fact]
    public async Task HandleAsync_ResubmittedAfterTheHoldExpiredAndCapacityWasTaken_ReleasesTheReplicasAndFailsOver()
    {
        var f = new HandlerFixture();
        f.Ledger.SetRegionCapacity("eu", TestShapes.Medium.Capacity * 2);
        f.Eu.LostResponseRate = 1;
        Assert.True((await f.Handler.HandleAsync(HandlerFixture.Request("A", failover: "us"))).IsOutcomeUnknown);
        f.Time.Advance(TimeSpan.FromMinutes(6));
        f.Eu.LostResponseRate = 0;
        var other = await f.Handler.HandleAsync(HandlerFixture.Request("B")); // the expired hold freed eu
        Assert.True(other.IsProvisioned);

        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A", failover: "us"));

        Assert.True(again.IsProvisioned);
        Assert.Equal("us", again.Region);
        Assert.Equal(other.ReplicaIds.Order(StringComparer.Ordinal), f.Eu.GetReplicas().Keys.Order(StringComparer.Ordinal)); // A's eu replicas are gone
        Assert.All(f.Eu.GetProvisionEffects().Values, n => Assert.Equal(1, n));
        f.AssertConsistent();
    }

    [Fact]
    public async Task HandleAsync_ResubmissionIsRejectedUnderTheKey_ReleasesTheHoldAndServesTheRequestAfresh()
    {
        // Three unanswered tries (none acted), then the resubmission's replay is rejected: nothing exists under the key.
        var f = new HandlerFixture(wrap: p => new ScriptedProvisioner(p).Then(Step.Transient, Step.Transient, Step.Transient, Step.Reject));
        var first = await f.Handler.HandleAsync(HandlerFixture.Request("A"));
        Assert.True(first.IsOutcomeUnknown);
        Assert.Equal(1, f.Ledger.CountHeld());

        var again = await f.Handler.HandleAsync(HandlerFixture.Request("A"));

        Assert.True(again.IsProvisioned);
        Assert.Equal(TestShapes.Large, again.Shape); // the rejected key's shape is not tried again
        Assert.Equal(2, again.Attempts);
        f.AssertConsistent();
    }

    [Fact]
    public async Task HandleAsync_CancelledWhileTheRegionLosesAnswers_KeepsTheHoldAndTheResubmissionRecovers()
    {
        var f = new HandlerFixture();
        var first = await CancelWhileTheRegionLosesAnswersAsync(f);

        Assert.Equal(ReplicaOutcome.Cancelled, first.Outcome);
        Assert.True(first.IsOutcomeUnknown);
        Assert.Equal(2, f.Eu.ReplicaCount); // the rollback's replays acted and lost their answers
        Assert.Equal(TestShapes.Medium.Capacity * 2, f.Capacity("eu").Held);

        f.Eu.LostResponseRate = 0;
        var again = await f.Time.RunUntilDone(f.Handler.HandleAsync(HandlerFixture.Request("A")).AsTask());

        Assert.True(again.IsProvisioned);
        Assert.Equal(1, f.Eu.TotalProvisionEffects);
        f.AssertConsistent();
    }

    [Fact]
    public async Task GetUnsettledRequests_AfterLostAnswers_ListsTheKeyUntilAResubmissionSettlesIt()
    {
        var f = new HandlerFixture();
        Assert.Empty(UnsettledKeys(f));
        Assert.Equal(0, f.Handler.UnsettledRequestCount);

        f.Eu.LostResponseRate = 1;
        Assert.True((await f.Handler.HandleAsync(HandlerFixture.Request("A"))).IsOutcomeUnknown);

        Assert.Equal(["A"], UnsettledKeys(f));
        Assert.Equal(1, f.Handler.UnsettledRequestCount);

        f.Eu.LostResponseRate = 0;
        Assert.True((await f.Handler.HandleAsync(HandlerFixture.Request("B"))).IsProvisioned); // a settled request is never listed
        Assert.Equal(["A"], UnsettledKeys(f));

        Assert.True((await f.Handler.HandleAsync(HandlerFixture.Request("A"))).IsProvisioned);

        Assert.Empty(UnsettledKeys(f));
        Assert.Equal(0, f.Handler.UnsettledRequestCount);
        f.AssertConsistent();
    }

    [Fact]
    public async Task GetUnsettledRequests_ResubmissionStillUnknown_KeepsTheKeyOnce()
    {
        var f = new HandlerFixture();
        f.Eu.LostResponseRate = 1;
        Assert.True((await f.Handler.HandleAsync(HandlerFixture.Request("A"))).IsOutcomeUnknown);

        Assert.True((await f.Handler.HandleAsync(HandlerFixture.Request("A"))).IsOutcomeUnknown);

        Assert.Equal(["A"], UnsettledKeys(f));
        Assert.Equal(1, f.Handler.UnsettledRequestCount);
    }

    [Fact]
    public async Task GetUnsettledRequests_ResubmissionRejectedUnderTheKey_DropsTheKeyOnceServedAfresh()
    {
        var f = new HandlerFixture(wrap: p => new ScriptedProvisioner(p).Then(Step.Transient, Step.Transient, Step.Transient, Step.Reject));
        Assert.True((await f.Handler.HandleAsync(HandlerFixture.Request("A"))).IsOutcomeUnknown);
        Assert.Equal(["A"], UnsettledKeys(f));

        Assert.True((await f.Handler.HandleAsync(HandlerFixture.Request("A"))).IsProvisioned);

        Assert.Empty(UnsettledKeys(f));
    }

    [Fact]
    public async Task GetUnsettledRequests_CancelledWithTheOutcomeUnknown_ListsTheKey()
    {
        var f = new HandlerFixture();
        var first = await CancelWhileTheRegionLosesAnswersAsync(f);

        Assert.True(first.IsOutcomeUnknown);
        Assert.Equal(["A"], UnsettledKeys(f));
    }

    [Fact]
    public async Task GetUnsettledRequests_AReconciliationJobReconcilesEachListedKey_SettlesThemAll()
    {
        // Callers that never came back: the host reconciles what the handler lists.
        var f = new HandlerFixture();
        var requests = new[] { HandlerFixture.Request("A", replicas: 1), HandlerFixture.Request("C", replicas: 2) };
        f.Eu.LostResponseRate = 1;
        foreach (var request in requests)
        {
            Assert.True((await f.Handler.HandleAsync(request)).IsOutcomeUnknown);
        }

        var listed = f.Handler.GetUnsettledRequests();
        Assert.Equal(requests, listed.OrderBy(r => r.IdempotencyKey, StringComparer.Ordinal)); // the requests as submitted

        f.Eu.LostResponseRate = 0;
        foreach (var request in listed)
        {
            Assert.True((await f.Handler.ReconcileAsync(request.IdempotencyKey))!.IsProvisioned);
        }

        Assert.Equal(2, listed.Count); // a snapshot: unchanged by what followed
        Assert.Empty(f.Handler.GetUnsettledRequests());
        Assert.Equal(requests.Length, f.Eu.TotalProvisionEffects); // each request provisioned once, under one key
        Assert.All(f.Eu.GetProvisionEffects().Values, n => Assert.Equal(1, n));
        f.AssertConsistent();
    }

    [Fact]
    public async Task HandleAsync_ResubmittedForAnotherRegion_ThrowsNamingTheKey()
    {
        var f = new HandlerFixture();
        f.Eu.LostResponseRate = 1;
        Assert.True((await f.Handler.HandleAsync(HandlerFixture.Request("A"))).IsOutcomeUnknown);

        var error = await Assert.ThrowsAsync<ArgumentException>(async () =>
            await f.Handler.HandleAsync(new ReplicaRequest("us", 2, TimeSpan.FromHours(1), "A")));

        Assert.Contains("'A'", error.Message, StringComparison.Ordinal);
    }

    private static string[] UnsettledKeys(HandlerFixture f) => [.. f.Handler.GetUnsettledRequests().Select(r => r.IdempotencyKey)];

    // Request "A" in a region that answers after a second and loses every answer, cancelled at once.
    private static async Task<ReplicaResult> CancelWhileTheRegionLosesAnswersAsync(HandlerFixture f)
    {
        f.Eu.Latency = TimeSpan.FromSeconds(1);
        f.Eu.LostResponseRate = 1;
        using var cts = new CancellationTokenSource();
        var pending = f.Handler.HandleAsync(HandlerFixture.Request("A"), cts.Token).AsTask();
        await cts.CancelAsync();
        return await f.Time.RunUntilDone(pending);
    }
}
