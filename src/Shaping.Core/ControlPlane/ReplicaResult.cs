using Shaping.Core.Capacity;
using Shaping.Core.Prediction;
using Shaping.Core.Selection;
using Shaping.Core.Shapes;

namespace Shaping.Core.ControlPlane;

/// <summary>
/// The answer to a <see cref="ReplicaRequest"/>: what was provisioned and why that shape, or a typed reason why
/// nothing was.
/// </summary>
public sealed class ReplicaResult
{
    private ReplicaResult(
        ReplicaOutcome outcome,
        string region,
        int attempts,
        string message,
        ResourceShape? shape = null,
        IReadOnlyList<string>? replicaIds = null,
        ScoredShape score = default,
        LoadProfile? profile = null,
        ReservationId? reservation = null,
        bool isOutcomeUnknown = false,
        double peakCoverage = 0)
    {
        Outcome = outcome;
        Region = region;
        Attempts = attempts;
        Message = message;
        Shape = shape;
        ReplicaIds = replicaIds ?? [];
        Score = score;
        Profile = profile;
        Reservation = reservation;
        IsOutcomeUnknown = isOutcomeUnknown;
        PeakCoverage = peakCoverage;
    }

    /// <summary>Gets how the request ended.</summary>
    public ReplicaOutcome Outcome { get; }

    /// <summary>Gets whether replicas were provisioned.</summary>
    public bool IsProvisioned => Outcome == ReplicaOutcome.Provisioned;

    /// <summary>Gets the region that provisioned, or the requested region when none did.</summary>
    public string Region { get; }

    /// <summary>Gets how many (region, shape) attempts were made.</summary>
    public int Attempts { get; }

    /// <summary>Gets a short human-readable account of the outcome (the last failure, a fallback note).</summary>
    public string Message { get; }

    /// <summary>Gets the provisioned shape; <see langword="null"/> unless provisioned.</summary>
    public ResourceShape? Shape { get; }

    /// <summary>Gets the provisioned replicas' ids; empty unless provisioned.</summary>
    public IReadOnlyList<string> ReplicaIds { get; }

    /// <summary>Gets how many replicas were provisioned.</summary>
    public int Replicas => ReplicaIds.Count;

    /// <summary>
    /// Gets the score that chose the shape (index into the catalog of the time, score, performance and cost terms, cost
    /// for the duration of one replica); <see langword="default"/> unless provisioned, and for a resubmission answered
    /// from the <see cref="ReplicaInventory"/> (see <see cref="Profile"/>).
    /// </summary>
    public ScoredShape Score { get; }

    /// <summary>
    /// Gets the probability that one replica of the shape absorbs the window's predicted per-replica peak (after
    /// the policy's headroom); 0 unless provisioned, and for a resubmission answered from the
    /// <see cref="ReplicaInventory"/> (see <see cref="Profile"/>).
    /// </summary>
    public double PeakCoverage { get; }

    /// <summary>
    /// Gets the per-replica load profile the shape was chosen for; <see langword="null"/> unless provisioned, and also
    /// when provisioned for a resubmission of a completed request that the handler answered from the
    /// <see cref="ReplicaInventory"/> (after a restart, or once it no longer remembers the request): the inventory keeps
    /// the replicas, not what chose their shape. Such a result has <see cref="Attempts"/> 0.
    /// </summary>
    public LoadProfile? Profile { get; }

    /// <summary>Gets the committed reservation that accounts for the replicas; <see langword="null"/> unless provisioned.</summary>
    public ReservationId? Reservation { get; }

    /// <summary>Gets the price of one replica, in currency per hour; 0 unless provisioned.</summary>
    public double PricePerHour => Shape?.PricePerHour ?? 0;

    /// <summary>Gets the price of all the replicas, in currency per hour; 0 unless provisioned.</summary>
    public double TotalPricePerHour => PricePerHour * Replicas;

    /// <summary>Gets the cost of all the replicas over the request's expected duration, in currency; 0 unless provisioned.</summary>
    public double CostForDuration => Score.CostForDuration * Replicas;

