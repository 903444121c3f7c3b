namespace Shaping.Forecasting.Calibration;

/// <summary>A prediction interval: the lower and upper bounds, in the series' unit.</summary>
/// <param name="Lower">The lower bound.</param>
/// <param name="Upper">The upper bound, at least <paramref name="Lower"/>.</param>
public readonly record struct IntervalBounds(double Lower, double Upper)
{
    /// <summary>Whether <paramref name="value"/> lies inside the closed interval.</summary>
    /// <param name="value">An observation, in the series' unit.</param>
    /// <returns><see langword="true"/> when <c>Lower ≤ value ≤ Upper</c>.</returns>
    public bool Contains(double value) => value >= Lower && value <= Upper;
}
