using System.Diagnostics;
using System.Diagnostics.Metrics;
using Shaping.Core.Capacity;
using Shaping.Core.ControlPlane;

namespace Shaping.Core.Telemetry;

/// <summary>
/// The control plane's metrics and traces: one <see cref="Meter"/> and one <see cref="ActivitySource"/>, both
/// named <see cref="Name"/> ("Shaping").
/// </summary>
/// <remarks>
/// <para>Instruments (names and units follow OpenTelemetry conventions):</para>
/// <list type="bullet">
/// <item><c>shaping.requests</c> (counter, <c>{request}</c>): replica requests received, tagged by the requested region.</item>
/// <item><c>shaping.request.outcomes</c> (counter, <c>{request}</c>): finished requests tagged by
/// <c>shaping.outcome</c> (provisioned, no_feasible_shape, no_capacity, provisioning_failed, no_prediction,
/// cancelled) and region: the region that provisioned (a failover region when one served the request), or the
/// requested region when none did. So per region, outcomes and requests differ by the requests failed over; sum over
/// regions to compare them.</item>
/// <item><c>shaping.selection.duration</c> (histogram, <c>s</c>): time to rank the catalog for one region.</item>
/// <item><c>shaping.reservations</c> (counter, <c>{reservation}</c>): reservation attempts tagged by
/// <c>shaping.result</c> (the ledger's answer) and region.</item>
/// <item><c>shaping.shape.switches</c> (counter, <c>{switch}</c>): replicas moved to another shape, tagged by
/// region and <c>shaping.direction</c> (up or down).</item>
/// <item><c>shaping.reconciliations</c> (counter, <c>{request}</c>): unknown outcomes that
/// <see cref="ControlPlane.ReplicaRequestHandler.ReconcileAsync"/> replayed, tagged by region and <c>shaping.outcome</c>
/// (the settlement's outcome, or <see cref="StillUnknownOutcome"/> when the outcome is still unknown). Not counted with
/// the requests: a reconciliation settles a request already counted.</item>
/// </list>
/// <para>
/// With an <see cref="IMeterFactory"/> (a host's container has one) the meter comes from the factory and lives as
/// long as it; otherwise <see cref="Shared"/> uses one static meter for the process. Measurements are recorded
/// only while an instrument has a listener. <b>Thread safety:</b> all members are safe to call concurrently.
/// </para>
/// </remarks>
public sealed class ShapingTelemetry
{
    /// <summary>The name of the meter and of the activity source: "Shaping".</summary>
    public const string Name = "Shaping";

    private static readonly Lazy<ShapingTelemetry> SharedInstance = new(() => new ShapingTelemetry(new Meter(Name, Version)));

    private static readonly string? Version = typeof(ShapingTelemetry).Assembly.GetName().Version?.ToString();

    private readonly Counter<long> _requests;
    private readonly Counter<long> _outcomes;
    private readonly Histogram<double> _selectionDuration;
    private readonly Counter<long> _reservations;
    private readonly Counter<long> _shapeSwitches;
    private readonly Counter<long> _reconciliations;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    /// <param name="meterFactory">The host's meter factory.</param>
    /// <exception cref="ArgumentNullException"><paramref name="meterFactory"/> is <see langword="null"/>.</exception>
    public ShapingTelemetry(IMeterFactory meterFactory)
        : this(CreateMeter(meterFactory))
    {
    }

    private ShapingTelemetry(Meter meter)
    {
        Meter = meter;
        _requests = meter.CreateCounter<long>("shaping.requests", "{request}", "Replica requests received.");
        _outcomes = meter.CreateCounter<long>("shaping.request.outcomes", "{request}", "Replica requests finished, by outcome.");
        _selectionDuration = meter.CreateHistogram<double>("shaping.selection.duration", "s", "Time to rank the shape catalog for one region.");
        _reservations = meter.CreateCounter<long>("shaping.reservations", "{reservation}", "Capacity reservation attempts, by ledger result.");
        _shapeSwitches = meter.CreateCounter<long>("shaping.shape.switches", "{switch}", "Replicas moved to another shape, by direction.");
        _reconciliations = meter.CreateCounter<long>(
            "shaping.reconciliations", "{request}", "Unknown provisioning outcomes replayed by a reconciliation, by outcome.");
    }

    /// <summary>Gets the process-wide instance on a static meter, for code that has no <see cref="IMeterFactory"/>.</summary>
    public static ShapingTelemetry Shared => SharedInstance.Value;

    /// <summary>Gets the activity source named "Shaping"; one per process, as activity sources are.</summary>
    public static ActivitySource ActivitySource { get; } = new(Name, Version);

    /// <summary>Gets the meter the instruments live on.</summary>
    public Meter Meter { get; }

    /// <summary>Records that a request arrived.</summary>
    /// <param name="region">The requested (primary) region.</param>
    public void RecordRequest(string region)
    {
        if (_requests.Enabled)
        {
            _requests.Add(1, new KeyValuePair<string, object?>(ShapingTags.Region, region));
        }
    }

