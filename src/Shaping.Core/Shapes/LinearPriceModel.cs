using Shaping.Core.Resources;

namespace Shaping.Core.Shapes;

/// <summary>
/// A per-dimension price model: <c>price per hour = base + Σ coefficient_d × amount_d</c>, used to price shapes
/// that no provider lists yet (proposed by <see cref="ShapeSynthesizer"/>).
/// </summary>
/// <remarks>
/// <see cref="Fit(IEnumerable{ResourceShape})"/> estimates the model from an existing catalog by least squares on
/// the normal equations (5 unknowns, solved by Gaussian elimination with partial pivoting and a tiny ridge term so
/// that collinear catalogs, such as T-shirt sizes with a fixed memory-per-core ratio, still solve). Coefficients and
/// base are kept non-negative: a negative one is fixed at 0 and the rest refitted (a simple active-set method).
/// </remarks>
public sealed record LinearPriceModel
{
    // Least squares sums squares of amounts and prices (and their products); above this, they could overflow.
    private const double MaxFitAmount = 1e150;

    /// <summary>Creates a model.</summary>
    /// <param name="coefficients">Price per hour per unit of each dimension (per core, per GiB, per GiB of disk, per Gbps); finite and non-negative.</param>
    /// <param name="basePricePerHour">A fixed price per shape per hour; finite and non-negative.</param>
    /// <exception cref="ArgumentOutOfRangeException">A coefficient or the base is invalid, or all are zero.</exception>
    public LinearPriceModel(ResourceVector coefficients, double basePricePerHour = 0)
    {
        ResourceVector.ThrowIfInvalidAmount(coefficients);
        if (!double.IsFinite(basePricePerHour) || basePricePerHour < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(basePricePerHour), basePricePerHour, "The base price must be finite and non-negative.");
        }

        if (coefficients.IsZero && basePricePerHour == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(coefficients), coefficients, "A price model must charge for something.");
        }

        Coefficients = coefficients;
        BasePricePerHour = basePricePerHour;
    }

    /// <summary>Gets the price per hour per unit of each dimension.</summary>
    public ResourceVector Coefficients { get; }

    /// <summary>Gets the fixed price per shape per hour.</summary>
    public double BasePricePerHour { get; }

    /// <summary>Prices a capacity.</summary>
    /// <param name="capacity">The capacity of one replica.</param>
    /// <returns>The price per hour.</returns>
    public double PriceOf(ResourceVector capacity) =>
        BasePricePerHour
        + (Coefficients.CpuCores * capacity.CpuCores) + (Coefficients.MemoryGiB * capacity.MemoryGiB)
        + (Coefficients.StorageGiB * capacity.StorageGiB) + (Coefficients.NetworkGbps * capacity.NetworkGbps);

    /// <summary>Fits the model to a catalog's list prices by non-negative least squares.</summary>
    /// <param name="shapes">The priced shapes; at least one.</param>
    /// <returns>The fitted model.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shapes"/> or one of its elements is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="shapes"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A shape's capacity in some dimension, or its price, is above 10¹⁵⁰: least squares works with their squares, which
    /// would overflow.
    /// </exception>
    public static LinearPriceModel Fit(IEnumerable<ResourceShape> shapes)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        var rows = shapes.ToArray();
        if (rows.Length == 0)
        {
            throw new ArgumentException("At least one priced shape is needed to fit a price model.", nameof(shapes));
        }

        foreach (var shape in rows)
        {
            ArgumentNullException.ThrowIfNull(shape, nameof(shapes));
            var c = shape.Capacity;
            if (Math.Max(Math.Max(c.CpuCores, c.MemoryGiB), Math.Max(Math.Max(c.StorageGiB, c.NetworkGbps), shape.PricePerHour)) > MaxFitAmount)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(shapes),
                    $"Shape '{shape.Name}' ({c}, {shape.PricePerHour}/h) is too large to fit a price model to: every amount and price must be at most {MaxFitAmount:0e0}.");
            }
        }

        const int Unknowns = ResourceVector.DimensionCount + 1;
        var free = new bool[Unknowns];
        Array.Fill(free, true);
        var solution = new double[Unknowns];
        for (var round = 0; round < Unknowns; round++)
        {
            solution = SolveFree(rows, free);
            var worst = -1;
            for (var j = 0; j < Unknowns; j++)
            {
                if (free[j] && solution[j] < 0 && (worst < 0 || solution[j] < solution[worst]))
                {
                    worst = j;
                }
            }

            if (worst < 0)
            {
                break;
            }

            free[worst] = false;
        }

        for (var j = 0; j < Unknowns; j++)
        {
            solution[j] = free[j] ? Math.Max(0, solution[j]) : 0;
        }

        var coefficients = new ResourceVector(solution[0], solution[1], solution[2], solution[3]);
        return coefficients.IsZero && solution[4] == 0
            ? new LinearPriceModel(ResourceVector.Zero, rows.Average(r => r.PricePerHour))
            : new LinearPriceModel(coefficients, solution[4]);
    }

    private static double[] SolveFree(ResourceShape[] rows, bool[] free)
    {
        var index = Enumerable.Range(0, free.Length).Where(j => free[j]).ToArray();
        var n = index.Length;
        var a = new double[n, n + 1];
        foreach (var shape in rows)
        {
            Span<double> x = [shape.Capacity.CpuCores, shape.Capacity.MemoryGiB, shape.Capacity.StorageGiB, shape.Capacity.NetworkGbps, 1];
            for (var r = 0; r < n; r++)
            {
                for (var c = 0; c < n; c++)
                {
                    a[r, c] += x[index[r]] * x[index[c]];
                }

                a[r, n] += x[index[r]] * shape.PricePerHour;
            }
        }

        var ridge = 0.0;
        for (var r = 0; r < n; r++)
        {
            ridge = Math.Max(ridge, a[r, r]);
        }

        ridge = Math.Max(ridge, 1) * 1e-10;
        for (var r = 0; r < n; r++)
        {
            a[r, r] += ridge;
        }

        // Gaussian elimination with partial pivoting on the augmented normal equations.
        for (var col = 0; col < n; col++)
        {
            var pivot = col;
            for (var r = col + 1; r < n; r++)
            {
                if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col]))
                {
                    pivot = r;
                }
            }

            if (pivot != col)
            {
                for (var c = 0; c <= n; c++)
                {
                    (a[col, c], a[pivot, c]) = (a[pivot, c], a[col, c]);
                }
            }

            for (var r = col + 1; r < n; r++)
            {
                var factor = a[r, col] / a[col, col];
                for (var c = col; c <= n; c++)
                {
                    a[r, c] -= factor * a[col, c];
                }
            }
        }

        var solved = new double[n];
        for (var r = n - 1; r >= 0; r--)
        {
            var sum = a[r, n];
            for (var c = r + 1; c < n; c++)
            {
                sum -= a[r, c] * solved[c];
            }

            solved[r] = sum / a[r, r];
        }

        var result = new double[free.Length];
        for (var r = 0; r < n; r++)
        {
            result[index[r]] = solved[r];
        }

        return result;
    }
}
