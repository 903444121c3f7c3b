using Shaping.Core.Capacity;
using Shaping.Core.ControlPlane;
using LedgerStep = Shaping.Core.Tests.ScriptedLedger.Step;

namespace Shaping.Core.Tests.ControlPlane;

/// <summary>
/// The ledger answers Unavailable: the outcome is unknown (the call may have taken effect), so the handler replays
/// by the same reservation id and never counts a reservation twice or leaves one held.
/// </summary>
public sealed class ReplicaRequestHandlerLedgerFaultTests
{
    [Fact]
    public async Task HandleAsync_CommitTookEffectButAnsweredUnavailable_ReplaysItAndCommitsOneReservation()
    {
        ScriptedLedger? ledger = null;
        var f = new HandlerFixture(wrapLedger: l => ledger = new ScriptedLedger(l).Commits(LedgerStep.LostAnswer));

        var result = await f.Handler.HandleAsync(HandlerFixture.Request());

        Assert.True(result.IsProvisioned);
        Assert.Equal(2, ledger!.CommitCalls); // the lost commit, then its replay by the same id
        Assert.Equal(1, ledger.ReserveCalls);
        Assert.Equal(TestShapes.Medium.Capacity * 2, f.Capacity("eu").Committed);
        f.AssertConsistent();

        // Releasing the replicas the normal way gives every core back: nothing stays committed for nothing.
        foreach (var replica in result.ReplicaIds)
        {
            if (f.Inventory.Remove(replica) is { } vacated)
            {
                await f.Ledger.ReleaseAsync(vacated);
            }
        }

        Assert.Equal(HandlerFixture.RegionTotal, f.Capacity("eu").Free);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HandleAsync_CommitStaysUnavailable_AccountsWithANewReservationAndReleasesTheFirst(bool firstTookEffect)
    {
        var first = firstTookEffect ? LedgerStep.LostAnswer : LedgerStep.Unavailable;
        // Every replay of the first commit is unanswered too; whether it took effect or not, it ends released.
        var f = new HandlerFixture(
            wrapLedger: l => new ScriptedLedger(l).Commits(first, LedgerStep.Unavailable, LedgerStep.Unavailable));

        var result = await f.Handler.HandleAsync(HandlerFixture.Request());

        Assert.True(result.IsProvisioned);
        Assert.Equal(TestShapes.Medium.Capacity * 2, f.Capacity("eu").Committed);
        f.AssertConsistent();
    }

    [Fact]
    public async Task HandleAsync_ReserveTookEffectButAnsweredUnavailable_ReplaysItAndUsesTheHold()
    {
        ScriptedLedger? ledger = null;
        var f = new HandlerFixture(wrapLedger: l => ledger = new ScriptedLedger(l).Reserves(LedgerStep.LostAnswer));

        var result = await f.Handler.HandleAsync(HandlerFixture.Request());

        Assert.True(result.IsProvisioned);
        Assert.Equal(TestShapes.Medium, result.Shape); // the first-ranked shape: the unanswered reserve was not a refusal
        Assert.Equal(2, ledger!.ReserveCalls);
        f.AssertConsistent();
    }

    [Fact]
    public async Task HandleAsync_LedgerStaysUnavailableWhileReserving_ReleasesThatIdAndMovesOn()
    {
        // The first shape's reserve takes effect but neither it nor its two replays (MaxProvisionRetries) is answered.
        var f = new HandlerFixture(
            wrapLedger: l => new ScriptedLedger(l).Reserves(LedgerStep.LostAnswer, LedgerStep.Unavailable, LedgerStep.Unavailable));

        var result = await f.Handler.HandleAsync(HandlerFixture.Request());

        Assert.True(result.IsProvisioned);
        Assert.Equal(TestShapes.Large, result.Shape); // the next-ranked shape
        Assert.Equal(0, f.Ledger.CountHeld()); // no phantom hold of the unanswered reserve until it expires
        f.AssertConsistent();
    }
}
