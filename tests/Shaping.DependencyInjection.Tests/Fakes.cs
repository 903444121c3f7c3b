using System.Diagnostics.CodeAnalysis;
using Shaping.Core.Capacity;
using Shaping.Core.Prediction;
using Shaping.Core.Provisioning;
using Shaping.Core.Resources;

namespace Shaping.DependencyInjection.Tests;

public sealed class CountingUtilizationSource : IUtilizationSource
{
    public SemaphoreSlim Reads { get; } = new(0);

    public ValueTask<IReadOnlyList<ReplicaUtilization>> ReadAsync(CancellationToken cancellationToken = default)
    {
        Reads.Release();
        return ValueTask.FromResult<IReadOnlyList<ReplicaUtilization>>([]);
    }
}

public sealed class RefusingLedger : ICapacityLedger
{
    public ValueTask<LedgerResult> TryReserveAsync(ReservationRequest request, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(new LedgerResult(ReservationStatus.InsufficientCapacity, null));

    public ValueTask<LedgerResult> CommitAsync(ReservationId id, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(new LedgerResult(ReservationStatus.NotFound, null));

    public ValueTask<LedgerResult> ReleaseAsync(ReservationId id, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(new LedgerResult(ReservationStatus.NotFound, null));

    public ValueTask<int> ReclaimExpiredAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(0);

    public ValueTask<ResourceVector?> GetFreeCapacityAsync(string region, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<ResourceVector?>(null);
}

public sealed class RejectingProvisioner : IProvisioner
{
    public ValueTask<ProvisionResult> ProvisionAsync(ProvisionRequest request, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(ProvisionResult.Failure(ProvisionStatus.Rejected, "test"));

    public ValueTask<ProvisionResult> ResizeAsync(ResizeRequest request, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(ProvisionResult.Failure(ProvisionStatus.Rejected, "test"));

    public ValueTask<ProvisionResult> ReleaseAsync(string region, string replicaId, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(ProvisionResult.Failure(ProvisionStatus.Rejected, "test"));
}

public sealed class SilentPredictor : ILoadPredictor
{
    public bool TryGetProfile(string region, TimeSpan window, [NotNullWhen(true)] out LoadProfile? profile)
    {
        profile = null;
        return false;
    }

    public void Observe(string region, DateTimeOffset timestamp, ResourceVector demand)
    {
    }
}
