using Shaping.Core.Shapes;

namespace Shaping.Core.Provisioning;

/// <summary>A request to move one running replica to another shape.</summary>
/// <param name="IdempotencyKey">The key that makes retries safe: the same key never resizes twice.</param>
/// <param name="Region">The region name.</param>
/// <param name="ReplicaId">The replica to move, as returned by <see cref="IProvisioner.ProvisionAsync"/>.</param>
/// <param name="NewShape">The target shape.</param>
public readonly record struct ResizeRequest(string IdempotencyKey, string Region, string ReplicaId, ResourceShape NewShape);
