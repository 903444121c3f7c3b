namespace Shaping.Core.Shapes;

/// <summary>Settings for <see cref="ShapeSynthesizer"/>.</summary>
public sealed class ShapeSynthesisOptions
{
    /// <summary>Gets or sets the most shapes to propose; local search may propose fewer when that is cheaper.</summary>
    /// <value>The default value is 4.</value>
    public int ShapeCount { get; set; } = 4;

    /// <summary>Gets or sets the headroom every demand must fit with: <c>demand × (1 + headroom) ≤ capacity</c>.</summary>
    /// <value>The default value is 0.2 (20 %).</value>
    public double Headroom { get; set; } = 0.2;

    /// <summary>Gets or sets the seed of the k-means++ initialisation; the same seed gives the same shapes.</summary>
    /// <value>The default value is 42.</value>
    public int Seed { get; set; } = 42;

    /// <summary>Gets or sets the provider's granularity that capacities are rounded up to.</summary>
    /// <value>The default value is <see cref="ShapeGranularity.Default"/>.</value>
    public ShapeGranularity Granularity { get; set; } = ShapeGranularity.Default;

    /// <summary>
    /// Gets or sets the price model for proposed shapes; <see langword="null"/> to fit one to the current catalog
    /// passed to <see cref="ShapeSynthesizer.Synthesize"/>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public LinearPriceModel? PriceModel { get; set; }

    /// <summary>
    /// Gets or sets the prefix of proposed shape names (<c>syn-1</c>, <c>syn-2</c>, … in ascending price, skipping a
    /// number whose name a shape of the current catalog already has).
    /// </summary>
    /// <value>The default value is <c>syn-</c>.</value>
    public string NamePrefix { get; set; } = "syn-";

    /// <summary>Gets or sets the most improving moves local search makes from each starting point before it stops.</summary>
    /// <value>The default value is 200.</value>
    public int MaxImprovements { get; set; } = 200;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ShapeCount, 1, "ShapeSynthesisOptions.ShapeCount");
        if (!double.IsFinite(Headroom) || Headroom < 0)
        {
            throw new ArgumentOutOfRangeException("ShapeSynthesisOptions.Headroom", Headroom, $"ShapeSynthesisOptions.Headroom ({Headroom}) must be finite and non-negative.");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(NamePrefix, "ShapeSynthesisOptions.NamePrefix");
        ArgumentOutOfRangeException.ThrowIfNegative(MaxImprovements, "ShapeSynthesisOptions.MaxImprovements");
    }
}
