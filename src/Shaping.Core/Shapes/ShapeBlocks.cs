using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Shaping.Core.Shapes;

/// <summary>
/// What the selector's vector loop reads of a catalog, packed four shapes to a block: within a block each column
/// (capacity per dimension, reciprocal price, reciprocal capacities) is one 256-bit vector, and the block's
/// columns sit next to each other.
/// </summary>
/// <remarks>
/// <para>
/// Separate arrays per column would need one base pointer per column in the loop: nine columns are more pointers
/// than the registers left beside the vectors, so the JIT reloads them from the stack on every block. Here one
/// pointer walks the blocks and every column is a constant offset from it ("array of structs of arrays").
/// </para>
/// <para>
/// The last block is padded to four lanes. A padding lane has NaN capacity, which no required peak fits within
/// (every comparison with NaN is false), so the selector needs no tail loop and never ranks a padding lane; its
/// reciprocals are 0.
/// </para>
/// </remarks>
internal readonly struct ShapeBlocks
{
    /// <summary>Shapes per block: the doubles in one 256-bit vector.</summary>
    public const int Lanes = 4;

    /// <summary>Doubles per block: nine columns of <see cref="Lanes"/> lanes.</summary>
    public const int Stride = 9 * Lanes;

    /// <summary>Offset of the CPU capacity column (cores) within a block.</summary>
    public const int CpuCores = 0;

    /// <summary>Offset of the memory capacity column (GiB) within a block.</summary>
    public const int MemoryGiB = 1 * Lanes;

    /// <summary>Offset of the storage capacity column (GiB) within a block.</summary>
    public const int StorageGiB = 2 * Lanes;

    /// <summary>Offset of the network capacity column (Gbps) within a block.</summary>
    public const int NetworkGbps = 3 * Lanes;

    /// <summary>Offset of the 1 / price column (hours per currency unit) within a block.</summary>
    public const int InversePricePerHour = 4 * Lanes;

    /// <summary>Offset of the 1 / (cores × performance factor) column within a block (+∞ for a shape without CPU).</summary>
    public const int InverseReferenceCpu = 5 * Lanes;

    /// <summary>Offset of the 1 / memory column (1/GiB, +∞ for none) within a block.</summary>
    public const int InverseMemoryGiB = 6 * Lanes;

    /// <summary>Offset of the 1 / storage column (1/GiB, +∞ for none) within a block.</summary>
    public const int InverseStorageGiB = 7 * Lanes;

    /// <summary>Offset of the 1 / network column (1/Gbps, +∞ for none) within a block.</summary>
    public const int InverseNetworkGbps = 8 * Lanes;

    private readonly double[] _values;

    /// <summary>Packs shapes already in catalog order.</summary>
    /// <param name="shapes">The shapes, in catalog order.</param>
    public ShapeBlocks(ReadOnlySpan<ResourceShape> shapes)
    {
        Count = (shapes.Length + Lanes - 1) / Lanes;
        _values = new double[Count * Stride];
        for (var block = 0; block < Count; block++)
        {
            var values = _values.AsSpan(block * Stride, Stride);
            for (var lane = 0; lane < Lanes; lane++)
            {
                var i = (block * Lanes) + lane;
                if (i >= shapes.Length)
                {
                    values[CpuCores + lane] = double.NaN;
                    values[MemoryGiB + lane] = double.NaN;
                    values[StorageGiB + lane] = double.NaN;
                    values[NetworkGbps + lane] = double.NaN;
                    continue; // the reciprocals stay 0
                }

                var shape = shapes[i];
                var capacity = shape.Capacity;
                values[CpuCores + lane] = capacity.CpuCores;
                values[MemoryGiB + lane] = capacity.MemoryGiB;
                values[StorageGiB + lane] = capacity.StorageGiB;
                values[NetworkGbps + lane] = capacity.NetworkGbps;
                values[InversePricePerHour + lane] = 1 / shape.PricePerHour;
                values[InverseReferenceCpu + lane] = 1 / (capacity.CpuCores * shape.Profile.PerformanceFactor);
                values[InverseMemoryGiB + lane] = 1 / capacity.MemoryGiB;
                values[InverseStorageGiB + lane] = 1 / capacity.StorageGiB;
                values[InverseNetworkGbps + lane] = 1 / capacity.NetworkGbps;
            }
        }
    }

    /// <summary>Gets the number of blocks: the shape count divided by <see cref="Lanes"/>, rounded up.</summary>
    public int Count { get; }

    /// <summary>Gets a reference to the first block's first value; block <c>b</c> starts <c>b × Stride</c> doubles later.</summary>
    public ref double First => ref MemoryMarshal.GetArrayDataReference(_values);

    /// <summary>Reads one column of a block as a vector.</summary>
    /// <param name="block">A reference to the block's first value.</param>
    /// <param name="column">The column's offset, one of the constants of this type.</param>
    /// <returns>The column's four lanes.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Load(ref double block, int column) => Vector256.LoadUnsafe(ref block, (nuint)column);
}
