using System.Globalization;

namespace Shaping.Forecasting.Tuning;

/// <summary>One box-bounded dimension of a <see cref="BayesianOptimizer"/>'s search space.</summary>
/// <remarks>
/// A point in the space is a <see cref="double"/> array with one value per dimension: a real number for a continuous
/// dimension, a whole number for an integer one, and the choice's index for a categorical one. The Gaussian process
/// sees numeric dimensions rescaled to [0, 1] and categorical ones one-hot encoded, so no order is imposed on the
/// choices.
/// </remarks>
public sealed class SearchDimension
{
    private SearchDimension(string name, SearchDimensionKind kind, double lower, double upper)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Kind = kind;
        Lower = lower;
        Upper = upper;
    }

    /// <summary>Gets the dimension's name, for reports.</summary>
    public string Name { get; }

    /// <summary>Gets the kind of values the dimension takes.</summary>
    public SearchDimensionKind Kind { get; }

    /// <summary>Gets the lower bound (0 for a categorical dimension).</summary>
    public double Lower { get; }

    /// <summary>Gets the upper bound, inclusive (the last choice's index for a categorical dimension).</summary>
    public double Upper { get; }

    /// <summary>Gets the number of choices of a categorical dimension; 0 for the others.</summary>
    public int ChoiceCount => Kind == SearchDimensionKind.Categorical ? (int)Upper + 1 : 0;

    /// <summary>Creates a continuous dimension.</summary>
    /// <param name="name">The dimension's name.</param>
    /// <param name="lower">The lower bound; finite.</param>
    /// <param name="upper">The upper bound; finite and above <paramref name="lower"/>, with <c>upper − lower</c> finite.</param>
    /// <returns>The dimension.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The bounds are not finite, not in order, or further apart than the largest double.</exception>
    public static SearchDimension Continuous(string name, double lower, double upper)
    {
        CheckBounds(lower, upper);
        return new SearchDimension(name, SearchDimensionKind.Continuous, lower, upper);
    }

    /// <summary>Creates an integer (discrete, ordered) dimension.</summary>
    /// <param name="name">The dimension's name.</param>
    /// <param name="lower">The smallest value.</param>
    /// <param name="upper">The largest value; above <paramref name="lower"/>.</param>
    /// <returns>The dimension.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="upper"/> is not above <paramref name="lower"/>.</exception>
    public static SearchDimension Discrete(string name, int lower, int upper)
    {
        CheckBounds(lower, upper);
        return new SearchDimension(name, SearchDimensionKind.Discrete, lower, upper);
    }

    /// <summary>Creates a categorical dimension over <paramref name="choiceCount"/> unordered choices.</summary>
    /// <param name="name">The dimension's name.</param>
    /// <param name="choiceCount">The number of choices; at least 2.</param>
    /// <returns>The dimension.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="choiceCount"/> is below 2.</exception>
    public static SearchDimension Categorical(string name, int choiceCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(choiceCount, 2);
        return new SearchDimension(name, SearchDimensionKind.Categorical, 0, choiceCount - 1);
    }

    /// <summary>Returns the dimension's name, kind and range.</summary>
    /// <returns>For example <c>window: Discrete [168, 2016]</c>.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Name}: {Kind} [{Lower}, {Upper}]");

    /// <summary>Maps a unit coordinate u ∈ [0, 1] to a valid value (rounded for an integer dimension; not for categorical).</summary>
    internal double FromUnit(double u)
    {
        var value = Lower + (Math.Clamp(u, 0, 1) * (Upper - Lower));
        return Kind == SearchDimensionKind.Discrete ? Math.Round(value) : value;
    }

    /// <summary>Maps a value to its unit coordinate (numeric dimensions).</summary>
    internal double ToUnit(double value) => (value - Lower) / (Upper - Lower);

    /// <summary>Whether <paramref name="value"/> is a valid value of the dimension.</summary>
    internal bool IsValid(double value) =>
        double.IsFinite(value) && value >= Lower && value <= Upper
        && (Kind == SearchDimensionKind.Continuous || value == Math.Round(value));

    private static void CheckBounds(double lower, double upper)
    {
        if (!double.IsFinite(lower))
        {
            throw new ArgumentOutOfRangeException(nameof(lower), lower, "The lower bound must be finite.");
        }

        if (!double.IsFinite(upper) || upper <= lower)
        {
            throw new ArgumentOutOfRangeException(nameof(upper), upper, "The upper bound must be finite and above the lower bound.");
        }

        if (!double.IsFinite(upper - lower))
        {
            // The optimiser works on the unit cube and maps back with lower + u × (upper − lower): a range wider than
            // the largest double would send its suggestions to ±∞.
            throw new ArgumentOutOfRangeException(
                nameof(upper), upper, string.Create(CultureInfo.InvariantCulture, $"The range [{lower}, {upper}] is wider than the largest double; narrow it (or search its logarithm)."));
        }
    }
}
