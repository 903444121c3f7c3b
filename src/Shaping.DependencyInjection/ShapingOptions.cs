using Shaping.Core.ControlPlane;
using Shaping.Core.Provisioning;
using Shaping.Core.Resources;
using Shaping.Core.Selection;

namespace Shaping.DependencyInjection;

/// <summary>
/// The settings of predictive shaping in a host, set in <c>services.AddPredictiveShaping(options =&gt; …)</c>. Checked
/// when the host starts: an invalid value fails the start with a message naming the setting and the value.
/// </summary>
/// <remarks>
/// The package binds nothing from configuration itself (it depends on the options abstractions only). A host that
/// keeps these settings in configuration binds them with the configuration extensions of Microsoft.Extensions.Options,
/// for example <c>services.AddOptions&lt;ShapingOptions&gt;().BindConfiguration("Shaping")</c>. Regions bound into
/// <see cref="InMemoryRegions"/> replace its default <c>local</c> region (<see cref="DefaultInMemoryRegions"/>) rather
/// than join it; entries bound into <see cref="SyntheticLoads"/>, empty by default, are added.
/// </remarks>
public sealed class ShapingOptions
{
    /// <summary>Gets or sets how the selector trades cost against performance: 0 = cheapest feasible shape, 1 = best performance.</summary>
    /// <value>The default value is 0.5.</value>
    public double Tradeoff { get; set; } = 0.5;

    /// <summary>Gets or sets the extra capacity demanded above the predicted peak, as a fraction (0.1 = 10 %), in [0, 10].</summary>
    /// <value>The default value is 0.1.</value>
    public double Headroom { get; set; } = 0.1;

    /// <summary>Gets or sets the probability with which a chosen shape must absorb the window's peak, in (0, 1).</summary>
    /// <value>The default value is 0.95.</value>
    public double PeakConfidence { get; set; } = 0.95;

