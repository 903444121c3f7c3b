using System.Collections.Frozen;
using System.Collections.Immutable;

namespace Shaping.Core.Shapes;

/// <summary>
/// An immutable, versioned set of shapes, laid out for the selection hot path.
/// </summary>
/// <remarks>
/// <para>
/// Shapes are stored in ascending order of price, ties broken by ordinal name, and each attribute the selector
/// reads (CPU, memory, storage, network, price, performance factor) is a separate contiguous array exposed as a
/// <see cref="ReadOnlySpan{T}"/> (struct-of-arrays). The fixed order makes every ranking independent of the
/// order in which shapes were supplied, and it lets the selector find the cheapest feasible shape and score
/// every shape in one pass. For the selector's vector loop the catalog also packs the columns it reads four
/// shapes to a block, so that one pointer reaches them all.
/// </para>
/// <para>A catalog is safe to share between threads; nothing in it changes after construction.</para>
/// </remarks>
public sealed class ShapeCatalog
{
    private readonly double[] _cpu;
    private readonly double[] _memory;
    private readonly double[] _storage;
    private readonly double[] _network;
    private readonly double[] _price;
    private readonly double[] _performance;
    private readonly double[] _inversePrice;
    private readonly FrozenDictionary<string, int> _indexByName;

    /// <summary>Creates a catalog from a set of shapes.</summary>
    /// <param name="shapes">The shapes; names must be unique (ordinal comparison). May be empty.</param>
    /// <param name="version">The catalog version, non-negative; a <see cref="ShapeLibrary"/> increments it on every change.</param>
    /// <exception cref="ArgumentNullException"><paramref name="shapes"/> or one of its elements is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">Two shapes share a name.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="version"/> is negative.</exception>
    public ShapeCatalog(IEnumerable<ResourceShape> shapes, long version = 1)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        ArgumentOutOfRangeException.ThrowIfNegative(version);

        var sorted = shapes.ToArray();
        foreach (var shape in sorted)
        {
            if (shape is null)
            {
                throw new ArgumentNullException(nameof(shapes), "The catalog's shapes must not contain null.");
            }
        }

        Array.Sort(sorted, static (a, b) =>
        {
            var byPrice = a.PricePerHour.CompareTo(b.PricePerHour);
            return byPrice != 0 ? byPrice : string.CompareOrdinal(a.Name, b.Name);
        });

        var indexByName = new Dictionary<string, int>(sorted.Length, StringComparer.Ordinal);
        _cpu = new double[sorted.Length];
        _memory = new double[sorted.Length];
        _storage = new double[sorted.Length];
        _network = new double[sorted.Length];
        _price = new double[sorted.Length];
        _performance = new double[sorted.Length];
        _inversePrice = new double[sorted.Length];
        for (var i = 0; i < sorted.Length; i++)
        {
            var shape = sorted[i];
            if (!indexByName.TryAdd(shape.Name, i))
            {
                throw new ArgumentException($"The shape name '{shape.Name}' appears more than once.", nameof(shapes));
            }

            _cpu[i] = shape.Capacity.CpuCores;
            _memory[i] = shape.Capacity.MemoryGiB;
            _storage[i] = shape.Capacity.StorageGiB;
            _network[i] = shape.Capacity.NetworkGbps;
            _price[i] = shape.PricePerHour;
            _performance[i] = shape.Profile.PerformanceFactor;
            _inversePrice[i] = 1 / shape.PricePerHour;
        }

        Blocks = new ShapeBlocks(sorted);
        Shapes = ImmutableArray.Create(sorted);
        Version = version;
        _indexByName = indexByName.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Gets an empty catalog at version 0.</summary>
    public static ShapeCatalog Empty { get; } = new([], 0);

    /// <summary>Gets the catalog version.</summary>
    public long Version { get; }

    /// <summary>Gets the number of shapes.</summary>
    public int Count => _price.Length;

    /// <summary>Gets whether the catalog has no shape.</summary>
    public bool IsEmpty => _price.Length == 0;

    /// <summary>Gets the shapes in catalog order: ascending price, then ordinal name.</summary>
    public ImmutableArray<ResourceShape> Shapes { get; }

    /// <summary>Gets the CPU capacity of each shape, in cores, in catalog order.</summary>
    public ReadOnlySpan<double> CpuCores => _cpu;

    /// <summary>Gets the memory capacity of each shape, in GiB, in catalog order.</summary>
    public ReadOnlySpan<double> MemoryGiB => _memory;

    /// <summary>Gets the storage capacity of each shape, in GiB, in catalog order.</summary>
    public ReadOnlySpan<double> StorageGiB => _storage;

    /// <summary>Gets the network capacity of each shape, in Gbps, in catalog order.</summary>
    public ReadOnlySpan<double> NetworkGbps => _network;

    /// <summary>Gets the price of each shape, in currency per hour, in catalog order (ascending).</summary>
    public ReadOnlySpan<double> PricePerHour => _price;

    /// <summary>Gets 1 / price of each shape, so the selector multiplies instead of dividing.</summary>
    internal ReadOnlySpan<double> InversePricePerHour => _inversePrice;

    /// <summary>Gets the columns of the selector's vector loop, four shapes to a block.</summary>
    internal ShapeBlocks Blocks { get; }

    /// <summary>Gets the performance factor of each shape, in catalog order.</summary>
    public ReadOnlySpan<double> PerformanceFactor => _performance;

    /// <summary>Gets the shape at a catalog index.</summary>
    /// <param name="index">The index, as written into a <see cref="Selection.ScoredShape"/>.</param>
    /// <exception cref="IndexOutOfRangeException"><paramref name="index"/> is outside the catalog.</exception>
    public ResourceShape this[int index] => Shapes[index];

    /// <summary>Finds a shape by name.</summary>
    /// <param name="name">The shape name (ordinal).</param>
    /// <param name="shape">The shape, when found.</param>
    /// <returns><see langword="true"/> when the catalog has a shape of that name.</returns>
    public bool TryGetShape(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ResourceShape? shape)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_indexByName.TryGetValue(name, out var index))
        {
            shape = Shapes[index];
            return true;
        }

        shape = null;
        return false;
    }

    /// <summary>Gets the catalog index of a shape by name, or −1.</summary>
    /// <param name="name">The shape name (ordinal).</param>
    /// <returns>The index, or −1 when absent.</returns>
    public int IndexOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _indexByName.TryGetValue(name, out var index) ? index : -1;
    }

    /// <inheritdoc/>
    public override string ToString() => $"ShapeCatalog v{Version} ({Count} shapes)";
}
