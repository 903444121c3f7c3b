using System.Globalization;
using System.Runtime.CompilerServices;

namespace Shaping.Core.Resources;

/// <summary>
/// An amount of each resource dimension: CPU cores, memory GiB, storage GiB and network Gbps.
/// </summary>
/// <remarks>
/// <para>
/// The same type describes what a shape provides (its capacity), what a workload demands and what a region
/// has free, so the comparisons the control plane needs (<see cref="FitsWithin"/>, <see cref="Max"/>,
/// <see cref="Min"/>) and the arithmetic (<c>+</c>, <c>−</c>, <see cref="Scale"/>) are defined once here.
/// </para>
/// <para>
/// The constructor does not validate, because differences of vectors are legitimately negative. Use
/// <see cref="IsValidAmount"/> or <see cref="ThrowIfInvalidAmount(ResourceVector, string?)"/> where an amount must be finite and
/// non-negative (a capacity, a demand).
/// </para>
/// </remarks>
/// <param name="CpuCores">CPU, in cores.</param>
/// <param name="MemoryGiB">Memory, in GiB.</param>
/// <param name="StorageGiB">Storage, in GiB.</param>
/// <param name="NetworkGbps">Network bandwidth, in Gbps.</param>
public readonly record struct ResourceVector(double CpuCores, double MemoryGiB, double StorageGiB, double NetworkGbps) : IFormattable
{
    /// <summary>The number of dimensions (4).</summary>
    public const int DimensionCount = 4;

    /// <summary>The zero vector.</summary>
    public static ResourceVector Zero => default;

    /// <summary>Gets the amount of one dimension.</summary>
    /// <param name="dimension">The dimension to read.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is not a defined dimension.</exception>
    public double this[Dimension dimension] => dimension switch
    {
        Dimension.Cpu => CpuCores,
        Dimension.Memory => MemoryGiB,
        Dimension.Storage => StorageGiB,
        Dimension.Network => NetworkGbps,
        _ => throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Unknown resource dimension."),
    };

    /// <summary>Gets whether every dimension is finite and non-negative, as a capacity or a demand must be.</summary>
    public bool IsValidAmount =>
        IsNonNegativeFinite(CpuCores) && IsNonNegativeFinite(MemoryGiB)
        && IsNonNegativeFinite(StorageGiB) && IsNonNegativeFinite(NetworkGbps);

    /// <summary>Gets whether every dimension is zero.</summary>
    public bool IsZero => CpuCores == 0 && MemoryGiB == 0 && StorageGiB == 0 && NetworkGbps == 0;

    /// <summary>Creates a vector with one dimension set and the others zero.</summary>
    /// <param name="dimension">The dimension to set.</param>
    /// <param name="amount">The amount, in that dimension's unit.</param>
    /// <returns>The vector.</returns>
    public static ResourceVector Of(Dimension dimension, double amount) => Zero.With(dimension, amount);

    /// <summary>Returns a copy with one dimension replaced.</summary>
    /// <param name="dimension">The dimension to replace.</param>
    /// <param name="amount">The new amount, in that dimension's unit.</param>
    /// <returns>The new vector.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is not a defined dimension.</exception>
    public ResourceVector With(Dimension dimension, double amount) => dimension switch
    {
        Dimension.Cpu => this with { CpuCores = amount },
        Dimension.Memory => this with { MemoryGiB = amount },
        Dimension.Storage => this with { StorageGiB = amount },
        Dimension.Network => this with { NetworkGbps = amount },
        _ => throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Unknown resource dimension."),
    };

    /// <summary>
    /// Gets whether this amount fits within <paramref name="capacity"/>: no dimension exceeds it.
    /// </summary>
    /// <param name="capacity">The capacity to fit into.</param>
    /// <returns><see langword="true"/> when every dimension is at most the capacity's.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool FitsWithin(ResourceVector capacity) =>
        CpuCores <= capacity.CpuCores && MemoryGiB <= capacity.MemoryGiB
        && StorageGiB <= capacity.StorageGiB && NetworkGbps <= capacity.NetworkGbps;

    /// <summary>Multiplies every dimension by <paramref name="factor"/>.</summary>
    /// <param name="factor">The factor, for example a replica count or 1 + headroom.</param>
    /// <returns>The scaled vector.</returns>
    public ResourceVector Scale(double factor) =>
        new(CpuCores * factor, MemoryGiB * factor, StorageGiB * factor, NetworkGbps * factor);

    /// <summary>The larger amount in each dimension: the envelope of two demands.</summary>
    /// <param name="left">The first vector.</param>
    /// <param name="right">The second vector.</param>
    /// <returns>The per-dimension maximum.</returns>
    public static ResourceVector Max(ResourceVector left, ResourceVector right) => new(
        Math.Max(left.CpuCores, right.CpuCores), Math.Max(left.MemoryGiB, right.MemoryGiB),
        Math.Max(left.StorageGiB, right.StorageGiB), Math.Max(left.NetworkGbps, right.NetworkGbps));

    /// <summary>The smaller amount in each dimension.</summary>
    /// <param name="left">The first vector.</param>
    /// <param name="right">The second vector.</param>
    /// <returns>The per-dimension minimum.</returns>
    public static ResourceVector Min(ResourceVector left, ResourceVector right) => new(
        Math.Min(left.CpuCores, right.CpuCores), Math.Min(left.MemoryGiB, right.MemoryGiB),
        Math.Min(left.StorageGiB, right.StorageGiB), Math.Min(left.NetworkGbps, right.NetworkGbps));

    /// <summary>Adds two vectors dimension by dimension.</summary>
    /// <param name="left">The first vector.</param>
    /// <param name="right">The second vector.</param>
    /// <returns>The sum.</returns>
    public static ResourceVector Add(ResourceVector left, ResourceVector right) => left + right;

    /// <summary>Subtracts <paramref name="right"/> from <paramref name="left"/> dimension by dimension.</summary>
    /// <param name="left">The minuend.</param>
    /// <param name="right">The subtrahend.</param>
    /// <returns>The difference (possibly negative).</returns>
    public static ResourceVector Subtract(ResourceVector left, ResourceVector right) => left - right;

    /// <summary>Multiplies every dimension by a factor.</summary>
    /// <param name="left">The vector.</param>
    /// <param name="right">The factor.</param>
    /// <returns>The scaled vector.</returns>
    public static ResourceVector Multiply(ResourceVector left, double right) => left.Scale(right);

    /// <summary>Adds two vectors dimension by dimension.</summary>
    /// <param name="left">The first vector.</param>
    /// <param name="right">The second vector.</param>
    /// <returns>The sum.</returns>
    public static ResourceVector operator +(ResourceVector left, ResourceVector right) => new(
        left.CpuCores + right.CpuCores, left.MemoryGiB + right.MemoryGiB,
        left.StorageGiB + right.StorageGiB, left.NetworkGbps + right.NetworkGbps);

    /// <summary>Subtracts dimension by dimension.</summary>
    /// <param name="left">The minuend.</param>
    /// <param name="right">The subtrahend.</param>
    /// <returns>The difference (possibly negative).</returns>
    public static ResourceVector operator -(ResourceVector left, ResourceVector right) => new(
        left.CpuCores - right.CpuCores, left.MemoryGiB - right.MemoryGiB,
        left.StorageGiB - right.StorageGiB, left.NetworkGbps - right.NetworkGbps);

    /// <summary>Multiplies every dimension by a factor.</summary>
    /// <param name="left">The vector.</param>
    /// <param name="right">The factor.</param>
    /// <returns>The scaled vector.</returns>
    public static ResourceVector operator *(ResourceVector left, double right) => left.Scale(right);

    /// <summary>
    /// Throws when any dimension is NaN, infinite or negative; use it to guard a capacity or a demand argument.
    /// </summary>
    /// <param name="value">The vector to check.</param>
    /// <param name="paramName">The name of the argument being checked, for the exception.</param>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is NaN, infinite or negative.</exception>
    public static void ThrowIfInvalidAmount(
        ResourceVector value, [CallerArgumentExpression(nameof(value))] string? paramName = null)
    {
        if (!value.IsValidAmount)
        {
            throw new ArgumentOutOfRangeException(
                paramName, value, $"{paramName} must be finite and non-negative in every dimension; got {value}.");
        }
    }

    /// <summary>Formats the vector with its units, for example <c>4 cores, 16 GiB, 100 GiB disk, 10 Gbps</c>.</summary>
    /// <remarks>Amounts are rounded to 3 decimals; <see cref="ToString(string?, IFormatProvider?)"/> with a format such
    /// as <c>G6</c> keeps small amounts (0.0005 Gbps reads 0.001 here).</remarks>
    /// <returns>The text.</returns>
    public override string ToString() => ToString(null, null);

    /// <summary>Formats the vector with its units, each amount in <paramref name="format"/>.</summary>
    /// <param name="format">A numeric format applied to every amount, such as <c>G6</c> for six significant digits;
    /// <see langword="null"/> or empty for <see cref="ToString()"/>'s 3 decimals (<c>0.###</c>).</param>
    /// <param name="formatProvider">The culture; <see langword="null"/> for the invariant culture, as
    /// <see cref="ToString()"/> uses (vectors appear in logs and reports that other tools read).</param>
    /// <returns>The text, for example <c>0.0002 cores, 1 GiB, 0 GiB disk, 0.0005 Gbps</c> with <c>G6</c>.</returns>
    /// <exception cref="FormatException"><paramref name="format"/> is not a valid numeric format.</exception>
    public string ToString(string? format, IFormatProvider? formatProvider)
    {
        format = string.IsNullOrEmpty(format) ? "0.###" : format;
        var provider = formatProvider ?? CultureInfo.InvariantCulture;
        return string.Concat(
            CpuCores.ToString(format, provider), " cores, ",
            MemoryGiB.ToString(format, provider), " GiB, ",
            StorageGiB.ToString(format, provider), " GiB disk, ",
            NetworkGbps.ToString(format, provider), " Gbps");
    }

    private static bool IsNonNegativeFinite(double value) => double.IsFinite(value) && value >= 0;
}
