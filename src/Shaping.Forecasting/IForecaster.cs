namespace Shaping.Forecasting;

/// <summary>
/// A forecasting method: fits a model to a history. Implementations are stateless and thread-safe; all the state
/// lives in the <see cref="IForecastModel"/> a fit returns.
/// </summary>
public interface IForecaster
{
    /// <summary>Gets the method's short name, as reports and the accuracy console print it (for example <c>AutoEts</c>).</summary>
    string Name { get; }

    /// <summary>Fits a model to a history.</summary>
    /// <param name="history">The observations, oldest first, equally spaced; finite, non-negative and at most
    /// <see cref="ForecastLimits.MaximumObservation"/>.</param>
    /// <param name="seasonalPeriod">The number of steps in one season (24 for hourly data with a daily cycle); 1 for none.</param>
    /// <param name="cancellationToken">Cancels a long fit.</param>
    /// <returns>The fitted model.</returns>
    /// <exception cref="ArgumentException">The history is empty or holds a NaN, infinite or negative value or one above <see cref="ForecastLimits.MaximumObservation"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seasonalPeriod"/> is below 1.</exception>
    IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default);
}
