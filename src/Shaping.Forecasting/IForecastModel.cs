namespace Shaping.Forecasting;

/// <summary>
/// A fitted forecasting model: point forecasts, quantiles, sample paths and online updates.
/// </summary>
/// <remarks>
/// <para>
/// A model keeps the state it needs to forecast from the end of the data it has seen. <see cref="Update"/>
/// absorbs one new observation in O(1) time and without allocating, without refitting the parameters, so an
/// engine can follow a live series between scheduled refits.
/// </para>
/// <para><b>Thread safety:</b> not thread-safe; <see cref="Update"/> mutates the state. Readers that run
/// concurrently with updates must synchronise or work on a snapshot.</para>
/// </remarks>
public interface IForecastModel
{
    /// <summary>Gets the model's name including its specification, for example <c>ETS(M,Ad,M)</c>.</summary>
    string Name { get; }

    /// <summary>Gets the seasonal period the model was fitted with.</summary>
    int SeasonalPeriod { get; }

    /// <summary>Gets the fitted parameters and information criteria.</summary>
    FitSummary Summary { get; }

    /// <summary>Writes the point forecasts (the forecast means) for the next <c>destination.Length</c> steps.</summary>
    /// <param name="destination">Receives one value per step ahead, 1 to h.</param>
    void ForecastMean(Span<double> destination);

    /// <summary>
    /// Forecasts the next <paramref name="horizon"/> steps as a mean and quantiles at <paramref name="levels"/>,
    /// analytic where the model class has closed-form intervals, simulated otherwise.
    /// </summary>
    /// <param name="horizon">Steps ahead; at least 1.</param>
    /// <param name="levels">Quantile levels in (0, 1), for example 0.05 and 0.95.</param>
    /// <returns>The forecast; never NaN or infinite for observations within <see cref="ForecastLimits.MaximumObservation"/>.
    /// The library's models floor their means, quantiles and sample paths at 0, because demand is non-negative.</returns>
    Forecast Forecast(int horizon, ReadOnlySpan<double> levels);

    /// <summary>
    /// Simulates future sample paths from the model's own error distribution: the input for a window's peak and
    /// mean distributions, which per-step quantiles cannot give.
    /// </summary>
    /// <param name="paths">Receives <c>pathCount × horizon</c> values, path after path (row-major); its length
    /// must be a multiple of <paramref name="horizon"/>.</param>
    /// <param name="horizon">Steps ahead per path; at least 1.</param>
    /// <param name="random">The random source; seed it for reproducible paths.</param>
    void SimulatePaths(Span<double> paths, int horizon, Random random);

    /// <summary>Absorbs one new observation in O(1), moving the forecast origin one step on.</summary>
    /// <param name="observation">The observation; a NaN, infinite or negative value, or one above
    /// <see cref="ForecastLimits.MaximumObservation"/>, is rejected with an <see cref="ArgumentException"/>.</param>
    void Update(double observation);
}
