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

/// <summary>Hands out each region-demand observation the adjustment loop feeds back, in order.</summary>
public sealed class SignallingPredictor : ILoadPredictor
{
    private readonly System.Threading.Channels.Channel<(string Region, DateTimeOffset At, ResourceVector Demand)> _observed =
        System.Threading.Channels.Channel.CreateUnbounded<(string, DateTimeOffset, ResourceVector)>();

    /// <summary>Gets the next observation, once the loop has fed it.</summary>
    public Task<(string Region, DateTimeOffset At, ResourceVector Demand)> Next => _observed.Reader.ReadAsync().AsTask();

    public bool TryGetProfile(string region, TimeSpan window, [NotNullWhen(true)] out LoadProfile? profile)
    {
        profile = null;
        return false;
    }

    public void Observe(string region, DateTimeOffset timestamp, ResourceVector demand) =>
        _observed.Writer.TryWrite((region, timestamp, demand));
}
