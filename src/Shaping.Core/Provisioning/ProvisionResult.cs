namespace Shaping.Core.Provisioning;

/// <summary>The answer of a provisioning, resize or release call.</summary>
/// <param name="Status">What happened.</param>
/// <param name="ReplicaIds">The replicas created or affected; empty unless <see cref="ProvisionStatus.Succeeded"/>.</param>
/// <param name="Error">A short description of a failure; <see langword="null"/> on success.</param>
public sealed record ProvisionResult(ProvisionStatus Status, IReadOnlyList<string> ReplicaIds, string? Error = null)
{
    /// <summary>Gets whether the call succeeded.</summary>
    public bool IsSuccess => Status == ProvisionStatus.Succeeded;

    /// <summary>Creates a successful result.</summary>
    /// <param name="replicaIds">The replicas created or affected.</param>
    /// <returns>The result.</returns>
    public static ProvisionResult Success(IReadOnlyList<string> replicaIds) => new(ProvisionStatus.Succeeded, replicaIds);

    /// <summary>Creates a failed result.</summary>
    /// <param name="status">The failure kind; not <see cref="ProvisionStatus.Succeeded"/>.</param>
    /// <param name="error">A short description.</param>
    /// <returns>The result.</returns>
    public static ProvisionResult Failure(ProvisionStatus status, string error) => new(status, [], error);
}
