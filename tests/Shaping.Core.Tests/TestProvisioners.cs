using Shaping.Core.Provisioning;

namespace Shaping.Core.Tests;

/// <summary>
/// Wraps a provisioner and scripts the first answers of <see cref="IProvisioner.ProvisionAsync"/>: each scripted
/// step either fails without calling through, or calls through and then loses the answer, or cancels the caller.
/// </summary>
internal sealed class ScriptedProvisioner(IProvisioner inner) : IProvisioner
{
    private readonly Queue<Step> _script = new();

    public enum Step
    {
        /// <summary>Answer TransientFailure without calling through.</summary>
        Transient,

        /// <summary>Call through, then answer TransientFailure (the answer was lost).</summary>
        LostAnswer,

        /// <summary>Answer RegionUnavailable without calling through.</summary>
        Outage,

        /// <summary>Answer Rejected without calling through.</summary>
        Reject,

        /// <summary>Call through, then cancel <see cref="CancelOnStep"/> and return the real answer.</summary>
        CancelAfterEffect,

        /// <summary>Throw (an adapter bug) without calling through.</summary>
        Throw,

        /// <summary>Call through, then throw (an adapter bug after the region acted).</summary>
        ThrowAfterEffect,

        /// <summary>Call through, then answer the first replica id in every place (an adapter bug).</summary>
        DuplicateIds,
    }

    public CancellationTokenSource? CancelOnStep { get; set; }

    /// <summary>Replicas the region cannot release: their releases answer TransientFailure without calling through.</summary>
    public Func<string, bool>? CannotRelease { get; set; }

    /// <summary>Replicas whose release throws (an adapter bug) without calling through.</summary>
    public Func<string, bool>? ThrowOnRelease { get; set; }

    /// <summary>Answers as an adapter that does not say which replicas of a key were released (an empty <see cref="ProvisionResult.ReleasedReplicaIds"/>).</summary>
    public bool HidesReleased { get; set; }

    public int ProvisionCalls { get; private set; }

    public ScriptedProvisioner Then(params Step[] steps)
    {
        foreach (var step in steps)
        {
            _script.Enqueue(step);
        }

        return this;
    }

    public async ValueTask<ProvisionResult> ProvisionAsync(ProvisionRequest request, CancellationToken cancellationToken = default)
    {
        var answer = await PlayAsync(request, cancellationToken);
        return HidesReleased ? answer with { ReleasedReplicaIds = [] } : answer;
    }

    private async ValueTask<ProvisionResult> PlayAsync(ProvisionRequest request, CancellationToken cancellationToken)
    {
        ProvisionCalls++;
        if (!_script.TryDequeue(out var step))
        {
            return await inner.ProvisionAsync(request, cancellationToken);
        }

        switch (step)
        {
            case Step.Transient:
                return ProvisionResult.Failure(ProvisionStatus.TransientFailure, "scripted");
            case Step.Outage:
                return ProvisionResult.Failure(ProvisionStatus.RegionUnavailable, "scripted");
            case Step.Reject:
                return ProvisionResult.Failure(ProvisionStatus.Rejected, "scripted");
            case Step.LostAnswer:
                _ = await inner.ProvisionAsync(request, cancellationToken);
                return ProvisionResult.Failure(ProvisionStatus.TransientFailure, "scripted lost answer");
            case Step.Throw:
                throw new InvalidOperationException("scripted adapter bug");
            case Step.ThrowAfterEffect:
                _ = await inner.ProvisionAsync(request, cancellationToken);
                throw new InvalidOperationException("scripted adapter bug after the effect");
            case Step.DuplicateIds:
                var answer = await inner.ProvisionAsync(request, cancellationToken);
                return answer with { ReplicaIds = [.. answer.ReplicaIds.Select(_ => answer.ReplicaIds[0])] };
            default:
                var result = await inner.ProvisionAsync(request, cancellationToken);
                await CancelOnStep!.CancelAsync();
                return result;
        }
    }

    public ValueTask<ProvisionResult> ResizeAsync(ResizeRequest request, CancellationToken cancellationToken = default) =>
        inner.ResizeAsync(request, cancellationToken);

    public ValueTask<ProvisionResult> ReleaseAsync(string region, string replicaId, CancellationToken cancellationToken = default) =>
        ThrowOnRelease is { } throws && throws(replicaId)
            ? throw new InvalidOperationException($"scripted adapter bug releasing {replicaId}")
            : CannotRelease is { } stuck && stuck(replicaId)
                ? ValueTask.FromResult(ProvisionResult.Failure(ProvisionStatus.TransientFailure, "scripted: cannot release"))
                : inner.ReleaseAsync(region, replicaId, cancellationToken);
}
