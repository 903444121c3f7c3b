using System.Globalization;

namespace Shaping.Core.ControlPlane;

/// <summary>
/// How a <see cref="ShapeAdjustmentLoop"/> runs: how often, how long a resize holds its reservation, whether it acts on
/// forecasts, and how it retries.
/// </summary>
/// <remarks>The constructor checks every setting; an instance is immutable and safe to share between threads.</remarks>
public sealed class ShapeAdjustmentOptions
{
    /// <summary>Creates the options.</summary>
    /// <param name="interval">
    /// The time between two cycles of the periodic runner; from <see cref="MinInterval"/> to <see cref="MaxInterval"/>.
    /// Default 30 seconds.
    /// </param>
    /// <param name="reservationTimeToLive">How long the reservation for a resize holds before it expires unless committed; positive and at most <see cref="Capacity.CapacityLimits.MaxTimeToLive"/>. Default 2 minutes.</param>
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
    /// <param name="maxResizeRetries">
    /// How many times, within one move, a resize answered <see cref="Provisioning.ProvisionStatus.TransientFailure"/> is
    /// replayed at once with the same idempotency key, and a ledger call answered
    /// <see cref="Capacity.ReservationStatus.Unavailable"/> is replayed by the same reservation id; from 0 to
    /// <see cref="MaxResizeRetryCap"/>. Default 2.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it and its value.</exception>
    public ShapeAdjustmentOptions(
        TimeSpan? interval = null,
        TimeSpan? reservationTimeToLive = null,
        TimeSpan? proactiveLeadTime = null,
        double forecastConfidence = 0.9,
        TimeSpan? retryBackoff = null,
        TimeSpan? maxRetryBackoff = null,
        int maxResizeRetries = 2)
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

        if (ttl <= TimeSpan.Zero || ttl > Capacity.CapacityLimits.MaxTimeToLive)
        {
            throw new ArgumentOutOfRangeException(
                nameof(reservationTimeToLive), ttl, $"ShapeAdjustmentOptions.ReservationTimeToLive ({ttl}) must be positive and at most {Capacity.CapacityLimits.MaxTimeToLive.TotalDays} days (CapacityLimits.MaxTimeToLive: the ledgers refuse longer holds).");
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

        if (maxResizeRetries is < 0 or > MaxResizeRetryCap)
        {
            throw new ArgumentOutOfRangeException(
                nameof(maxResizeRetries),
                maxResizeRetries,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"ShapeAdjustmentOptions.MaxResizeRetries ({maxResizeRetries}) must be between 0 and {MaxResizeRetryCap}."));
        }

        Interval = period;
        RetryBackoff = backoff;
        MaxRetryBackoff = maxBackoff;
        ReservationTimeToLive = ttl;
        ProactiveLeadTime = lead;
        ForecastConfidence = forecastConfidence;
        MaxResizeRetries = maxResizeRetries;
    }

    /// <summary>The largest allowed <see cref="MaxResizeRetries"/>: 10.</summary>
    /// <remarks>
    /// Replays within a move are made at once, while the cycle waits, one replica after another: the cap bounds how long
    /// one unanswered region or ledger can hold up a cycle. A resize still unanswered is replayed on later cycles anyway.
    /// </remarks>
    public const int MaxResizeRetryCap = 10;

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

    /// <summary>
    /// Gets how many times, within one move, the loop replays at once a resize the provisioner answered
    /// <see cref="Provisioning.ProvisionStatus.TransientFailure"/> (with the same idempotency key, so a resize that
    /// happened and lost its answer is not made twice), before the move ends
    /// <see cref="ShapeMoveOutcome.ResizeOutcomeUnknown"/> and later cycles replay the key instead (each with as many
    /// replays). The same budget
    /// bounds the replays of a ledger call answered <see cref="Capacity.ReservationStatus.Unavailable"/> (by the same
    /// reservation id, since the call may have taken effect), as
    /// <see cref="ReplicaRequestHandlerOptions.MaxProvisionRetries"/> does for the request handler.
    /// </summary>
    /// <remarks>
    /// A count of replays after the first call, not of calls. Replays are made without a wait. At 0 each call is made
    /// once: a resize whose answer was lost is replayed only by later cycles, so the cycle <see cref="Interval"/> is
    /// its only back-off.
    /// </remarks>
    /// <value>The default value is 2. Must be in [0, <see cref="MaxResizeRetryCap"/>].</value>
    public int MaxResizeRetries { get; }

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