    /// <summary>
    /// Gets whether a provisioning call's outcome could not be learned (its answer was lost and the region stayed
    /// unreachable): replicas may exist under the request's idempotency key, so the handler stopped rather than risk
    /// provisioning the request twice, and kept the reservation for them (it expires after
    /// <see cref="ReplicaRequestHandlerOptions.ReservationTimeToLive"/>). Resubmitting the request with the same key
    /// replays the same provisioning call in the same region first, which recovers the replicas or settles that none
    /// exist.
    /// </summary>
    public bool IsOutcomeUnknown { get; }

    /// <summary>Creates the result of a successful request.</summary>
    /// <param name="region">The region that provisioned.</param>
    /// <param name="shape">The shape provisioned.</param>
    /// <param name="replicaIds">The replicas.</param>
    /// <param name="score">The score that chose the shape.</param>
    /// <param name="peakCoverage">The probability, in [0, 1], that one replica absorbs the predicted per-replica peak.</param>
    /// <param name="profile">The per-replica profile it was chosen for.</param>
    /// <param name="reservation">The committed reservation.</param>
    /// <param name="attempts">How many attempts were made.</param>
    /// <param name="message">A note, empty when none.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="peakCoverage"/> is outside [0, 1].</exception>
    public static ReplicaResult Provisioned(
        string region, ResourceShape shape, IReadOnlyList<string> replicaIds, ScoredShape score, double peakCoverage,
        LoadProfile profile, ReservationId reservation, int attempts, string message = "")
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(replicaIds);
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(message);
        if (!(peakCoverage >= 0 && peakCoverage <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(peakCoverage), peakCoverage, "The peak coverage is a probability in [0, 1].");
        }

        return new ReplicaResult(
            ReplicaOutcome.Provisioned, region, attempts, message, shape, replicaIds, score, profile, reservation, peakCoverage: peakCoverage);
    }

    /// <summary>Creates the result of a request that provisioned nothing.</summary>
    /// <param name="outcome">The reason; not <see cref="ReplicaOutcome.Provisioned"/>.</param>
    /// <param name="region">The requested region.</param>
    /// <param name="attempts">How many attempts were made.</param>
    /// <param name="message">What went wrong, for people.</param>
    /// <param name="isOutcomeUnknown">Whether a provisioning call's outcome could not be learned (see <see cref="IsOutcomeUnknown"/>).</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentException"><paramref name="outcome"/> is <see cref="ReplicaOutcome.Provisioned"/>.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="region"/> or <paramref name="message"/> is <see langword="null"/>.</exception>
    public static ReplicaResult Failed(ReplicaOutcome outcome, string region, int attempts, string message, bool isOutcomeUnknown = false)
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(message);
        if (outcome == ReplicaOutcome.Provisioned)
        {
            throw new ArgumentException("A failed result needs a failure outcome.", nameof(outcome));
        }

        return new ReplicaResult(outcome, region, attempts, message, isOutcomeUnknown: isOutcomeUnknown);
    }

    /// <summary>
    /// The answer to a resubmission of a request whose replicas the <see cref="ReplicaInventory"/> tracks, which the
    /// handler no longer remembers: no attempt made; no score, coverage or profile, which the inventory does not keep.
    /// </summary>
    internal static ReplicaResult Replayed(string region, ResourceShape shape, IReadOnlyList<string> replicaIds, ReservationId reservation, string message) =>
        new(ReplicaOutcome.Provisioned, region, 0, message, shape, replicaIds, reservation: reservation);

    /// <summary>Copies this result as the answer to a resubmission of the same request: no attempt made, a new note.</summary>
    internal ReplicaResult AsReplay(string message) =>
        new(Outcome, Region, 0, message, Shape, ReplicaIds, Score, Profile, Reservation, peakCoverage: PeakCoverage, isOutcomeUnknown: IsOutcomeUnknown);

    /// <inheritdoc/>
    public override string ToString() => IsProvisioned
        ? $"Provisioned {Replicas} × {Shape!.Name} in {Region} after {Attempts} attempt(s)" // Shape is set whenever provisioned
        : $"{Outcome} in {Region} after {Attempts} attempt(s): {Message}";
}
