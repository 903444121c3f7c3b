using System.Globalization;

namespace Shaping.Core.ControlPlane;

/// <summary>How a <see cref="ShapeAdjustmentLoop"/> runs: how often, how long a resize holds its reservation, and whether it acts on forecasts.</summary>
/// <remarks>The constructor checks every setting; an instance is immutable and safe to share between threads.</remarks>
public sealed class ShapeAdjustmentOptions
{
    /// <summary>Creates the options.</summary>
    /// <param name="interval">
    /// The time between two cycles of the periodic runner; from <see cref="MinInterval"/> to <see cref="MaxInterval"/>.
    /// Default 30 seconds.
    /// </param>
    /// <param name="reservationTimeToLive">How long the reservation for a resize holds before it expires unless committed; positive. Default 2 minutes.</param>
    /// <param name="proactiveLeadTime">
    /// The window of the forecast the scaler acts on in proactive mode; zero turns proactive mode off. Non-negative. Default zero.
    /// </param>
    /// <param name="forecastConfidence">The quantile of the forecast window's peak used as the forecast demand, in (0, 1). Default 0.9.</param>
    /// <param name="retryBackoff">
    /// How long a replica waits, after a move of it was refused (no capacity) or failed, before the loop tries to move
    /// it again; the wait doubles with each further consecutive failure. Zero retries on the next observation.
    /// Non-negative. Default 1 minute.
    /// </param>
    /// <param name="maxRetryBackoff">The longest such wait; at least <paramref name="retryBackoff"/>. Default 30 minutes.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it and its value.</exception>
    public ShapeAdjustmentOptions(
        TimeSpan? interval = null,
        TimeSpan? reservationTimeToLive = null,
        TimeSpan? proactiveLeadTime = null,
        double forecastConfidence = 0.9,
        TimeSpan? retryBackoff = null,
        TimeSpan? maxRetryBackoff = null)
    {
        var period = interval ?? TimeSpan.FromSeconds(30);
        var backoff = retryBackoff ?? TimeSpan.FromMinutes(1);
        var maxBackoff = maxRetryBackoff ?? TimeSpan.FromMinutes(30);
        var ttl = reservationTimeToLive ?? TimeSpan.FromMinutes(2);
        var lead = proactiveLeadTime ?? TimeSpan.Zero;
        if (period <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), period, $"ShapeAdjustmentOptions.Interval ({period}) must be positive.");
        }

        if (period < MinInterval || period > MaxInterval)
        {
            throw new ArgumentOutOfRangeException(
                nameof(interval), period, $"ShapeAdjustmentOptions.Interval ({period}) must be between {MinInterval} and {MaxInterval}, the periods a timer supports.");
        }

        if (ttl <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(
                nameof(reservationTimeToLive), ttl, $"ShapeAdjustmentOptions.ReservationTimeToLive ({ttl}) must be positive.");
        }

        if (lead < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(
                nameof(proactiveLeadTime), lead, $"ShapeAdjustmentOptions.ProactiveLeadTime ({lead}) must be non-negative.");
        }

        if (!(forecastConfidence > 0 && forecastConfidence < 1))
        {
            throw new ArgumentOutOfRangeException(
                nameof(forecastConfidence),
                forecastConfidence,
                string.Create(CultureInfo.InvariantCulture, $"ShapeAdjustmentOptions.ForecastConfidence ({forecastConfidence}) must be in (0, 1)."));
        }

        if (backoff < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(
                nameof(retryBackoff), backoff, $"ShapeAdjustmentOptions.RetryBackoff ({backoff}) must be non-negative.");
        }

        if (maxBackoff < backoff)
        {
            throw new ArgumentOutOfRangeException(
                nameof(maxRetryBackoff), maxBackoff, $"ShapeAdjustmentOptions.MaxRetryBackoff ({maxBackoff}) must be at least RetryBackoff ({backoff}).");
        }

        Interval = period;
        RetryBackoff = backoff;
        MaxRetryBackoff = maxBackoff;
        ReservationTimeToLive = ttl;
        ProactiveLeadTime = lead;
        ForecastConfidence = forecastConfidence;
    }

    /// <summary>Gets the shortest <see cref="Interval"/>: 1 millisecond.</summary>
    /// <remarks><see cref="ShapeAdjustmentLoop.RunAsync"/> ticks on a <see cref="PeriodicTimer"/>, which counts whole milliseconds.</remarks>
    public static TimeSpan MinInterval { get; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Gets the longest <see cref="Interval"/>: 4,294,967,294 milliseconds (about 49.7 days).</summary>
    /// <remarks>
    /// The longest period a <see cref="PeriodicTimer"/> accepts; a longer one would fail only when the loop starts
    /// running, so the constructor refuses it.
    /// </remarks>
    public static TimeSpan MaxInterval { get; } = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary>Gets options with every default.</summary>
    public static ShapeAdjustmentOptions Default { get; } = new();

    /// <summary>Gets the time between two cycles of <see cref="ShapeAdjustmentLoop.RunAsync"/>.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan Interval { get; }

    /// <summary>Gets how long the reservation for a resize holds before it expires unless committed.</summary>
    /// <value>The default value is 2 minutes.</value>
    public TimeSpan ReservationTimeToLive { get; }

    /// <summary>Gets the forecast window the scaler acts on in proactive mode; zero when proactive mode is off.</summary>
    /// <value>The default value is zero (reactive).</value>
    public TimeSpan ProactiveLeadTime { get; }

    /// <summary>Gets whether the loop asks the predictor for a forecast and runs the scaler in proactive mode.</summary>
    public bool IsProactive => ProactiveLeadTime > TimeSpan.Zero;

    /// <summary>Gets the quantile of the forecast window's peak that serves as the forecast demand.</summary>
    /// <value>The default value is 0.9.</value>
    public double ForecastConfidence { get; }

    /// <summary>
    /// Gets how long a replica waits after a refused or failed move before the loop tries to move it again; doubled
    /// for each further consecutive failure, up to <see cref="MaxRetryBackoff"/>. Without it a region that is full would
    /// be asked for the same reservation on every cycle by every replica that wants to grow.
    /// </summary>
    /// <value>The default value is 1 minute; zero retries on the next observation.</value>
    public TimeSpan RetryBackoff { get; }

    /// <summary>Gets the longest wait between two attempts to move the same replica after failures.</summary>
    /// <value>The default value is 30 minutes.</value>
    public TimeSpan MaxRetryBackoff { get; }

    /// <summary>Gets the wait after <paramref name="failures"/> consecutive failed moves of one replica.</summary>
    /// <param name="failures">Consecutive failures, at least 1.</param>
    /// <returns><see cref="RetryBackoff"/> × 2^(failures − 1), at most <see cref="MaxRetryBackoff"/>.</returns>
    internal TimeSpan BackoffAfter(int failures)
    {
        // Doubling stops at the cap, so a cap near TimeSpan.MaxValue cannot overflow.
        var wait = RetryBackoff;
        for (var i = 1; i < failures && wait < MaxRetryBackoff; i++)
        {
            wait = wait <= MaxRetryBackoff - wait ? wait + wait : MaxRetryBackoff;
        }

        return wait;
    }
}
