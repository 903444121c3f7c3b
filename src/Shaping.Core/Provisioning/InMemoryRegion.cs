using System.Globalization;
using Shaping.Core.Shapes;

namespace Shaping.Core.Provisioning;

/// <summary>
/// An in-process stand-in for one region's control plane, with configurable latency and injectable faults, for
/// tests, samples and hosts that run without infrastructure.
/// </summary>
/// <remarks>
/// <para>
/// One instance is one region (<see cref="Name"/>); a request naming another region is
/// <see cref="ProvisionStatus.Rejected"/>. Combine several with <see cref="RegionalProvisioner"/>.
/// </para>
/// <para>
/// <b>Idempotency.</b> The first successful effect under an idempotency key creates the replicas; every later
/// call with the same key and content returns the same replica ids without creating anything, listing those released
/// since in <see cref="ProvisionResult.ReleasedReplicaIds"/>, and the same key with different content is rejected. <see cref="GetProvisionEffects(string)"/> counts effects per key, so a
/// test can check that nothing was ever provisioned twice.
/// </para>
/// <para>
/// <b>Faults.</b> Every call first waits <see cref="Latency"/> on the injected <see cref="TimeProvider"/>
/// (cancellable). Then, in order: during an <see cref="IsOutage">outage</see> every call answers
/// <see cref="ProvisionStatus.RegionUnavailable"/> without effect; with probability
/// <see cref="TransientFailureRate"/> a call answers <see cref="ProvisionStatus.TransientFailure"/> without effect;
/// otherwise the effect happens, and then, for a provision or a resize, with probability <see cref="LostResponseRate"/>
/// the answer is lost: the caller sees <see cref="ProvisionStatus.TransientFailure"/> although the replicas exist (or
/// were resized), as when a response times out. A release's answer is never lost. Random draws come from a <see cref="Random"/> seeded at construction, so a run is reproducible for
/// a given order of calls.
/// </para>
/// <para><b>Thread safety:</b> all members are safe to call concurrently.</para>
/// </remarks>
public sealed class InMemoryRegion : IProvisioner
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, KeyRecord> _provisions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _effects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ResourceShape> _replicas = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _replicaKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _resizes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _released = new(StringComparer.Ordinal);
    private readonly Random _random;
    private readonly TimeProvider _timeProvider;
    private long _nextReplica;
    private long _totalEffects;
    private double _transientFailureRate;
    private double _lostResponseRate;
    private TimeSpan _latency;
    private volatile bool _isOutage;

    /// <summary>Creates a region.</summary>
    /// <param name="name">The region name; not empty.</param>
    /// <param name="seed">The seed of the fault-injection random source.</param>
    /// <param name="timeProvider">The clock for <see cref="Latency"/>; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null, empty or white space.</exception>
    public InMemoryRegion(string name, int seed = 0, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        _random = new Random(seed);
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the region name.</summary>
    public string Name { get; }

    /// <summary>Gets or sets how long every call takes before it acts.</summary>
    /// <value>The default value is <see cref="TimeSpan.Zero"/>.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan Latency
    {
        get => _latency;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _latency = value;
        }
    }

    /// <summary>Gets or sets the probability that a call fails transiently before it acts.</summary>
    /// <value>The default value is 0.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside [0, 1].</exception>
    public double TransientFailureRate
    {
        get => Volatile.Read(ref _transientFailureRate);
        set => Volatile.Write(ref _transientFailureRate, CheckProbability(value));
    }

    /// <summary>Gets or sets the probability that a provision or resize call acts and its answer is then lost (reported as a transient failure).</summary>
    /// <value>The default value is 0.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside [0, 1].</exception>
    public double LostResponseRate
    {
        get => Volatile.Read(ref _lostResponseRate);
        set => Volatile.Write(ref _lostResponseRate, CheckProbability(value));
    }

    /// <summary>Gets or sets whether the region is down: every call answers <see cref="ProvisionStatus.RegionUnavailable"/>.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool IsOutage
    {
        get => _isOutage;
        set => _isOutage = value;
    }

    /// <summary>Gets or sets whether a key is forgotten once all its replicas are released, so long runs (benchmarks) stay bounded.</summary>
    /// <remarks>A forgotten key provisions afresh when replayed; leave this off where replays after release matter.</remarks>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool ForgetReleasedKeys { get; set; }

    /// <summary>Gets how many replicas run now.</summary>
    public int ReplicaCount
    {
        get
        {
            lock (_gate)
            {
                return _replicas.Count;
            }
        }
    }

    /// <summary>Gets how many provisioning effects happened in total (each created replicas).</summary>
    public long TotalProvisionEffects => Interlocked.Read(ref _totalEffects);

    /// <summary>Gets how many times replicas were created under one idempotency key: 0 or 1 unless idempotency is broken.</summary>
    /// <param name="idempotencyKey">The key.</param>
    /// <returns>The number of provisioning effects for the key.</returns>
    public int GetProvisionEffects(string idempotencyKey)
    {
        ArgumentNullException.ThrowIfNull(idempotencyKey);
        lock (_gate)
        {
            return _effects.GetValueOrDefault(idempotencyKey);
        }
    }

    /// <summary>Gets a snapshot of the provisioning effect count of every key that had one.</summary>
    /// <returns>Key → number of effects.</returns>
    public IReadOnlyDictionary<string, int> GetProvisionEffects()
    {
        lock (_gate)
        {
            return new Dictionary<string, int>(_effects, StringComparer.Ordinal);
        }
    }

    /// <summary>Gets a snapshot of the running replicas and their shapes.</summary>
    /// <returns>Replica id → shape.</returns>
    public IReadOnlyDictionary<string, ResourceShape> GetReplicas()
    {
        lock (_gate)
        {
            return new Dictionary<string, ResourceShape>(_replicas, StringComparer.Ordinal);
        }
    }

    /// <summary>Gets a snapshot of the idempotency key each running replica was provisioned under.</summary>
    /// <returns>Replica id → idempotency key.</returns>
    public IReadOnlyDictionary<string, string> GetReplicaKeys()
    {
        lock (_gate)
        {
            return new Dictionary<string, string>(_replicaKey, StringComparer.Ordinal);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">
    /// The key or region is null, empty or white space, the shape is null (<see cref="ArgumentNullException"/>), or
    /// replicas are below 1; the message names the member of <paramref name="request"/> that is wrong.
    /// </exception>
    public async ValueTask<ProvisionResult> ProvisionAsync(ProvisionRequest request, CancellationToken cancellationToken = default)
    {
        ThrowIfBlank(request.IdempotencyKey, "ProvisionRequest.IdempotencyKey", nameof(request));
        ThrowIfBlank(request.Region, "ProvisionRequest.Region", nameof(request));
        if (request.Shape is null)
        {
            throw new ArgumentNullException(nameof(request), "ProvisionRequest.Shape must not be null.");
        }

        if (request.Replicas < 1)
        {
            throw new ArgumentException($"ProvisionRequest.Replicas must be at least 1; got {request.Replicas}.", nameof(request));
        }

        await WaitLatencyAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            if (Refuse(request.Region) is { } refusal)
            {
                return refusal;
            }

            if (_provisions.TryGetValue(request.IdempotencyKey, out var record))
            {
                if (record.Shape != request.Shape || record.ReplicaIds.Length != request.Replicas)
                {
                    return ProvisionResult.Failure(ProvisionStatus.Rejected, $"The idempotency key '{request.IdempotencyKey}' was used for a different request.");
                }

                return Answer(Replay(record), ProvisionStatus.TransientFailure);
            }

            if (Draw(TransientFailureRate))
            {
                return ProvisionResult.Failure(ProvisionStatus.TransientFailure, "Injected transient failure.");
            }

            var ids = new string[request.Replicas];
            for (var i = 0; i < ids.Length; i++)
            {
                ids[i] = string.Create(CultureInfo.InvariantCulture, $"{Name}-{++_nextReplica}");
                _replicas.Add(ids[i], request.Shape);
                _replicaKey.Add(ids[i], request.IdempotencyKey);
            }

            _provisions.Add(request.IdempotencyKey, new KeyRecord(request.Shape, ids));
            _effects[request.IdempotencyKey] = _effects.GetValueOrDefault(request.IdempotencyKey) + 1;
            Interlocked.Increment(ref _totalEffects);
            return Answer(ProvisionResult.Success(ids), ProvisionStatus.TransientFailure);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">
    /// The key, region or replica id is null, empty or white space, or the shape is null
    /// (<see cref="ArgumentNullException"/>); the message names the member of <paramref name="request"/> that is wrong.
    /// </exception>
    public async ValueTask<ProvisionResult> ResizeAsync(ResizeRequest request, CancellationToken cancellationToken = default)
    {
        ThrowIfBlank(request.IdempotencyKey, "ResizeRequest.IdempotencyKey", nameof(request));
        ThrowIfBlank(request.Region, "ResizeRequest.Region", nameof(request));
        ThrowIfBlank(request.ReplicaId, "ResizeRequest.ReplicaId", nameof(request));
        if (request.NewShape is null)
        {
            throw new ArgumentNullException(nameof(request), "ResizeRequest.NewShape must not be null.");
        }
        await WaitLatencyAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            if (Refuse(request.Region) is { } refusal)
            {
                return refusal;
            }

            if (_resizes.TryGetValue(request.IdempotencyKey, out var resized))
            {
                return string.Equals(resized, request.ReplicaId, StringComparison.Ordinal)
                    ? Answer(ProvisionResult.Success([request.ReplicaId]), ProvisionStatus.TransientFailure)
                    : ProvisionResult.Failure(ProvisionStatus.Rejected, $"The idempotency key '{request.IdempotencyKey}' was used for a different replica.");
            }

            if (!_replicas.ContainsKey(request.ReplicaId))
            {
                return ProvisionResult.Failure(ProvisionStatus.Rejected, $"Replica '{request.ReplicaId}' does not run in region '{Name}'.");
            }

            if (Draw(TransientFailureRate))
            {
                return ProvisionResult.Failure(ProvisionStatus.TransientFailure, "Injected transient failure.");
            }

            _replicas[request.ReplicaId] = request.NewShape;
            _resizes.Add(request.IdempotencyKey, request.ReplicaId);
            return Answer(ProvisionResult.Success([request.ReplicaId]), ProvisionStatus.TransientFailure);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The region or replica id is empty.</exception>
    public async ValueTask<ProvisionResult> ReleaseAsync(string region, string replicaId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentException.ThrowIfNullOrWhiteSpace(replicaId);
        await WaitLatencyAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            if (Refuse(region) is { } refusal)
            {
                return refusal;
            }

            if (_released.Contains(replicaId))
            {
                return ProvisionResult.Success([replicaId]);
            }

            if (!_replicas.ContainsKey(replicaId))
            {
                return ProvisionResult.Failure(ProvisionStatus.Rejected, $"Replica '{replicaId}' does not run in region '{Name}'.");
            }

            if (Draw(TransientFailureRate))
            {
                return ProvisionResult.Failure(ProvisionStatus.TransientFailure, "Injected transient failure.");
            }

            _replicas.Remove(replicaId);
            _replicaKey.Remove(replicaId, out var key);
            if (ForgetReleasedKeys && key is not null && _provisions.TryGetValue(key, out var record) && AllReleased(record))
            {
                _provisions.Remove(key);
                _effects.Remove(key);
                foreach (var id in record.ReplicaIds)
                {
                    _released.Remove(id);
                }
            }
            else
            {
                _released.Add(replicaId);
            }

            return ProvisionResult.Success([replicaId]);
        }
    }

    // ArgumentException.ThrowIfNullOrWhiteSpace(request.X, nameof(request)) would say only "Value cannot be null
    // (Parameter 'request')"; this names the member while the parameter name stays the caller's argument.
    /// <summary>
    /// The answer to any call while this region cannot act on it: a request for another region (a wiring bug in the
    /// host, so rejected) or any request during an outage. <see langword="null"/> when the call may proceed. Call under
    /// the gate.
    /// </summary>
    private ProvisionResult? Refuse(string region) =>
        !string.Equals(region, Name, StringComparison.Ordinal)
            ? ProvisionResult.Failure(ProvisionStatus.Rejected, $"This provisioner serves region '{Name}', not '{region}'.")
            : _isOutage
                ? ProvisionResult.Failure(ProvisionStatus.RegionUnavailable, $"Region '{Name}' is unavailable.")
                : null;

    private static void ThrowIfBlank(string? value, string member, string paramName)
    {
        if (value is null)
        {
            throw new ArgumentNullException(paramName, $"{member} must not be null.");
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"{member} must not be empty or white space; got '{value}'.", paramName);
        }
    }

    private static double CheckProbability(double value, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string? paramName = null)
    {
        if (!(value >= 0 && value <= 1))
        {
            throw new ArgumentOutOfRangeException(paramName, value, "A probability must be in [0, 1].");
        }

        return value;
    }

    // The answer to a key's replay: its first replicas, with those released since listed as such. Call under the gate.
    private ProvisionResult Replay(KeyRecord record)
    {
        List<string>? released = null;
        foreach (var id in record.ReplicaIds)
        {
            if (!_replicas.ContainsKey(id))
            {
                (released ??= []).Add(id);
            }
        }

        return released is null ? ProvisionResult.Success(record.ReplicaIds) : ProvisionResult.Success(record.ReplicaIds, released);
    }

    private bool AllReleased(KeyRecord record)
    {
        foreach (var id in record.ReplicaIds)
        {
            if (_replicas.ContainsKey(id))
            {
                return false;
            }
        }

        return true;
    }

    private ValueTask WaitLatencyAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var latency = _latency;
        return latency == TimeSpan.Zero
            ? ValueTask.CompletedTask
            : new ValueTask(Task.Delay(latency, _timeProvider, cancellationToken));
    }

    // Must be called under the lock: Random is not thread-safe.
    private bool Draw(double probability) => probability > 0 && _random.NextDouble() < probability;

    private ProvisionResult Answer(ProvisionResult success, ProvisionStatus lostAs) =>
        Draw(LostResponseRate) ? ProvisionResult.Failure(lostAs, "Injected lost response: the call took effect but its answer was lost.") : success;

    private sealed record KeyRecord(ResourceShape Shape, string[] ReplicaIds);
}
