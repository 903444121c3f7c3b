using System.Diagnostics.CodeAnalysis;
using Shaping.Core.Capacity;
using Shaping.Core.Prediction;
using Shaping.Core.Provisioning;
using Shaping.Core.Resources;

namespace Shaping.Core.Tests.ControlPlane;

/// <summary>Hands out queued batches of observations and signals every read.</summary>
public sealed class FakeUtilizationSource : IUtilizationSource
{
    private readonly Queue<IReadOnlyList<ReplicaUtilization>> _batches = new();

    public SemaphoreSlim Reads { get; } = new(0);

    public Exception? ThrowOnRead { get; set; }

    public void Enqueue(params ReplicaUtilization[] batch)
    {
        lock (_batches)
        {
            _batches.Enqueue(batch);
        }
    }

    public ValueTask<IReadOnlyList<ReplicaUtilization>> ReadAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            if (ThrowOnRead is { } ex)
            {
                throw ex;
            }

            lock (_batches)
            {
                return ValueTask.FromResult(_batches.Count > 0 ? _batches.Dequeue() : (IReadOnlyList<ReplicaUtilization>)[]);
            }
        }
        finally
        {
            Reads.Release();
        }
    }
}

/// <summary>A small, single-threaded ledger that records what was asked of it.</summary>
public sealed class FakeLedger : ICapacityLedger
{
    private readonly Dictionary<string, ResourceVector> _total = new(StringComparer.Ordinal);

    public Dictionary<ReservationId, (ReservationRequest Request, ReservationState State)> Reservations { get; } = [];

    public bool DenyReservations { get; set; }

    /// <summary>Every commit answers Unavailable without taking effect.</summary>
    public bool FailCommits { get; set; }

    /// <summary>Every reserve takes effect and answers Unavailable, as if the connection dropped before the answer.</summary>
    public bool LoseReserveAnswers { get; set; }

    /// <summary>Calls of <see cref="TryReserveAsync"/>, replays included.</summary>
    public int ReserveCalls { get; private set; }

    /// <summary>Runs after each reserve's effect, with the number of reserve calls so far.</summary>
    public Action<int>? AfterReserve { get; set; }

    public void AddRegion(string region, ResourceVector capacity) => _total[region] = capacity;

    /// <summary>Records a reservation that already exists and is committed (replicas provisioned earlier).</summary>
    public void AddCommitted(ReservationRequest request) => Reservations[request.Id] = (request, ReservationState.Committed);

    public ValueTask<LedgerResult> TryReserveAsync(ReservationRequest request, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ReserveCalls++;
        if (DenyReservations || !_total.ContainsKey(request.Region))
        {
            return ValueTask.FromResult(new LedgerResult(ReservationStatus.InsufficientCapacity, null));
        }

        var free = Free(request.Region);
        if (!request.Total.FitsWithin(free))
        {
            return ValueTask.FromResult(new LedgerResult(ReservationStatus.InsufficientCapacity, null));
        }

        Reservations[request.Id] = (request, ReservationState.Held);
        AfterReserve?.Invoke(ReserveCalls);
        return ValueTask.FromResult(LoseReserveAnswers
            ? new LedgerResult(ReservationStatus.Unavailable, null)
            : new LedgerResult(ReservationStatus.Succeeded, new Reservation(request, ReservationState.Held, DateTimeOffset.MaxValue)));
    }

    public ValueTask<LedgerResult> CommitAsync(ReservationId id, CancellationToken cancellationToken = default)
    {
        if (FailCommits)
        {
            return ValueTask.FromResult(new LedgerResult(ReservationStatus.Unavailable, null));
        }

        return ValueTask.FromResult(Transition(id, ReservationState.Committed));
    }

    public ValueTask<LedgerResult> ReleaseAsync(ReservationId id, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Transition(id, ReservationState.Released));

    public ValueTask<int> ReclaimExpiredAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(0);

    public ValueTask<ResourceVector?> GetFreeCapacityAsync(string region, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_total.ContainsKey(region) ? Free(region) : (ResourceVector?)null);

    public ReservationState StateOf(ReservationId id) => Reservations[id].State;

    public IEnumerable<ReservationRequest> InState(ReservationState state) =>
        Reservations.Values.Where(r => r.State == state).Select(r => r.Request);

    private ResourceVector Free(string region) => Reservations.Values
        .Where(r => r.Request.Region == region && r.State is ReservationState.Held or ReservationState.Committed)
        .Aggregate(_total[region], (free, r) => free - r.Request.Total);

    private LedgerResult Transition(ReservationId id, ReservationState to)
    {
        if (!Reservations.TryGetValue(id, out var entry))
        {
            return new LedgerResult(ReservationStatus.NotFound, null);
        }

        Reservations[id] = (entry.Request, to);
        return new LedgerResult(ReservationStatus.Succeeded, new Reservation(entry.Request, to, DateTimeOffset.MaxValue));
    }
}

/// <summary>Answers resizes with a configurable status and records them.</summary>
public sealed class FakeProvisioner : IProvisioner
{
    public List<ResizeRequest> Resizes { get; } = [];

    public ProvisionStatus ResizeStatus { get; set; } = ProvisionStatus.Succeeded;

    /// <summary>When set, runs on every resize (after it is recorded) and decides its answer instead of <see cref="ResizeStatus"/>.</summary>
    public Func<ResizeRequest, ProvisionStatus>? OnResize { get; set; }

    public ValueTask<ProvisionResult> ProvisionAsync(ProvisionRequest request, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(ProvisionResult.Failure(ProvisionStatus.Rejected, "not used by the loop"));

    public ValueTask<ProvisionResult> ResizeAsync(ResizeRequest request, CancellationToken cancellationToken = default)
    {
        Resizes.Add(request);
        var status = OnResize is { } decide ? decide(request) : ResizeStatus;
        return ValueTask.FromResult(status == ProvisionStatus.Succeeded
            ? ProvisionResult.Success([request.ReplicaId])
            : ProvisionResult.Failure(status, "injected"));
    }

    public ValueTask<ProvisionResult> ReleaseAsync(string region, string replicaId, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(ProvisionResult.Success([replicaId]));
}

/// <summary>Records feedback and answers every region with one fixed profile (or none).</summary>
public sealed class RecordingPredictor : ILoadPredictor
{
    public List<(string Region, DateTimeOffset Timestamp, ResourceVector Demand)> Observed { get; } = [];

    public LoadProfile? Profile { get; set; }

    public List<TimeSpan> Windows { get; } = [];

    public bool TryGetProfile(string region, TimeSpan window, [NotNullWhen(true)] out LoadProfile? profile)
    {
        Windows.Add(window);
        profile = Profile;
        return profile is not null;
    }

    /// <summary>Runs after each observation is recorded, on the thread that fed it.</summary>
    public Action<string, ResourceVector>? OnObserve { get; set; }

    public void Observe(string region, DateTimeOffset timestamp, ResourceVector demand)
    {
        Observed.Add((region, timestamp, demand));
        OnObserve?.Invoke(region, demand);
    }
}
