using Shaping.Core.ControlPlane;

namespace Shaping.Core.Provisioning;

/// <summary>The answer of a provisioning, resize or release call.</summary>
/// <param name="Status">What happened.</param>
/// <param name="ReplicaIds">
/// The replicas created or affected; empty unless <see cref="ProvisionStatus.Succeeded"/>. A provisioning key's replay
/// answers the replicas its first call created, including any released since (see <see cref="ReleasedReplicaIds"/>).
/// </param>
/// <param name="Error">A short description of a failure; <see langword="null"/> on success.</param>
public sealed record ProvisionResult(ProvisionStatus Status, IReadOnlyList<string> ReplicaIds, string? Error = null)
{
    private readonly IReadOnlyList<string> _releasedReplicaIds = [];

    /// <summary>Gets whether the call succeeded.</summary>
    public bool IsSuccess => Status == ProvisionStatus.Succeeded;

    /// <summary>
    /// Gets the replicas among <see cref="ReplicaIds"/> that no longer run: on the replay of a provisioning key, the ones
    /// released since its first call.
    /// </summary>
    /// <remarks>
    /// A key answers its first call's replicas for as long as its request may be resubmitted, and only the adapter, which
    /// keeps the key durably, still knows after a restart of the caller which of them it has released since.
    /// <see cref="ReplicaRequestHandler"/> counts only the replicas not listed here; when every replica of the key is
    /// listed, it provisions the same shape under the key's next generation. An adapter that leaves this empty for a
    /// replay whose replicas were released makes a handler restarted since their release answer a resubmission with
    /// replicas that no longer run. Only a provisioning call reads it; ids not in <see cref="ReplicaIds"/> are ignored.
    /// </remarks>
    /// <value>The default value is empty: every replica answered runs.</value>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public IReadOnlyList<string> ReleasedReplicaIds
    {
        get => _releasedReplicaIds;
        init => _releasedReplicaIds = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Creates a successful result.</summary>
    /// <param name="replicaIds">The replicas created or affected.</param>
    /// <returns>The result.</returns>
    public static ProvisionResult Success(IReadOnlyList<string> replicaIds) => new(ProvisionStatus.Succeeded, replicaIds);

    /// <summary>Creates the successful answer to a provisioning key's replay, some or all of whose replicas were released since its first call.</summary>
    /// <param name="replicaIds">The replicas the key's first call created.</param>
    /// <param name="releasedReplicaIds">Those of <paramref name="replicaIds"/> released since; see <see cref="ReleasedReplicaIds"/>.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="releasedReplicaIds"/> is <see langword="null"/>.</exception>
    public static ProvisionResult Success(IReadOnlyList<string> replicaIds, IReadOnlyList<string> releasedReplicaIds) =>
        new(ProvisionStatus.Succeeded, replicaIds) { ReleasedReplicaIds = releasedReplicaIds };

    /// <summary>Creates a failed result.</summary>
    /// <param name="status">The failure kind; not <see cref="ProvisionStatus.Succeeded"/>.</param>
    /// <param name="error">A short description.</param>
    /// <returns>The result.</returns>
    public static ProvisionResult Failure(ProvisionStatus status, string error) => new(status, [], error);
}
