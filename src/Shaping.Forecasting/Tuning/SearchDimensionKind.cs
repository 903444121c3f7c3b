namespace Shaping.Forecasting.Tuning;

/// <summary>The kind of values a <see cref="SearchDimension"/> takes.</summary>
public enum SearchDimensionKind
{
    /// <summary>Any real number between the bounds.</summary>
    Continuous = 0,

    /// <summary>Whole numbers between the bounds, inclusive (ordered, like a window length).</summary>
    Discrete = 1,

    /// <summary>One of a fixed number of unordered choices, given as the index 0, 1, …, count − 1.</summary>
    Categorical = 2,
}
