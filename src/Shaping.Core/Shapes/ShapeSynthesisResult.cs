using System.Collections.Immutable;

namespace Shaping.Core.Shapes;

/// <summary>Shapes proposed by <see cref="ShapeSynthesizer"/> and what they would save.</summary>
/// <remarks>
/// Expected cost is the sum, over the observed demands, of the price per hour of the cheapest shape that covers the
/// demand with headroom: what running one replica per observed demand would cost per hour.
/// </remarks>
public sealed class ShapeSynthesisResult
{
    internal ShapeSynthesisResult(
        ImmutableArray<ResourceShape> shapes,
        ImmutableArray<ResourceShape> newShapes,
        LinearPriceModel priceModel,
        double expectedCost,
        double catalogExpectedCost,
        int catalogUncovered)
    {
        Shapes = shapes;
        NewShapes = newShapes;
        PriceModel = priceModel;
        ExpectedCostPerHour = expectedCost;
        CatalogExpectedCostPerHour = catalogExpectedCost;
        CatalogUncoveredDemands = catalogUncovered;
    }

    /// <summary>
    /// Gets the proposed set of shapes, in ascending price: the <see cref="NewShapes"/> and any shape of the current
    /// catalog kept because it covers its group of demands for less than a new shape would cost.
    /// </summary>
    public ImmutableArray<ResourceShape> Shapes { get; }

    /// <summary>
    /// Gets the shapes to create, in ascending price: named <see cref="ShapeSynthesisOptions.NamePrefix"/> + a number
    /// (skipping the names the current catalog already has, so no two of <see cref="Shapes"/> share a name), sized class <see cref="SizeClass.Custom"/>, priced by <see cref="PriceModel"/>; empty when the current catalog's
    /// own shapes are the cheapest set found.
    /// </summary>
    public ImmutableArray<ResourceShape> NewShapes { get; }

    /// <summary>Gets the price model the shapes were priced with.</summary>
    public LinearPriceModel PriceModel { get; }

    /// <summary>Gets the expected cost on the proposed shapes, in currency per hour.</summary>
    public double ExpectedCostPerHour { get; }

    /// <summary>
    /// Gets the expected cost on the current catalog (each demand on its cheapest covering shape), in currency per
    /// hour; infinite when some demand fits no catalog shape (see <see cref="CatalogUncoveredDemands"/>), NaN when no
    /// catalog was given.
    /// </summary>
    public double CatalogExpectedCostPerHour { get; }

    /// <summary>Gets how many demands no shape of the current catalog covers with the headroom.</summary>
    public int CatalogUncoveredDemands { get; }

    /// <summary>Gets the saving per hour against the current catalog (positive when the proposal is cheaper).</summary>
    public double SavingPerHour => CatalogExpectedCostPerHour - ExpectedCostPerHour;

    /// <summary>
    /// Gets the saving as a fraction of the catalog's expected cost: 1 when the catalog leaves some demand uncovered
    /// (its cost is infinite, the limit of the fraction), NaN when no catalog was given.
    /// </summary>
    public double SavingFraction => double.IsPositiveInfinity(CatalogExpectedCostPerHour) && double.IsFinite(ExpectedCostPerHour)
        ? 1
        : SavingPerHour / CatalogExpectedCostPerHour;

    /// <summary>
    /// Adds the <see cref="NewShapes"/> to a library as one new catalog version, retiring nothing (the kept shapes are
    /// the current catalog's, already there). A proposed name that the library already knows gets a numeric suffix
    /// (<c>syn-1-2</c>). With no new shape, adds nothing and returns the library's current catalog.
    /// </summary>
    /// <param name="library">The library.</param>
    /// <returns>The new current catalog.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="library"/> is <see langword="null"/>.</exception>
    public ShapeCatalog AddTo(ShapeLibrary library)
    {
        ArgumentNullException.ThrowIfNull(library);
        if (NewShapes.IsEmpty)
        {
            return library.Current;
        }

        var renamed = new List<ResourceShape>(NewShapes.Length);
        foreach (var shape in NewShapes)
        {
            var name = shape.Name;
            for (var suffix = 2; library.TryResolve(name, out _); suffix++)
            {
                name = $"{shape.Name}-{suffix}";
            }

            renamed.Add(name == shape.Name ? shape : new ResourceShape(name, shape.Capacity, shape.Profile));
        }

        return library.AddRange(renamed);
    }
}