    /// <summary>Records how a request ended.</summary>
    /// <param name="region">The region that provisioned, or the requested region when none did.</param>
    /// <param name="outcome">The outcome.</param>
    public void RecordOutcome(string region, ReplicaOutcome outcome)
    {
        if (_outcomes.Enabled)
        {
            _outcomes.Add(
                1,
                new KeyValuePair<string, object?>(ShapingTags.Region, region),
                new KeyValuePair<string, object?>(ShapingTags.Outcome, OutcomeName(outcome)));
        }
    }

    /// <summary>
    /// Gets the outcome tag of a request that ended with an exception instead of a result ("exception"), so that the
    /// outcomes counter still adds up to the requests counter.
    /// </summary>
    public const string ExceptionOutcome = "exception";

    /// <summary>
    /// Records a request that ended with an exception (a port's adapter threw, or cancellation surfaced as an
    /// exception): counted with the outcomes as <see cref="ExceptionOutcome"/>, tagged with the exception's type as
    /// <c>error.type</c>.
    /// </summary>
    /// <param name="region">The requested (primary) region.</param>
    /// <param name="exception">The exception.</param>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is <see langword="null"/>.</exception>
    public void RecordException(string region, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (_outcomes.Enabled)
        {
            _outcomes.Add(
                1,
                new KeyValuePair<string, object?>(ShapingTags.Region, region),
                new KeyValuePair<string, object?>(ShapingTags.Outcome, ExceptionOutcome),
                new KeyValuePair<string, object?>("error.type", exception.GetType().FullName));
        }
    }

    /// <summary>Records how long one ranking took.</summary>
    /// <param name="region">The region ranked for.</param>
    /// <param name="elapsed">The elapsed time.</param>
    public void RecordSelectionDuration(string region, TimeSpan elapsed)
    {
        if (_selectionDuration.Enabled)
        {
            _selectionDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(ShapingTags.Region, region));
        }
    }

    /// <summary>Gets whether the selection-duration histogram has a listener, so callers can skip taking timestamps.</summary>
    public bool IsSelectionDurationEnabled => _selectionDuration.Enabled;

    /// <summary>Records a reservation attempt and the ledger's answer.</summary>
    /// <param name="region">The region.</param>
    /// <param name="status">The ledger's answer.</param>
    public void RecordReservation(string region, ReservationStatus status)
    {
        if (_reservations.Enabled)
        {
            _reservations.Add(
                1,
                new KeyValuePair<string, object?>(ShapingTags.Region, region),
                new KeyValuePair<string, object?>(ShapingTags.Result, StatusName(status)));
        }
    }

    /// <summary>Records that a replica moved to another shape.</summary>
    /// <param name="region">The replica's region.</param>
    /// <param name="direction">"up" to a larger shape or "down" to a smaller one (use <see cref="ShapingTags.Up"/> / <see cref="ShapingTags.Down"/>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="region"/> or <paramref name="direction"/> is <see langword="null"/>.</exception>
    public void RecordShapeSwitch(string region, string direction)
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(direction);
        if (_shapeSwitches.Enabled)
        {
            _shapeSwitches.Add(
                1,
                new KeyValuePair<string, object?>(ShapingTags.Region, region),
                new KeyValuePair<string, object?>(ShapingTags.Direction, direction));
        }
    }

    /// <summary>The outcome tag of a reconciliation after which the outcome is still unknown ("still_unknown").</summary>
    public const string StillUnknownOutcome = "still_unknown";

    /// <summary>Records a reconciliation that replayed an unknown outcome.</summary>
    /// <param name="result">What the replay settled, or said is still unknown.</param>
    /// <exception cref="ArgumentNullException"><paramref name="result"/> is <see langword="null"/>.</exception>
    public void RecordReconciliation(ReplicaResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (_reconciliations.Enabled)
        {
            _reconciliations.Add(
                1,
                new KeyValuePair<string, object?>(ShapingTags.Region, result.Region),
                new KeyValuePair<string, object?>(ShapingTags.Outcome, result.IsOutcomeUnknown ? StillUnknownOutcome : OutcomeName(result.Outcome)));
        }
    }

    /// <summary>Gets the tag value used for an outcome (snake case, allocation-free).</summary>
    /// <param name="outcome">The outcome.</param>
    /// <returns>The tag value.</returns>
    public static string OutcomeName(ReplicaOutcome outcome) => outcome switch
    {
        ReplicaOutcome.Provisioned => "provisioned",
        ReplicaOutcome.NoFeasibleShape => "no_feasible_shape",
        ReplicaOutcome.NoCapacity => "no_capacity",
        ReplicaOutcome.ProvisioningFailed => "provisioning_failed",
        ReplicaOutcome.NoPrediction => "no_prediction",
        ReplicaOutcome.Cancelled => "cancelled",
        _ => "unknown",
    };

    private static string StatusName(ReservationStatus status) => status switch
    {
        ReservationStatus.Succeeded => "succeeded",
        ReservationStatus.InsufficientCapacity => "insufficient_capacity",
        ReservationStatus.UnknownRegion => "unknown_region",
        ReservationStatus.NotFound => "not_found",
        ReservationStatus.Expired => "expired",
        ReservationStatus.Conflict => "conflict",
        ReservationStatus.Unavailable => "unavailable",
        _ => "unknown",
    };

    private static Meter CreateMeter(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        return meterFactory.Create(new MeterOptions(Name) { Version = Version });
    }
}
