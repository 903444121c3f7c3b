namespace Shaping.Core.Resources;

/// <summary>
/// One of the four resource dimensions a shape provides and a workload consumes.
/// </summary>
/// <remarks>
/// The numeric values are stable and dense (0 to <see cref="ResourceVector.DimensionCount"/> − 1) so that a
/// dimension can index per-dimension arrays directly.
/// </remarks>
public enum Dimension
{
    /// <summary>CPU, in cores (vCPUs).</summary>
    Cpu = 0,

    /// <summary>Memory, in GiB.</summary>
    Memory = 1,

    /// <summary>Local or attached storage, in GiB.</summary>
    Storage = 2,

    /// <summary>Network bandwidth, in Gbps.</summary>
    Network = 3,
}