    /// <summary>
    /// Gets or sets the duration of the scoring policy <see cref="ToScoringPolicy"/> creates, for a host that calls the
    /// selector itself: the window its load is predicted over, and the duration its cost is reported for; positive.
    /// </summary>
    /// <remarks>
    /// The request handler does not use it: a request is predicted over, and costed for, its own
    /// <see cref="ReplicaRequest.ExpectedDuration"/>.
    /// </remarks>
    /// <value>The default value is 1 hour.</value>
    public TimeSpan PlanningWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Gets or sets how long a capacity reservation holds before it expires unless committed, for requests and for the
    /// adjustment loop's moves; positive and at most 1 day (the request handler's limit: a reservation that outlives
    /// its caller by longer only keeps capacity from others).
    /// </summary>
    /// <value>The default value is 2 minutes (a handler built without the container defaults to
    /// <see cref="ReplicaRequestHandlerOptions.ReservationTimeToLive"/>'s 5 minutes): raise it when provisioning with its
    /// retries can take longer, since it is also how long an unknown outcome's capacity stays held.</value>
    public TimeSpan ReservationTimeToLive { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Gets or sets the time between two cycles of the shape adjustment loop; from 1 millisecond to about 49.7 days
    /// (<see cref="ShapeAdjustmentOptions.MinInterval"/> to <see cref="ShapeAdjustmentOptions.MaxInterval"/>, the
    /// periods its timer supports).
    /// </summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan AdjustmentInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the forecast window the scaler acts on in proactive mode; zero keeps the loop reactive.</summary>
    /// <value>The default value is zero (reactive).</value>
    public TimeSpan ProactiveLeadTime { get; set; } = TimeSpan.Zero;

    /// <summary>Gets or sets the quantile of the forecast window's peak used as the forecast demand in proactive mode, in (0, 1).</summary>
    /// <value>The default value is 0.9.</value>
    public double ForecastConfidence { get; set; } = 0.9;

    /// <summary>
    /// Gets or sets how long the adjustment loop waits after a refused or failed move of a replica before it tries
    /// again, doubling with each further consecutive failure; zero retries on the next observation. Non-negative.
    /// </summary>
    /// <value>The default value is 1 minute.</value>
    public TimeSpan AdjustmentRetryBackoff { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets the longest wait between two attempts to move the same replica; at least <see cref="AdjustmentRetryBackoff"/>.</summary>
    /// <value>The default value is 30 minutes.</value>
    public TimeSpan AdjustmentMaxRetryBackoff { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Gets or sets how many times, within one move, the adjustment loop replays at once (with the same idempotency
    /// key) a resize the provisioner answered with a transient failure, whose resize may have happened with its answer
    /// lost, before it counts both shapes and leaves the key to later cycles; the same budget bounds the replays of a
    /// ledger call answered unavailable. A count of replays after the first call, from 0 to
    /// <see cref="ShapeAdjustmentOptions.MaxResizeRetryCap"/> (10).
    /// </summary>
    /// <value>The default value is 2.</value>
    public int AdjustmentMaxResizeRetries { get; set; } = 2;

    /// <summary>
    /// Gets or sets the most (region, shape) attempts one request may make over all regions
    /// (<see cref="ReplicaRequestHandlerOptions.MaxAttempts"/>); from 1 to 64.
    /// </summary>
    /// <value>The default value is 8.</value>
    public int RequestMaxAttempts { get; set; } = 8;

    /// <summary>
    /// Gets or sets how many times a request's transiently failed provisioning call, or a ledger call answered
    /// unavailable, is retried with the same key (<see cref="ReplicaRequestHandlerOptions.MaxProvisionRetries"/>); from 0 to 10.
    /// </summary>
    /// <value>The default value is 2.</value>
    public int RequestMaxProvisionRetries { get; set; } = 2;

    /// <summary>
    /// Gets or sets the wait before each such retry (<see cref="ReplicaRequestHandlerOptions.RetryDelay"/>); from 0 to 1 minute.
    /// </summary>
    /// <value>The default value is 100 milliseconds.</value>
    public TimeSpan RequestRetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Gets or sets how many of the best-ranked shapes per region a request may fall back to
    /// (<see cref="ReplicaRequestHandlerOptions.RankingDepth"/>); from 1 to <see cref="ReplicaRequestHandler.MaxRankingDepth"/>.
    /// </summary>
    /// <value>The default value is 4.</value>
    public int RequestRankingDepth { get; set; } = 4;

    /// <summary>
    /// Gets or sets how many completed requests the handler remembers by idempotency key
    /// (<see cref="ReplicaRequestHandlerOptions.CompletedRequestMemory"/>); from 0 to 10,000,000.
    /// </summary>
    /// <value>The default value is 10,000.</value>
    public int CompletedRequestMemory { get; set; } = 10_000;

    /// <summary>The request handler's settings these options give (each set above, the reservation time to live and the scoring policy).</summary>
    /// <returns>New handler options.</returns>
    public ReplicaRequestHandlerOptions ToRequestHandlerOptions() => new()
    {
        MaxAttempts = RequestMaxAttempts,
        MaxProvisionRetries = RequestMaxProvisionRetries,
        RetryDelay = RequestRetryDelay,
        ReservationTimeToLive = ReservationTimeToLive,
        RankingDepth = RequestRankingDepth,
        CompletedRequestMemory = CompletedRequestMemory,
        DefaultPolicy = ToScoringPolicy(),
    };

    /// <summary>
    /// Gets the regions, and each one's total capacity, that the embedded in-memory capacity ledger and the embedded
    /// in-memory regions serve: the ledger's regions unless the host plugs in a ledger of its own, and the provisioner's
    /// unless it plugs in a provisioner of its own. So a host that brings its own provisioner but keeps the in-memory
    /// ledger lists every region it provisions in here, or requests there answer <c>NoCapacity</c> (the region is
    /// unknown to the ledger); a PostgreSQL ledger has its own regions (see its <c>SetRegionCapacityAsync</c>). Each name is not empty; each
    /// capacity is finite and above zero in every dimension and at most
    /// <see cref="Shaping.Core.Capacity.CapacityLimits.MaxAmount"/> (9 × 10⁹) in every dimension, the limit every capacity
    /// ledger accepts.
    /// </summary>
    /// <remarks>
    /// The default region stands until the first region is written: writing any entry (the indexer or <c>Add</c>, in
    /// code, or regions given in configuration and bound with <c>services.Configure&lt;ShapingOptions&gt;(section)</c>)
    /// replaces it, so the regions you name are the only ones, not added beside <c>local</c>. Write <c>local</c> too to
    /// keep it. <c>Remove</c> or <c>Clear</c> first works on the default entry, and later writes add. In configuration
    /// give each region in full, <c>local</c> included (a dimension left out binds as 0, which fails validation at
    /// start): <c>"InMemoryRegions": { "eu-west": { "CpuCores": 512, "MemoryGiB": 2048,
    /// "StorageGiB": 20000, "NetworkGbps": 200 } }</c>. To keep the defaults and add a region in code, write the
    /// entries of <see cref="DefaultInMemoryRegions"/> and yours.
    /// </remarks>
    /// <value>
    /// The default is <see cref="DefaultInMemoryRegions"/>: one region, <c>local</c>, of 256 cores, 1,024 GiB of memory,
    /// 10,000 GiB of storage and 100 Gbps.
    /// </value>
    public IDictionary<string, ResourceVector> InMemoryRegions { get; } =
        new ReplaceableDefaultsDictionary<string, ResourceVector>(DefaultInMemoryRegions, StringComparer.Ordinal);

    /// <summary>
    /// Gets the regions <see cref="InMemoryRegions"/> holds until a region is written: one, <c>local</c>, of 256 cores,
    /// 1,024 GiB of memory, 10,000 GiB of storage and 100 Gbps, enough for a host to run and serve requests with no
    /// infrastructure and no settings.
    /// </summary>
    /// <value>A read-only dictionary, ordinal by name.</value>
    public static IReadOnlyDictionary<string, ResourceVector> DefaultInMemoryRegions { get; } =
        new Dictionary<string, ResourceVector>(StringComparer.Ordinal) { ["local"] = new ResourceVector(256, 1024, 10_000, 100) }.AsReadOnly();

    /// <summary>
    /// Gets the synthetic load of each region, from which the embedded default <see cref="IUtilizationSource"/> (a
    /// <see cref="SyntheticUtilizationSource"/> over the replica inventory) derives what each replica uses, when the
    /// host plugs in no utilisation source of its own; ignored otherwise. Regions not listed follow
    /// <see cref="SyntheticLoadModel.Default"/>.
    /// </summary>
    /// <remarks>
    /// The synthetic source lets the adjustment loop run in a host with no monitoring system (demos, tests, local
    /// runs). A production host replaces it with <c>UseUtilizationSource&lt;T&gt;()</c> reading real measurements.
    /// </remarks>
    /// <value>The default is empty: every region follows <see cref="SyntheticLoadModel.Default"/>.</value>
    public IDictionary<string, SyntheticLoadModel> SyntheticLoads { get; } = new Dictionary<string, SyntheticLoadModel>(StringComparer.Ordinal);

    /// <summary>Gets the scaler's settings.</summary>
    public ScalerOptions Scaler { get; } = new();

    /// <summary>Creates the selector's scoring policy these settings describe.</summary>
    /// <returns>The policy.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (the options validator reports it at start first).</exception>
    public ScoringPolicy ToScoringPolicy() => new(Tradeoff, Headroom, PeakConfidence, PlanningWindow);

    /// <summary>Creates the adjustment loop's options these settings describe.</summary>
    /// <returns>The options.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (the options validator reports it at start first).</exception>
    public ShapeAdjustmentOptions ToAdjustmentOptions() =>
        new(AdjustmentInterval, ReservationTimeToLive, ProactiveLeadTime, ForecastConfidence, AdjustmentRetryBackoff, AdjustmentMaxRetryBackoff, AdjustmentMaxResizeRetries);
}
