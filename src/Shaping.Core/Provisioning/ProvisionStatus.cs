namespace Shaping.Core.Provisioning;

/// <summary>What a region's control plane answered.</summary>
public enum ProvisionStatus
{
    /// <summary>Done (or already done under the same idempotency key).</summary>
    Succeeded = 0,

    /// <summary>A failure worth retrying with the same idempotency key (throttling, a timeout, a lost connection).</summary>
    TransientFailure,

    /// <summary>The region is down or unreachable; try another region.</summary>
    RegionUnavailable,

    /// <summary>The request was rejected and retrying will not help (unknown replica, shape not offered, quota).</summary>
    Rejected,
}
