using Shaping.Core.Capacity;
using Shaping.Core.Resources;

namespace Shaping.Core.Tests;

/// <summary>
/// Wraps a ledger and scripts the first answers of reserve, commit and release: each scripted step either answers
/// <see cref="ReservationStatus.Unavailable"/> without calling through, or calls through and then loses the answer
/// (answers <see cref="ReservationStatus.Unavailable"/> although the call took effect), as a ledger whose
/// connection drops does.
/// </summary>
internal sealed class ScriptedLedger(ICapacityLedger inner) : ICapacityLedger
{
    private readonly Queue<Step> _reserves = new();
    private readonly Queue<Step> _commits = new();
    private readonly Queue<Step> _releases = new();

    public enum Step
    {
        /// <summary>Call through and answer what the inner ledger answered.</summary>
        Through,

        /// <summary>Answer Unavailable without calling through.</summary>
        Unavailable,

        /// <summary>Call through, then answer Unavailable (the answer was lost).</summary>
        LostAnswer,

        /// <summary>Throw (a ledger adapter bug) without calling through.</summary>
        Throw,

        /// <summary>Call through, then throw (a ledger adapter bug after the ledger acted).</summary>
        ThrowAfterEffect,

        /// <summary>
        /// Answer NotFound without calling through, as a ledger that lost the reservation would (against the contract
        /// when it is committed: the inner ledger still counts it).
        /// </summary>
        NotFound,
    }

    /// <summary>Runs after every release that called through, with the released id (a competing request, say).</summary>
    public Func<ReservationId, ValueTask>? AfterRelease { get; set; }

    public int ReserveCalls { get; private set; }

    public int CommitCalls { get; private set; }

    public ScriptedLedger Reserves(params Step[] steps) => Enqueue(_reserves, steps);

    public ScriptedLedger Commits(params Step[] steps) => Enqueue(_commits, steps);

    public ScriptedLedger Releases(params Step[] steps) => Enqueue(_releases, steps);

    public async ValueTask<LedgerResult> TryReserveAsync(ReservationRequest request, CancellationToken cancellationToken = default)
    {
        ReserveCalls++;
        return await Play(_reserves, () => inner.TryReserveAsync(request, cancellationToken));
    }

    public async ValueTask<LedgerResult> CommitAsync(ReservationId id, CancellationToken cancellationToken = default)
    {
        CommitCalls++;
        return await Play(_commits, () => inner.CommitAsync(id, cancellationToken));
    }

    public async ValueTask<LedgerResult> ReleaseAsync(ReservationId id, CancellationToken cancellationToken = default)
    {
        var step = _releases.TryDequeue(out var next) ? next : Step.Through;
        if (step == Step.Unavailable)
        {
            return new LedgerResult(ReservationStatus.Unavailable, null);
        }

        if (step == Step.Throw)
        {
            throw new InvalidOperationException("scripted ledger bug");
        }

        var result = await inner.ReleaseAsync(id, cancellationToken);
        if (AfterRelease is { } after)
        {
            await after(id);
        }

        return step switch
        {
            Step.LostAnswer => new LedgerResult(ReservationStatus.Unavailable, null),
            Step.ThrowAfterEffect => throw new InvalidOperationException("scripted ledger bug after the effect"),
            _ => result,
        };
    }

    public ValueTask<int> ReclaimExpiredAsync(CancellationToken cancellationToken = default) => inner.ReclaimExpiredAsync(cancellationToken);

    public ValueTask<ResourceVector?> GetFreeCapacityAsync(string region, CancellationToken cancellationToken = default) =>
        inner.GetFreeCapacityAsync(region, cancellationToken);

    private static async ValueTask<LedgerResult> Play(Queue<Step> script, Func<ValueTask<LedgerResult>> call)
    {
        var step = script.TryDequeue(out var next) ? next : Step.Through;
        if (step == Step.Unavailable)
        {
            return new LedgerResult(ReservationStatus.Unavailable, null);
        }

        if (step == Step.Throw)
        {
            throw new InvalidOperationException("scripted ledger bug");
        }

        if (step == Step.NotFound)
        {
            return new LedgerResult(ReservationStatus.NotFound, null);
        }

        var result = await call();
        return step switch
        {
            Step.LostAnswer => new LedgerResult(ReservationStatus.Unavailable, null),
            Step.ThrowAfterEffect => throw new InvalidOperationException("scripted ledger bug after the effect"),
            _ => result,
        };
    }

    private ScriptedLedger Enqueue(Queue<Step> script, Step[] steps)
    {
        foreach (var step in steps)
        {
            script.Enqueue(step);
        }

        return this;
    }
}
