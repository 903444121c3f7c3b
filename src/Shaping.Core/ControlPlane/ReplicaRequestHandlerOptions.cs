using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Shaping.Core.Selection;

namespace Shaping.Core.ControlPlane;

/// <summary>Settings of a <see cref="ReplicaRequestHandler"/>; checked when the handler is created.</summary>
public sealed class ReplicaRequestHandlerOptions
{
    /// <summary>Gets or sets the most (region, shape) attempts one request may make, over all regions.</summary>
    /// <remarks>
    /// Each region gets at most <see cref="RankingDepth"/> attempts, so this should exceed the ranking depth when
    /// requests name failover regions: the default leaves room for the whole ranking in the requested region and in
    /// one failover region.
    /// </remarks>
    /// <value>The default value is 8. Must be in [1, 64].</value>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Gets or sets how many times a transiently failed provisioning call is retried (with the same idempotency key).</summary>
    /// <remarks>
    /// The same budget bounds the replays of a ledger call answered
    /// <see cref="Capacity.ReservationStatus.Unavailable"/> (replayed by the same reservation id, since the call may
    /// have taken effect) and the retries of releasing a replica during a rollback.
    /// </remarks>
    /// <value>The default value is 2. Must be in [0, 10].</value>
    public int MaxProvisionRetries { get; set; } = 2;

    /// <summary>Gets or sets the wait before each retry of a provisioning call or replay of a ledger call, on the handler's <see cref="TimeProvider"/>.</summary>
    /// <value>The default value is 100 milliseconds. Must be in [0, 1 minute].</value>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Gets or sets how long a reservation holds before it expires unless committed. It must outlast provisioning
    /// with its retries; when it doesn't, the handler reserves again before committing. It is also how long the
    /// capacity of a request whose outcome is unknown (<see cref="ReplicaResult.IsOutcomeUnknown"/>) stays held for
    /// replicas that may exist: resubmit such a request within it to keep other requests off that capacity.
    /// </summary>
    /// <value>The default value is 5 minutes. Must be in (0, 1 day].</value>
    public TimeSpan ReservationTimeToLive { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets or sets how many completed requests the handler remembers by idempotency key, so that a resubmitted
    /// request returns its first result even if the forecast or the catalog changed in between (and would now rank
    /// another shape first, which has another provisioning key).
    /// </summary>
    /// <remarks>
    /// The oldest keys are forgotten first. Beyond this window (and after a restart) a resubmission whose replicas the
    /// <see cref="ReplicaInventory"/> still tracks under its key is answered with them, as they are now, without the
    /// score and profile that chose their shape; one whose replicas are all gone is served again. Requests with the
    /// same key that run at the same time are always serialised, whatever this value.
    /// </remarks>
    /// <value>The default value is 10,000. Must be in [0, 10,000,000]; 0 remembers none.</value>
    public int CompletedRequestMemory { get; set; } = 10_000;

    /// <summary>Gets or sets how many of the best-ranked shapes per region are candidates for fallback.</summary>
    /// <value>The default value is 4. Must be in [1, <see cref="ReplicaRequestHandler.MaxRankingDepth"/>].</value>
    public int RankingDepth { get; set; } = 4;

    /// <summary>
    /// Gets or sets the scoring policy (trade-off, headroom, peak confidence); a request's expected duration replaces
    /// its duration and a request's trade-off, when given, replaces its trade-off.
    /// </summary>
    /// <value>The default value is <see cref="ScoringPolicy.Default"/>. Must be valid (not the default struct value).</value>
    public ScoringPolicy DefaultPolicy { get; set; } = ScoringPolicy.Default;

    /// <summary>
    /// Checks every setting against its documented range, as the handler's constructor does, so that a host can fail
    /// at start (the DI package's options validation uses it) rather than when the handler is first built.
    /// </summary>
    /// <param name="problem">The first setting out of range, named with its value and its rule; <see langword="null"/> when all are valid.</param>
    /// <returns><see langword="true"/> when every setting is valid.</returns>
    public bool TryValidate([NotNullWhen(false)] out string? problem)
    {
        problem =
            Rule(MaxAttempts is >= 1 and <= 64, MaxAttempts, nameof(MaxAttempts), "must be in [1, 64]")
            ?? Rule(MaxProvisionRetries is >= 0 and <= 10, MaxProvisionRetries, nameof(MaxProvisionRetries), "must be in [0, 10]")
            ?? Rule(RetryDelay >= TimeSpan.Zero && RetryDelay <= TimeSpan.FromMinutes(1), RetryDelay, nameof(RetryDelay), "must be in [0, 1 minute]")
            ?? Rule(ReservationTimeToLive > TimeSpan.Zero && ReservationTimeToLive <= TimeSpan.FromDays(1), ReservationTimeToLive, nameof(ReservationTimeToLive), "must be in (0, 1 day]")
            ?? Rule(RankingDepth is >= 1 and <= ReplicaRequestHandler.MaxRankingDepth, RankingDepth, nameof(RankingDepth), $"must be in [1, {ReplicaRequestHandler.MaxRankingDepth}]")
            ?? Rule(CompletedRequestMemory is >= 0 and <= 10_000_000, CompletedRequestMemory, nameof(CompletedRequestMemory), "must be in [0, 10,000,000]")
            ?? Rule(DefaultPolicy.IsValid, DefaultPolicy, nameof(DefaultPolicy), "must be a valid policy, not the default struct value");
        return problem is null;

        static string? Rule<T>(bool ok, T value, string setting, string rule) =>
            ok ? null : string.Create(CultureInfo.InvariantCulture, $"ReplicaRequestHandlerOptions.{setting} ({value}) {rule}.");
    }
}
