namespace Shaping.Core.Provisioning;

/// <summary>
/// Port: reads what running replicas use, from a monitoring system (Prometheus, the .NET runtime's
/// resource-monitoring instruments, a cloud metrics API).
/// </summary>
public interface IUtilizationSource
{
    /// <summary>Reads the latest observation of every replica the source knows.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The observations; empty when there is nothing new.</returns>
    ValueTask<IReadOnlyList<ReplicaUtilization>> ReadAsync(CancellationToken cancellationToken = default);
}
