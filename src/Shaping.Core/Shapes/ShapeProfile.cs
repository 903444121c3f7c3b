using System.Globalization;

namespace Shaping.Core.Shapes;

/// <summary>
/// What a shape costs and how fast it is, apart from its raw capacity.
/// </summary>
/// <remarks>
/// The performance factor lets two shapes with the same core count differ: a newer CPU generation or a
/// compute-optimised family gets a factor above 1 and its cores count for more when the performance model
/// estimates utilisation.
/// </remarks>
public readonly record struct ShapeProfile
{
    /// <summary>Creates a profile.</summary>
    /// <param name="pricePerHour">Price of one replica of the shape, in currency per hour; finite and positive.</param>
    /// <param name="performanceFactor">Relative speed of one core against a reference core (1.0); finite and positive.</param>
    /// <param name="sizeClass">The advertised size class.</param>
    /// <exception cref="ArgumentOutOfRangeException">A price or a factor is NaN, infinite, zero or negative.</exception>
    public ShapeProfile(double pricePerHour, double performanceFactor = 1.0, SizeClass sizeClass = SizeClass.Unspecified)
    {
        if (!double.IsFinite(pricePerHour) || pricePerHour <= 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(pricePerHour), pricePerHour, "The price per hour must be finite and positive.");
        }

        if (!double.IsFinite(performanceFactor) || performanceFactor <= 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(performanceFactor), performanceFactor, "The performance factor must be finite and positive.");
        }

        PricePerHour = pricePerHour;
        PerformanceFactor = performanceFactor;
        SizeClass = sizeClass;
    }

    /// <summary>Gets the price of one replica, in currency per hour.</summary>
    public double PricePerHour { get; }

    /// <summary>Gets the relative speed of one core against a reference core.</summary>
    /// <value>1.0 for a reference core; above 1 for faster cores.</value>
    public double PerformanceFactor { get; }

    /// <summary>Gets the advertised size class.</summary>
    public SizeClass SizeClass { get; }

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture, $"{PricePerHour:0.####}/h, x{PerformanceFactor:0.##}, {SizeClass}");
}
