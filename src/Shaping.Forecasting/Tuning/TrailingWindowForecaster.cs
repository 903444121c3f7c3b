namespace Shaping.Forecasting.Tuning;

/// <summary>Fits another forecaster on only the most recent <see cref="Window"/> steps of the history: a tuned
/// training window, so that old behaviour stops shaping the forecast.</summary>
/// <remarks>Stateless and thread-safe when the inner forecaster is.</remarks>
public sealed class TrailingWindowForecaster : IForecaster
{
    private readonly IForecaster _inner;

    /// <summary>Creates the forecaster.</summary>
    /// <param name="inner">The forecaster to fit.</param>
    /// <param name="window">The most steps passed to it; at least 1.</param>
    /// <exception cref="ArgumentNullException"><paramref name="inner"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="window"/> is below 1.</exception>
    public TrailingWindowForecaster(IForecaster inner, int window)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        _inner = inner;
        Window = window;
    }

    /// <summary>Gets the training window, in steps.</summary>
    public int Window { get; }

    /// <summary>Gets the inner forecaster's name.</summary>
    public string Name => _inner.Name;

    /// <inheritdoc />
    public IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default) =>
        _inner.Fit(history.Length > Window ? history[^Window..] : history, seasonalPeriod, cancellationToken);
}
