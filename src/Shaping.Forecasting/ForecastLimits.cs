namespace Shaping.Forecasting;

/// <summary>The range of observations every forecaster and model in this library accepts.</summary>
public static class ForecastLimits
{
    /// <summary>
    /// The largest observation a forecaster's <see cref="IForecaster.Fit"/> or a model's
    /// <see cref="IForecastModel.Update"/> accepts (10¹⁰⁰, in the series' own units); a larger one is rejected with an
    /// <see cref="ArgumentException"/> naming the argument.
    /// </summary>
    /// <remarks>
    /// Why a bound: variances, likelihoods and interval widths square the data, and a sum of squares of values near
    /// 10¹⁵⁵ or more overflows to infinity, which turned quantiles into NaN and infinity. Below this bound the squares
    /// (at most 10²⁰⁰) and their sums stay finite, so every forecast value is finite. Real demand (requests,
    /// cores, bytes per step) is many orders of magnitude smaller.
    /// </remarks>
    public const double MaximumObservation = 1e100;
}
