using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text;
using Shaping.Core.Capacity;
using Shaping.Core.Prediction;
using Shaping.Core.Provisioning;
using Shaping.Core.Selection;
using Shaping.Core.Shapes;
using Shaping.Core.Telemetry;

namespace Shaping.Core.ControlPlane;

/// <summary>
/// Serves replica requests: predicts the region's load, ranks the shapes, reserves capacity, provisions, commits,
/// and falls back to the next-ranked shape and then to failover regions (the seven steps of the design).
/// </summary>
/// <remarks>
/// <para>
/// <b>Steps.</b> For each region in turn (the requested one, then <see cref="ReplicaRequest.FailoverRegions"/>):
/// (2) look up the region's <see cref="LoadProfile"/> for the request's expected duration and scale it by
/// 1 / replicas, because the region's predicted load is spread evenly over the replicas and the selector sizes
/// one replica; (3) rank the catalog with <see cref="ShapeSelector"/> into a fixed-size buffer on the stack frame
/// (no allocation); then for each ranked shape, best first: (4) reserve shape × replicas atomically; (5) provision
/// under the key <c>{request key}/{region}/{shape}@{revision}</c> (with '/' and '%' in the region and shape names
/// written <c>%2F</c> and <c>%25</c>, so the keys of different requests never coincide; or a later generation of it,
/// below), retrying
/// transient failures with the same key;
/// (6) commit the reservation and record the replicas in the <see cref="ReplicaInventory"/> under the request's
/// idempotency key (<see cref="ReplicaRecord.RequestKey"/>), or release it and try the next shape. A region the ledger
/// does not know, or whose provisioner answers <see cref="ProvisionStatus.RegionUnavailable"/>, is left at once for
/// the next region. At most <see cref="ReplicaRequestHandlerOptions.MaxAttempts"/> (region, shape) attempts are made.
/// </para>
/// <para>
/// <b>No leak, no double provisioning.</b> Every reservation the handler takes ends committed (with the replicas
/// in the inventory) or released, on every path including cancellation, except while an outcome is unknown (below).
/// Each (request, region, shape) has one provisioning key, and the handler moves to another key only when the
/// previous one's answer said nothing was created.
/// </para>
/// <para>
/// <b>Unknown outcomes.</b> When an answer is ambiguous (a transient failure may hide an effect whose answer was
/// lost) and the retries run out, or a cancelled call can't be settled, replicas may exist under the key (so too when
/// a port throws, below). The handler
/// then stops with <see cref="ReplicaResult.IsOutcomeUnknown"/> (<see cref="ReplicaOutcome.ProvisioningFailed"/>, or
/// <see cref="ReplicaOutcome.Cancelled"/>) instead of trying another shape or region, and it does not release the
/// reservation: the replicas' capacity stays held, so no other request can take it, until the reservation expires
/// after <see cref="ReplicaRequestHandlerOptions.ReservationTimeToLive"/>. It also remembers the attempt (region,
/// shape, provisioning key and reservation) under the request's idempotency key until a resubmission settles it.
/// </para>
/// <para>
/// <b>Ledger outages.</b> A ledger answer of <see cref="ReservationStatus.Unavailable"/> is an unknown outcome, not a
/// refusal: the handler replays the call by the same reservation id (at most
/// <see cref="ReplicaRequestHandlerOptions.MaxProvisionRetries"/> times). A reserve still unanswered is released
/// (in case it took effect) and counts as no capacity; a commit still unanswered is replaced by a new reservation,
/// after which the first is released, so the replicas are never counted twice.
/// </para>
/// <para>
/// <b>Cancellation.</b> Before a provisioning call is made, cancellation releases the reservation and returns
/// <see cref="ReplicaOutcome.Cancelled"/>. Once a provisioning call is in flight, replicas may exist, so the handler
/// rolls back without the caller's token: it settles the key (replays it, which never provisions twice), releases
/// the replicas and the reservation, and returns <see cref="ReplicaOutcome.Cancelled"/>. If some replicas can't be
/// released, it keeps them and returns <see cref="ReplicaOutcome.Provisioned"/> with those replicas and a message,
/// so they are accounted for rather than orphaned: under a reservation of their own size when the region has room
/// for it beside the original one (which is released only after that one is committed, so no concurrent request
/// can take their capacity in between), or else under the original reservation, committed, which then
/// over-reserves by the replicas that were released. Rollback calls are bounded by the retry budget. Replicas the
/// <see cref="ReplicaInventory"/> already tracks are never released this way, nor for want of capacity at commit: the
/// region answered a resubmission of a completed request (one the handler no longer remembers, whose replicas the
/// inventory tracks without their request key, so it did not find them by it first; see below) with that request's
/// replicas, which its own reservation accounts for. When it tracks all of them, the result is that request's
/// replicas; when it tracks only some (the host stopped tracking the others), only the untracked ones are released,
/// the tracked ones run on under their reservation, and the result is the cancellation (or the lack of capacity).
/// Either way the tracked ones are given the request's key when they lack it, so a later resubmission of that request
/// is answered with them from the inventory (<see cref="ReplicaOutcome.Provisioned"/>, the replicas that run), even
/// when this answer was <see cref="ReplicaOutcome.NoCapacity"/>.
/// </para>
/// <para>
/// <b>Exceptions.</b> Expected failures of the ports are results. An exception other than the caller's cancellation
/// from a port (a bug in an adapter, or a time-out of its own) propagates to the caller. Once a provisioning call was
/// made, replicas may exist, so the handler first remembers the request as unsettled, as for an unknown outcome: the
/// provisioning key (the one in flight, or whose replicas the commit, the inventory or a rollback was handling) and
/// the reservation are kept, <see cref="GetUnsettledRequests"/> lists the request, and a resubmission or
/// <see cref="ReconcileAsync"/> replays the key and accounts for what runs under it. This holds for an exception from
/// the provisioning call itself, as <see cref="ShapeAdjustmentLoop"/> does for a resize, since the call may have
/// reached the region before it threw. An exception before any provisioning call, or after an answer that settled the
/// key with nothing under it, leaves nothing unsettled; a reservation held then is not committed and expires after
/// <see cref="ReplicaRequestHandlerOptions.ReservationTimeToLive"/>. Either way the request is counted with the outcomes
/// (as <see cref="Telemetry.ShapingTelemetry.ExceptionOutcome"/>, with the exception's type) and its activity ends in error.
/// </para>
/// <para>
/// <b>Resubmissions.</b> Requests that share an idempotency key run one at a time, and a provisioned request is
/// remembered (the last <see cref="ReplicaRequestHandlerOptions.CompletedRequestMemory"/> keys): resubmitting it
/// returns the first result with <see cref="ReplicaResult.Attempts"/> 0, without reserving or provisioning again,
/// even if the forecast has changed and another shape would now rank first. That memory is the process's, and bounded;
/// what outlives it is the <see cref="ReplicaInventory"/>, which a host persists and restores across restarts (see
/// <see cref="ReplicaInventory.Restore"/>). So before serving a request it does not remember (and that is not
/// unsettled, below), the handler looks its key up there (<see cref="ReplicaInventory.TryGetRequestReplicas"/>; a
/// miss allocates nothing): when replicas of the request are tracked, it answers them as the replay of a completed
/// request, with <see cref="ReplicaResult.Attempts"/> 0 and without ranking, reserving or provisioning, as they are
/// now (the shape and reservation of the first, should they have moved apart since; no score, coverage or profile,
/// which the inventory does not keep). Fewer than the request asks for are answered as they are (the others were
/// released since, or were never kept); replicas tracked in a region that is neither the request's nor one of its
/// failover regions, or more than it asks for, mean the key was used for another request, and that throws. A request
/// none of whose replicas is tracked any more (the host released them all) is served afresh. So are replicas
/// recorded without their request key (restored from records persisted before they carried it): when the
/// resubmission reaches the same provisioning key (the same shape ranks first), the region answers the first
/// replicas, which the inventory then keeps the handler from counting twice, and they are given the request's key
/// there (which changes <see cref="ReplicaInventory.Version"/>, so a host persists it): from then on a resubmission is
/// answered from the inventory, whatever ranks first. Resubmitting a request whose outcome
/// was unknown first replays exactly the remembered provisioning key in the remembered region, on the reservation
/// kept for it, before ranking or reserving anything else: if replicas exist it commits that reservation (or, if it
/// expired, a new one) and returns them; if the replay is rejected, or the replicas had to be released for want of
/// capacity, the request is served afresh without that key; if the outcome is still unknown it says so again. So
/// losing answers never provisions a request twice, whatever the capacity or the forecast did meanwhile. Reusing a
/// key for a request with another region or replica count is a caller bug and throws while the handler remembers the
/// key; once only the inventory knows it, a request asking for more replicas than are tracked, or whose failover
/// regions include the tracked one, cannot be told from the same request with replicas released since, and is
/// answered with the tracked replicas (an answer the handler does not remember). Other failed requests are
/// not remembered, so resubmitting one runs it again. Unknown attempts are remembered until settled, one per key,
/// without a bound: a host that never resubmits them keeps them for the handler's lifetime.
/// </para>
/// <para>
/// <b>Released replicas.</b> A region answers a key with its first replicas, released or not. So a provisioning key
/// all of whose replicas were released (by this handler: a rollback, or capacity gone at commit) is never sent again:
/// the request's next attempt with that shape in that region uses the key's next generation (<c>~2</c>, <c>~3</c>, …);
/// when only some of a key's replicas were released (the others are kept and accounted for), a replay of that key
/// counts only the ones that still run. The handler remembers such keys in memory (the last max(1,024,
/// <see cref="ReplicaRequestHandlerOptions.CompletedRequestMemory"/>)), which a restart loses; it also drops every
/// replica the region's answer lists in <see cref="ProvisionResult.ReleasedReplicaIds"/>, and that is what keeps a
/// resubmission after a restart off released replicas. An answer that lists every replica as released spends the key
/// as above: the attempt provisions the same shape under the next generation, on the same reservation, walking past
/// at most 32 spent generations before it gives the shape up. An adapter that does not list released replicas is
/// served correctly only within the process that released them (see <see cref="IProvisioner"/>).
/// </para>
/// <para>
/// <b>Reconciliation.</b> A caller that got <see cref="ReplicaResult.IsOutcomeUnknown"/> should resubmit, but may have
/// gone away. <see cref="GetUnsettledRequests"/> lists the requests still unsettled (and
/// <see cref="UnsettledRequestCount"/> counts them, for a health check or a gauge), so a host can run a
/// reconciliation job that passes each key to <see cref="ReconcileAsync"/> until it settles: that replays only the
/// remembered provisioning key, and only if the key is still unsettled in its turn, so it never provisions a request
/// its caller settled meanwhile. Reconciling within
/// <see cref="ReplicaRequestHandlerOptions.ReservationTimeToLive"/> keeps other requests off the capacity the
/// replicas may use.
/// </para>
/// <para><b>Thread safety:</b> one handler serves any number of concurrent requests.</para>
/// </remarks>
public sealed class ReplicaRequestHandler
{
    /// <summary>The largest <see cref="ReplicaRequestHandlerOptions.RankingDepth"/>: the size of the on-stack ranking buffer.</summary>
    public const int MaxRankingDepth = 16;

    private const int ScaledProfileSlots = 16;
    private const int MinBurntKeyMemory = 1024;

    // How many spent generations of a key one attempt walks past (each the region answered with replicas that no longer
    // run) before it gives the shape up: a bound for an adapter that answers every key so.
    private const int MaxSpentGenerations = 32;

    private readonly ShapeLibrary _library;
    private readonly ILoadPredictor _predictor;
    private readonly ICapacityLedger _ledger;
    private readonly IProvisioner _provisioner;
    private readonly ReplicaInventory _inventory;
    private readonly ShapeSelector _selector;
    private readonly ShapingTelemetry _telemetry;
    private readonly TimeProvider _timeProvider;
    private readonly int _maxAttempts;
    private readonly int _maxProvisionRetries;
    private readonly TimeSpan _retryDelay;
    private readonly TimeSpan _reservationTimeToLive;
    private readonly int _rankingDepth;
    private readonly ScoringPolicy _defaultPolicy;
    private readonly ScaledProfile?[] _scaledProfiles = new ScaledProfile?[ScaledProfileSlots];
    private readonly string _instanceId = Guid.NewGuid().ToString("N");
    private readonly int _completedMemory;
    private readonly ConcurrentDictionary<string, CompletedRequest> _completed = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _completedOrder = new();
    private int _completedCount; // entries in _completed; ConcurrentDictionary.Count takes every bucket lock

    // Provisioning keys all of whose replicas this handler released (a rollback, or capacity gone at commit). By the
    // port's contract a key answers its first replicas forever, released or not, so a burnt key is never sent again: the
    // request's next attempt with that shape gets a new generation of the key. Kept per base key (without its
    // generation suffix), the highest generation burnt, so that a request's keys are forgotten together, from its last
    // burn.
    private readonly RecentKeyMemory<int> _burntKeys;

    // Per provisioning key that still names kept replicas, the ones this handler released under it: a replay of the key
    // answers them too, and they do not run.
    private readonly RecentKeyMemory<string[]> _releasedUnderKey;
    private readonly ConcurrentDictionary<string, Task> _inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, UnsettledAttempt> _unsettled = new(StringComparer.Ordinal); // by request key
    private long _reservationSequence;

    /// <summary>Creates a handler.</summary>
    /// <param name="library">The shapes; its current catalog is read per request.</param>
    /// <param name="predictor">The load predictor.</param>
    /// <param name="ledger">The capacity ledger.</param>
    /// <param name="provisioner">The regions' control planes (see <see cref="RegionalProvisioner"/> for several regions).</param>
    /// <param name="inventory">Where provisioned replicas are recorded.</param>
    /// <param name="options">The settings; <see langword="null"/> for the defaults.</param>
    /// <param name="selector">The shape selector; <see langword="null"/> for a new one.</param>
    /// <param name="telemetry">Where to record metrics; <see langword="null"/> for <see cref="ShapingTelemetry.Shared"/>.</param>
    /// <param name="timeProvider">The clock for retry delays and timings; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentNullException">A required argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting in <paramref name="options"/> is out of range; the message names it.</exception>
    public ReplicaRequestHandler(
        ShapeLibrary library,
        ILoadPredictor predictor,
        ICapacityLedger ledger,
        IProvisioner provisioner,
        ReplicaInventory inventory,
        ReplicaRequestHandlerOptions? options = null,
        ShapeSelector? selector = null,
        ShapingTelemetry? telemetry = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(library);
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(provisioner);
        ArgumentNullException.ThrowIfNull(inventory);
        options ??= new ReplicaRequestHandlerOptions();
        if (!options.TryValidate(out var problem))
        {
            throw new ArgumentOutOfRangeException(nameof(options), problem);
        }

        _library = library;
        _predictor = predictor;
        _ledger = ledger;
        _provisioner = provisioner;
        _inventory = inventory;
        _selector = selector ?? new ShapeSelector();
        _telemetry = telemetry ?? ShapingTelemetry.Shared;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _maxAttempts = options.MaxAttempts;
        _maxProvisionRetries = options.MaxProvisionRetries;
        _retryDelay = options.RetryDelay;
        _reservationTimeToLive = options.ReservationTimeToLive;
        _rankingDepth = options.RankingDepth;
        _defaultPolicy = options.DefaultPolicy;
        _completedMemory = options.CompletedRequestMemory;
        var keyMemory = Math.Max(MinBurntKeyMemory, options.CompletedRequestMemory);
        _burntKeys = new RecentKeyMemory<int>(keyMemory);
        _releasedUnderKey = new RecentKeyMemory<string[]>(keyMemory);
    }

    /// <summary>
    /// Gets how many requests ended with an unknown outcome (<see cref="ReplicaResult.IsOutcomeUnknown"/>, or a port's
    /// exception after a provisioning call) and are not settled yet: the requests <see cref="GetUnsettledRequests"/>
    /// lists. Zero in a healthy steady state.
    /// </summary>
    /// <remarks>
    /// A moment's count, for health checks and metrics; reading it briefly locks the handler's record of unsettled
    /// requests, so poll it rather than read it per request.
    /// </remarks>
    public int UnsettledRequestCount => _unsettled.Count;

    /// <summary>
    /// Gets the requests whose outcome is unknown and not settled yet, as submitted: replicas may exist for them, and
    /// their reservations are held until they expire. Resubmitting a request, or <see cref="ReconcileAsync"/>, settles it.
    /// A request whose port threw after a provisioning call is listed too (see the remarks on the class).
    /// </summary>
    /// <remarks>
    /// A host whose callers may not resubmit runs a reconciliation job over this list that passes each request's key to
    /// <see cref="ReconcileAsync"/>, not the request to <see cref="HandleAsync"/>: the snapshot may be stale by then
    /// (the caller may have settled it, with a failure or a cancellation, and its result may have left the completed
    /// requests' memory), and only <see cref="ReconcileAsync"/> checks, in the key's turn, that it is still unsettled.
    /// A request leaves the list once it is settled; it stays when the outcome is still unknown. After a rejected replay
    /// is followed by another unknown outcome, the request listed is that later resubmission.
    /// </remarks>
    /// <returns>A snapshot, one request per idempotency key, in no particular order; empty when none is unsettled.</returns>
    public IReadOnlyList<ReplicaRequest> GetUnsettledRequests() => [.. _unsettled.Values.Select(attempt => attempt.Request)];

    /// <summary>
    /// Settles one request whose outcome was unknown, for a host whose callers may not come back: replays the
    /// remembered provisioning key in the remembered region, on the reservation kept for it, and does nothing else.
    /// </summary>
    /// <remarks>
    /// <para>
    /// It runs in the key's turn, as a resubmission does, and checks there that the key is still unsettled: a request
    /// its own caller settled meanwhile, or one that never was unsettled, returns <see langword="null"/> with nothing
    /// reserved or provisioned. So a reconciliation job over <see cref="GetUnsettledRequests"/> may race the callers
    /// without provisioning anything twice, or anything a caller was told failed or was cancelled.
    /// </para>
    /// <para>
    /// Replicas found under the key are committed and remembered as the request's result, so the caller's resubmission
    /// gets them (with <see cref="ReplicaResult.Attempts"/> 0). When the replay finds none (it is rejected, or they had
    /// to be released for want of capacity), the request is settled as not provisioned: unlike a resubmission, it is
    /// not served afresh (nobody is waiting for it), and a later resubmission by its caller is served as a new request.
    /// When the outcome is still unknown, the request stays unsettled, to be tried again later.
    /// </para>
    /// </remarks>
    /// <param name="idempotencyKey">The request's idempotency key, as <see cref="GetUnsettledRequests"/> lists it.</param>
    /// <param name="cancellationToken">Cancels waiting for the key's turn, or the replay (which keeps the request unsettled).</param>
    /// <returns>
    /// The settlement (<see cref="ReplicaResult.IsProvisioned"/>, a failure that left nothing under the key, or a result
    /// whose <see cref="ReplicaResult.IsOutcomeUnknown"/> is still set); <see langword="null"/> when the key was not
    /// unsettled when its turn came.
    /// </returns>
    /// <exception cref="ArgumentException"><paramref name="idempotencyKey"/> is null, empty or white space.</exception>
    public async ValueTask<ReplicaResult?> ReconcileAsync(string idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        if (!_unsettled.TryGetValue(idempotencyKey, out var listed))
        {
            return null;
        }

        var turn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        while (!_inFlight.TryAdd(idempotencyKey, turn.Task))
        {
            if (!await WaitForTurnAsync(idempotencyKey, cancellationToken).ConfigureAwait(false))
            {
                return ReplicaResult.Failed(
                    ReplicaOutcome.Cancelled,
                    listed.Request.Region,
                    0,
                    "Cancelled while a request with the same idempotency key was running; this call settled nothing (that request may have settled it).",
                    isOutcomeUnknown: true);
            }
        }

        try
        {
            if (!_unsettled.TryGetValue(idempotencyKey, out var unsettled))
            {
                return null;
            }

            using var activity = ShapingTelemetry.ActivitySource.StartActivity("shaping.reconcile");
            activity?.SetTag(ShapingTags.Region, unsettled.Request.Region);
            ReplicaResult result;
            try
            {
                result = await ReconcileUnsettledAsync(idempotencyKey, unsettled, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (activity is not null)
            {
                activity.AddException(ex);
                activity.SetStatus(ActivityStatusCode.Error, ex.Message);
                throw;
            }

            _telemetry.RecordReconciliation(result);
            if (activity is not null)
            {
                activity.SetTag(ShapingTags.Outcome, result.IsOutcomeUnknown ? ShapingTelemetry.StillUnknownOutcome : ShapingTelemetry.OutcomeName(result.Outcome));
                activity.SetStatus(result.IsProvisioned ? ActivityStatusCode.Ok : ActivityStatusCode.Error, result.IsProvisioned ? null : result.Message);
            }

            return result;
        }
        finally
        {
            EndTurn(idempotencyKey, turn);
        }
    }

    // ReconcileAsync's work in the key's turn, on a request found unsettled there.
    private async ValueTask<ReplicaResult> ReconcileUnsettledAsync(string idempotencyKey, UnsettledAttempt unsettled, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ReplicaResult.Failed(ReplicaOutcome.Cancelled, unsettled.Request.Region, 0, "Cancelled before the replay; nothing was settled.", isOutcomeUnknown: true);
        }

        var (settled, resumed) = await ResumeUnsettledAsync(idempotencyKey, unsettled, cancellationToken, keepOnCancel: true).ConfigureAwait(false);
        if (settled is null)
        {
            return ReplicaResult.Failed(
                NothingLeftOutcome(resumed),
                unsettled.Request.Region,
                1,
                $"Settled an earlier attempt whose outcome was unknown: nothing was left under its provisioning key, so the request was not provisioned (resubmit it to serve it afresh). {resumed.Message}".TrimEnd());
        }

        if (settled.IsProvisioned)
        {
            Remember(idempotencyKey, new CompletedRequest(unsettled.Request.Region, unsettled.Request.Replicas, settled));
        }

        return settled;
    }

    /// <summary>Serves one request.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">The caller's cancellation; see the remarks on the class for what it undoes.</param>
    /// <returns>The typed result; expected failures are results, not exceptions.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// A region or the idempotency key is null, empty or white space, or replicas are below 1; the message names the
    /// member of <paramref name="request"/>.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">The expected duration is not positive or the trade-off is outside [0, 1].</exception>
    /// <exception cref="ArgumentException">
    /// The idempotency key belongs to a remembered request with another region or replica count, or names replicas the
    /// <see cref="ReplicaInventory"/> tracks in a region that is neither the request's nor one of its failover regions,
    /// or more replicas than the request asks for.
    /// </exception>
    public async ValueTask<ReplicaResult> HandleAsync(ReplicaRequest request, CancellationToken cancellationToken = default)
    {
        Validate(request);
        _telemetry.RecordRequest(request.Region);
        using var activity = ShapingTelemetry.ActivitySource.StartActivity("shaping.request");
        if (activity is not null)
        {
            activity.SetTag(ShapingTags.Region, request.Region);
            activity.SetTag(ShapingTags.Replicas, request.Replicas);
        }

        ReplicaResult result;
        try
        {
            result = await HandleOnceAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // A port threw (an adapter bug) or cancellation surfaced as an exception: the request still ended, so it is
            // counted with the outcomes and its activity says how, before the exception reaches the caller.
            _telemetry.RecordException(request.Region, ex);
            if (activity is not null)
            {
                activity.SetTag(ShapingTags.Outcome, ShapingTelemetry.ExceptionOutcome);
                activity.AddException(ex);
                activity.SetStatus(ActivityStatusCode.Error, ex.Message);
            }

            throw;
        }

        _telemetry.RecordOutcome(result.Region, result.Outcome);
        if (activity is not null)
        {
            activity.SetTag(ShapingTags.Outcome, ShapingTelemetry.OutcomeName(result.Outcome));
            activity.SetTag(ShapingTags.Attempts, result.Attempts);
            if (result.IsProvisioned)
            {
                activity.SetTag(ShapingTags.Shape, result.Shape!.Name); // set whenever provisioned
                activity.SetStatus(ActivityStatusCode.Ok);
            }
            else
            {
                activity.SetStatus(ActivityStatusCode.Error, result.Message);
            }
        }

        return result;
    }

    private static void Validate(ReplicaRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfEmpty(request.Region, "Region", nameof(request));
        ThrowIfEmpty(request.IdempotencyKey, "IdempotencyKey", nameof(request));
        if (request.Replicas < 1)
        {
            throw new ArgumentException($"ReplicaRequest.Replicas ({request.Replicas}) must be at least 1.", nameof(request));
        }

        if (request.ExpectedDuration <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.ExpectedDuration, "ReplicaRequest.ExpectedDuration must be positive.");
        }

        if (request.Tradeoff is { } tradeoff && !(tradeoff >= 0 && tradeoff <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(request), tradeoff, "ReplicaRequest.Tradeoff must be in [0, 1].");
        }

        if (request.FailoverRegions is { } failover)
        {
            foreach (var region in failover)
            {
                if (string.IsNullOrWhiteSpace(region))
                {
                    throw new ArgumentException("ReplicaRequest.FailoverRegions must not contain an empty region.", nameof(request));
                }
            }
        }
    }

    // A member of the request, not the request, is bad: say which, with the parameter name of the argument.
    private static void ThrowIfEmpty(string? value, string member, string paramName)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException(
                $"ReplicaRequest.{member} must not be empty; got {(value is null ? "null" : $"'{value}'")}.", paramName);
        }
    }

    // One request per key at a time; a provisioned key answers resubmissions from memory.
    private async ValueTask<ReplicaResult> HandleOnceAsync(ReplicaRequest request, CancellationToken cancellationToken)
    {
        var key = request.IdempotencyKey;
        TaskCompletionSource? turn = null;
        while (true)
        {
            if (_completed.TryGetValue(key, out var prior))
            {
                return Replay(request, prior);
            }

            turn ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_inFlight.TryAdd(key, turn.Task))
            {
                // The request that held the key may have been remembered and left its turn between the check above and
                // this one taking the turn: look again, or it would be served twice.
                if (_completed.TryGetValue(key, out var justCompleted))
                {
                    EndTurn(key, turn);
                    return Replay(request, justCompleted);
                }

                break;
            }

            if (!await WaitForTurnAsync(key, cancellationToken).ConfigureAwait(false))
            {
                return ReplicaResult.Failed(
                    ReplicaOutcome.Cancelled, request.Region, 0, "Cancelled by the caller while a request with the same idempotency key was running.");
            }
        }

        try
        {
            var result = await HandleCoreAsync(request, cancellationToken).ConfigureAwait(false);
            if (result.IsProvisioned && result.Attempts > 0)
            {
                // An answer from the inventory (no attempt) is not remembered: the request it describes is the one the
                // replicas were provisioned for, whose region and count this request need not repeat exactly (see
                // AnswerTracked), and the inventory answers the next resubmission as cheaply.
                Remember(key, new CompletedRequest(request.Region, request.Replicas, result));
            }

            return result;
        }
        finally
        {
            EndTurn(key, turn);
        }
    }

    // Waits until the request holding the key's turn (if any still does) ends; false when the caller cancelled first.
    private async ValueTask<bool> WaitForTurnAsync(string key, CancellationToken cancellationToken)
    {
        if (!_inFlight.TryGetValue(key, out var running))
        {
            return true;
        }

        try
        {
            await running.WaitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private void EndTurn(string key, TaskCompletionSource turn)
    {
        _inFlight.TryRemove(key, out _);
        turn.TrySetResult();
    }

    // Replays an unsettled attempt's provisioning key, on the reservation kept for it (in the key's turn). Returns the
    // result when that settles the request or leaves it unknown, and null with the replay's answer when it settled with
    // nothing left under the key (the replay was rejected, or its replicas were released for want of capacity).
    private async ValueTask<(ReplicaResult? Result, Attempt Resumed)> ResumeUnsettledAsync(
        string key, UnsettledAttempt unsettled, CancellationToken cancellationToken, bool keepOnCancel = false)
    {
        const int Attempts = 1;
        var region = unsettled.Request.Region;
        var resumed = await ProvisionReservedAsync(key, unsettled.Provision, unsettled.Reservation, resuming: true, cancellationToken, keepOnCancel).ConfigureAwait(false);
        switch (resumed.Kind)
        {
            case AttemptKind.Provisioned:
                _unsettled.TryRemove(key, out _);
                return (ReplicaResult.Provisioned(
                    unsettled.Provision.Region, unsettled.Provision.Shape, resumed.ReplicaIds!, unsettled.Score, unsettled.PeakCoverage, // ids set when provisioned
                    unsettled.Profile, resumed.Reservation, Attempts,
                    $"Settled an earlier attempt whose outcome was unknown by replaying its provisioning key. {resumed.Message}".TrimEnd()), resumed);
            case AttemptKind.OutcomeUnknown or AttemptKind.Cancelled when resumed.Unsettled is not null:
                _unsettled[key] = unsettled with { Reservation = resumed.Reservation };
                return (ReplicaResult.Failed(
                    resumed.Kind == AttemptKind.Cancelled ? ReplicaOutcome.Cancelled : ReplicaOutcome.ProvisioningFailed,
                    region,
                    Attempts,
                    resumed.Message,
                    isOutcomeUnknown: true), resumed);
            case AttemptKind.Threw:
                _unsettled[key] = unsettled with { Reservation = resumed.Reservation }; // still unsettled: the replay threw
                throw Rethrow(resumed);
            case AttemptKind.Cancelled:
                _unsettled.TryRemove(key, out _);
                return (ReplicaResult.Failed(ReplicaOutcome.Cancelled, region, Attempts, resumed.Message), resumed);
            default:
                _unsettled.TryRemove(key, out _);
                return (null, resumed);
        }
    }

    // The provisioning key as it goes into a reservation id: itself (readable in the ledger) while short, and its SHA-256
    // when longer than a ledger stores (the PostgreSQL ledger takes ids of at most 1,024 UTF-8 bytes, and a client's
    // idempotency key has no length limit). Reservation ids only need to be unique, which the suffix makes them.
    private static string ReservationKeyPart(string key)
    {
        const int MaxKeyChars = 256;
        if (key.Length <= MaxKeyChars)
        {
            return key;
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        return "sha256:" + Convert.ToHexStringLower(hash);
    }

    // Text from a port (an adapter's error, a predictor's note) closed as a sentence, so that what the handler appends
    // after it reads apart from it.
    private static string AsSentence(string? text, string whenEmpty)
    {
        var trimmed = string.IsNullOrWhiteSpace(text) ? whenEmpty : text.Trim();
        return trimmed[^1] is '.' or '!' or '?' ? trimmed : trimmed + ".";
    }

    private static ReplicaOutcome NothingLeftOutcome(in Attempt resumed) =>
        resumed.Kind == AttemptKind.NoCapacity ? ReplicaOutcome.NoCapacity : ReplicaOutcome.ProvisioningFailed;

    private static ReplicaResult Replay(ReplicaRequest request, CompletedRequest prior)
    {
        ThrowIfOtherRequest(request, prior.Region, prior.Replicas);
        return prior.Result.AsReplay("A resubmission of a request that already completed: its replicas were provisioned then; nothing was reserved or provisioned again.");
    }

    // The answer to a resubmission whose replicas the inventory tracks under its key: them, as they are now, as the replay
    // of a completed request. The inventory keeps neither the score nor the profile that chose the shape.
    private static ReplicaResult AnswerTracked(ReplicaRequest request, IReadOnlyList<ReplicaRecord> tracked)
    {
        var first = tracked[0]; // found: not empty
        var region = first.Region;
        var oneRegion = true;
        var oneShape = true;
        var ids = new string[tracked.Count];
        for (var i = 0; i < tracked.Count; i++)
        {
            oneRegion &= string.Equals(tracked[i].Region, region, StringComparison.Ordinal);
            oneShape &= tracked[i].Shape == first.Shape && tracked[i].Reservation == first.Reservation;
            ids[i] = tracked[i].ReplicaId;
        }

        // A request provisions in one of its regions, at most the replicas it asks for; anything else means the key was
        // used for another request, the caller bug ThrowIfOtherRequest reports. Fewer is the same request: some of its
        // replicas were released since, or it was provisioned with fewer (the others could not be kept).
        if (!oneRegion || !IsOneOfTheRegions(request, region) || tracked.Count > request.Replicas)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture,
                    $"The idempotency key '{request.IdempotencyKey}' names {tracked.Count} replica(s) the inventory tracks in '{(oneRegion ? region : "several regions")}', which a request for {request.Replicas} in '{request.Region}'{(request.FailoverRegions is { Count: > 0 } ? " or its failover regions" : string.Empty)} cannot have provisioned; use a new key for a new request."),
                nameof(request));
        }

        var message = "A resubmission of a request that already completed, which this handler no longer remembered (as after a restart): the inventory tracks its replicas; nothing was reserved or provisioned again.";
        if (tracked.Count < request.Replicas)
        {
            message += string.Create(
                CultureInfo.InvariantCulture,
                $" {tracked.Count} of the {request.Replicas} replica(s) requested are tracked; the others were released, or never kept.");
        }

        if (!oneShape)
        {
            message += " The replicas have moved to other shapes or reservations since; Shape and Reservation are the first replica's.";
        }

        return ReplicaResult.Replayed(region, first.Shape, ids, first.Reservation, message);
    }

    private static bool IsOneOfTheRegions(ReplicaRequest request, string region)
    {
        if (string.Equals(region, request.Region, StringComparison.Ordinal))
        {
            return true;
        }

        if (request.FailoverRegions is { } failover)
        {
            foreach (var other in failover)
            {
                if (string.Equals(region, other, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static void ThrowIfOtherRequest(ReplicaRequest request, string region, int replicas)
    {
        if (!string.Equals(region, request.Region, StringComparison.Ordinal) || replicas != request.Replicas)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture,
                    $"The idempotency key '{request.IdempotencyKey}' was used for {replicas} replica(s) in '{region}', not {request.Replicas} in '{request.Region}'; use a new key for a new request."),
                nameof(request));
        }
    }

    private void Remember(string key, CompletedRequest completed)
    {
        if (_completedMemory == 0 || !_completed.TryAdd(key, completed))
        {
            return;
        }

        // Keys leave the dictionary only here, oldest first, so the queue and the dictionary hold the same keys. The
        // count is kept by hand: ConcurrentDictionary.Count takes every bucket lock, and with thousands of keys
        // remembered that cost about 30 µs per provisioned request.
        _completedOrder.Enqueue(key);
        var count = Interlocked.Increment(ref _completedCount);
        while (count > _completedMemory && _completedOrder.TryDequeue(out var oldest))
        {
            count = _completed.TryRemove(oldest, out _) ? Interlocked.Decrement(ref _completedCount) : Volatile.Read(ref _completedCount);
        }
    }

    private async ValueTask<ReplicaResult> HandleCoreAsync(ReplicaRequest request, CancellationToken cancellationToken)
    {
        var failure = new FailureTracker(request.Region);
        var attempts = 0;
        string? settledKey = null;
        if (_unsettled.TryGetValue(request.IdempotencyKey, out var unsettled))
        {
            ThrowIfOtherRequest(request, unsettled.Request.Region, unsettled.Request.Replicas);
            if (cancellationToken.IsCancellationRequested)
            {
                return ReplicaResult.Failed(
                    ReplicaOutcome.Cancelled,
                    request.Region,
                    0,
                    "Cancelled by the caller before an earlier attempt whose outcome is unknown could be settled; resubmit with the same idempotency key.",
                    isOutcomeUnknown: true);
            }

            // Replicas may exist under the earlier attempt's provisioning key: replay exactly that key in that region,
            // on the reservation kept for it, before ranking or reserving anything else.
            attempts = 1;
            var (settled, resumed) = await ResumeUnsettledAsync(request.IdempotencyKey, unsettled, cancellationToken).ConfigureAwait(false);
            if (settled is not null)
            {
                return settled;
            }

            // Settled with nothing left under the key (rejected, or created and released for want of capacity): serve
            // the request afresh, without that key, whose replicas the region may still answer.
            failure.Note(NothingLeftOutcome(resumed), resumed.Message);
            settledKey = unsettled.Provision.IdempotencyKey;
        }
        else if (_inventory.TryGetRequestReplicas(request.IdempotencyKey, out var tracked))
        {
            // A request that completed, which this handler does not remember (it restarted, or the request left
            // CompletedRequestMemory): its replicas run and are accounted for. Serving it afresh could provision others
            // under another shape, or find no room for a second reservation. A miss allocates nothing.
            return AnswerTracked(request, tracked);
        }

        var policy = new ScoringPolicy(
            request.Tradeoff ?? _defaultPolicy.Tradeoff, _defaultPolicy.Headroom, _defaultPolicy.PeakConfidence, request.ExpectedDuration);
        var regionCount = 1 + (request.FailoverRegions?.Count ?? 0);
        for (var regionIndex = 0; regionIndex < regionCount && attempts < _maxAttempts; regionIndex++)
        {
            var region = regionIndex == 0 ? request.Region : request.FailoverRegions![regionIndex - 1]; // count > 1 implies non-null
            if (cancellationToken.IsCancellationRequested)
            {
                return ReplicaResult.Failed(ReplicaOutcome.Cancelled, request.Region, attempts, "Cancelled by the caller.");
            }

            if (!_predictor.TryGetProfile(region, request.ExpectedDuration, out var regionProfile))
            {
                failure.Note(
                    ReplicaOutcome.NoPrediction,
                    $"No load profile for region '{region}': no demand observed there yet (or the name is not one of your regions); feed ILoadPredictor.Observe with the region's history, or use a utilisation source that reports the region's running replicas.");
                continue;
            }

            var profile = PerReplica(regionProfile, request.Replicas);
            var catalog = _library.Current;
            if (catalog.IsEmpty)
            {
                failure.Note(ReplicaOutcome.NoFeasibleShape, "The shape catalog is empty.");
                continue;
            }

            var ranking = default(RankingBuffer);
            var selection = Rank(catalog, profile, policy, region, ref ranking);
            if (!selection.IsSuccess)
            {
                failure.Note(ReplicaOutcome.NoFeasibleShape, $"No shape covers the predicted per-replica peak in region '{region}'.");
                continue;
            }

            for (var r = 0; r < selection.Count && attempts < _maxAttempts; r++)
            {
                var scored = ranking[r];
                var shape = catalog[scored.Index];
                var key = ProvisioningKey(request.IdempotencyKey, region, shape);
                if (settledKey is not null && string.Equals(key, settledKey, StringComparison.Ordinal))
                {
                    continue;
                }

                attempts++;
                var attempt = await TryShapeAsync(request, region, shape, key, cancellationToken).ConfigureAwait(false);
                switch (attempt.Kind)
                {
                    case AttemptKind.Provisioned:
                        return ReplicaResult.Provisioned(
                            region, shape, attempt.ReplicaIds!, scored, ShapeSelector.PeakCoverage(shape, profile, policy), // ids set when provisioned
                            profile, attempt.Reservation, attempts,
                            profile.IsFallback ? $"Shape chosen on a fallback profile: {AsSentence(profile.Note, "no reason given")} {attempt.Message}".TrimEnd() : attempt.Message);
                    case AttemptKind.Cancelled:
                        KeepUnsettled(request, attempt, scored, ShapeSelector.PeakCoverage(shape, profile, policy), profile);
                        return ReplicaResult.Failed(ReplicaOutcome.Cancelled, request.Region, attempts, attempt.Message, attempt.IsOutcomeUnknown);
                    case AttemptKind.OutcomeUnknown:
                        KeepUnsettled(request, attempt, scored, ShapeSelector.PeakCoverage(shape, profile, policy), profile);
                        return ReplicaResult.Failed(ReplicaOutcome.ProvisioningFailed, request.Region, attempts, attempt.Message, isOutcomeUnknown: true);
                    case AttemptKind.Threw:
                        // Remembered first, so a resubmission or ReconcileAsync replays the key; then the caller sees the exception.
                        KeepUnsettled(request, attempt, scored, ShapeSelector.PeakCoverage(shape, profile, policy), profile);
                        throw Rethrow(attempt);
                    case AttemptKind.NoCapacity:
                        failure.Note(ReplicaOutcome.NoCapacity, attempt.Message);
                        break;
                    case AttemptKind.Failed:
                        failure.Note(ReplicaOutcome.ProvisioningFailed, attempt.Message);
                        break;
                    default:
                        // The region as a whole can't serve (unknown to the ledger, or down): go to the next region.
                        failure.Note(attempt.Kind == AttemptKind.RegionDown ? ReplicaOutcome.ProvisioningFailed : ReplicaOutcome.NoCapacity, attempt.Message);
                        r = selection.Count;
                        break;
                }
            }
        }

        return ReplicaResult.Failed(failure.Outcome, request.Region, attempts, failure.Message);
    }

    // Remembers an attempt whose outcome is unknown (replicas may exist under its key, its reservation is kept) so
    // that a resubmission replays that key in that region first. Only the request's own turn touches its entry.
    private void KeepUnsettled(ReplicaRequest request, in Attempt attempt, ScoredShape score, double peakCoverage, LoadProfile profile)
    {
        if (attempt.Unsettled is { } provision)
        {
            _unsettled[request.IdempotencyKey] = new UnsettledAttempt(
                request, provision, attempt.Reservation, score, peakCoverage, profile);
        }
    }

    // The region's load is spread evenly over the replicas. Predictors that serve precomputed profiles return the
    // same instance until they refresh, so the scaled profile is cached per replica count (a small, lossy cache).
    private LoadProfile PerReplica(LoadProfile regionProfile, int replicas)
    {
        if (replicas == 1)
        {
            return regionProfile;
        }

        ref var slot = ref _scaledProfiles[replicas & (ScaledProfileSlots - 1)];
        var cached = Volatile.Read(ref slot);
        if (cached is not null && ReferenceEquals(cached.Source, regionProfile) && cached.Replicas == replicas)
        {
            return cached.Scaled;
        }

        var scaled = regionProfile.Scale(1.0 / replicas);
        Volatile.Write(ref slot, new ScaledProfile(regionProfile, replicas, scaled));
        return scaled;
    }

    private SelectionResult Rank(ShapeCatalog catalog, LoadProfile profile, in ScoringPolicy policy, string region, ref RankingBuffer buffer)
    {
        Span<ScoredShape> ranking = buffer;
        ranking = ranking[.._rankingDepth];
        if (!_telemetry.IsSelectionDurationEnabled)
        {
            return _selector.Select(catalog, profile, policy, ranking);
        }

        var started = _timeProvider.GetTimestamp();
        var result = _selector.Select(catalog, profile, policy, ranking);
        _telemetry.RecordSelectionDuration(region, _timeProvider.GetElapsedTime(started));
        return result;
    }

    private async ValueTask<Attempt> TryShapeAsync(ReplicaRequest request, string region, ResourceShape shape, string key, CancellationToken cancellationToken)
    {
        var reservation = await ReserveAsync(key, region, shape, request.Replicas, cancellationToken).ConfigureAwait(false);
        if (reservation.Kind != AttemptKind.Reserved)
        {
            return reservation;
        }

        var reservationId = reservation.Reservation;
        if (cancellationToken.IsCancellationRequested)
        {
            await ReleaseReservationAsync(reservationId).ConfigureAwait(false);
            return Attempt.Of(AttemptKind.Cancelled, "Cancelled by the caller before provisioning; the reservation was released.");
        }

        return await ProvisionReservedAsync(request.IdempotencyKey, new ProvisionRequest(key, region, shape, request.Replicas), reservationId, resuming: false, cancellationToken).ConfigureAwait(false);
    }

    // Provisions under the key on a held reservation, retrying transient failures with the same key, then commits.
    // When resuming an unsettled attempt, earlier answers were lost, so the outcome is ambiguous from the start. A port
    // that throws once replicas may exist under the key ends the attempt as Threw, for the caller to remember the
    // request as unsettled before it rethrows.
    [SuppressMessage(
        "Design",
        "CA1031:Do not catch general exception types",
        Justification = "Not swallowed: captured with the key and the reservation, and rethrown by the caller once it has remembered the request as unsettled.")]
    private async ValueTask<Attempt> ProvisionReservedAsync(string requestKey, ProvisionRequest provisionRequest, ReservationId reservationId, bool resuming, CancellationToken cancellationToken, bool keepOnCancel = false)
    {
        var ambiguous = resuming;
        var spentGenerations = 0;
        string? lastError = null;
        ProvisionStatus lastStatus = ProvisionStatus.TransientFailure;

        // Whether replicas may exist under the current key: from the first provisioning call on, until an answer shows
        // that none runs under it (every replica released, or a rejection that settles it).
        var mayExist = false;
        try
        {
            for (var attempt = 0; attempt <= _maxProvisionRetries; attempt++)
            {
                ProvisionResult answer;
                try
                {
                    if (attempt > 0 && _retryDelay > TimeSpan.Zero)
                    {
                        await Task.Delay(_retryDelay, _timeProvider, cancellationToken).ConfigureAwait(false);
                    }

                    mayExist = true;
                    answer = await _provisioner.ProvisionAsync(provisionRequest, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    if (keepOnCancel)
                    {
                        return Attempt.Unknown(AttemptKind.Cancelled, "Reconciliation cancelled during the replay; the request stays unsettled and its reservation is held.", provisionRequest, reservationId);
                    }

                    // A call may have been in flight: learn what exists under the key, then undo it.
                    return await RollBackAsync(requestKey, provisionRequest, reservationId, settle: true, known: null).ConfigureAwait(false);
                }

                if (answer.IsSuccess)
                {
                    // The region answers a key with its first replicas, including any released since (by this handler, or
                    // by one before a restart: the region says which).
                    var running = Running(provisionRequest.IdempotencyKey, answer);
                    if (running.Count == 0)
                    {
                        mayExist = false;
                        Burn(provisionRequest.IdempotencyKey); // nothing runs under it: never send it again
                        if (!resuming && !cancellationToken.IsCancellationRequested && spentGenerations < MaxSpentGenerations)
                        {
                            // A fresh attempt for this shape, whose key an earlier attempt spent (one this handler no
                            // longer remembers): the same shape under the key's next generation, on the same reservation,
                            // with a fresh retry budget.
                            spentGenerations++;
                            provisionRequest = provisionRequest with { IdempotencyKey = NextGeneration(provisionRequest.IdempotencyKey) };
                            ambiguous = false;
                            attempt = -1;
                            continue;
                        }

                        await ReleaseReservationAsync(reservationId).ConfigureAwait(false);
                        return cancellationToken.IsCancellationRequested && !keepOnCancel
                            ? Attempt.Of(AttemptKind.Cancelled, "Cancelled by the caller during provisioning; nothing ran under the provisioning key, and the reservation was released.")
                            : Attempt.Of(
                                AttemptKind.Failed,
                                $"Every replica under the provisioning key '{provisionRequest.IdempotencyKey}' had been released; nothing runs under it.");
                    }

                    if (cancellationToken.IsCancellationRequested && !keepOnCancel)
                    {
                        return await RollBackAsync(requestKey, provisionRequest, reservationId, settle: false, known: running).ConfigureAwait(false);
                    }

                    if (running.Count < answer.ReplicaIds.Count)
                    {
                        return await AccountForAsync(
                            requestKey,
                            provisionRequest,
                            reservationId,
                            provisionRequest.Replicas,
                            running,
                            string.Create(
                                CultureInfo.InvariantCulture,
                                $"{answer.ReplicaIds.Count - running.Count} replica(s) under the key had been released; the {running.Count} still running are accounted for.")).ConfigureAwait(false);
                    }

                    return await CommitAsync(requestKey, provisionRequest, reservationId, running).ConfigureAwait(false);
                }

                lastStatus = answer.Status;
                lastError = answer.Error;
                if (answer.Status == ProvisionStatus.TransientFailure)
                {
                    ambiguous = true; // the call may have taken effect and lost its answer
                    continue;
                }

                break; // RegionUnavailable or Rejected: retrying with this shape won't help
            }

            var message = string.Create(
                CultureInfo.InvariantCulture, $"Provisioning {provisionRequest.Shape.Name} in '{provisionRequest.Region}' failed ({lastStatus}): {AsSentence(lastError, "the provisioner gave no reason")}");

            // By the port's contract a key that took effect answers its replicas, so when a resubmission's replay is
            // rejected nothing exists under the key: that settles it.
            if (ambiguous && !(resuming && lastStatus == ProvisionStatus.Rejected))
            {
                // Replicas may exist: keep the reservation (it expires after ReservationTimeToLive) rather than let
                // another request take their capacity, and let a resubmission replay the key.
                return Attempt.Unknown(
                    AttemptKind.OutcomeUnknown,
                    message + " The outcome of an earlier try is unknown, so replicas may exist: the reservation is held until it expires; resubmit with the same idempotency key to settle it.",
                    provisionRequest,
                    reservationId);
            }

            mayExist = false; // the answers settled the key with nothing created
            await ReleaseReservationAsync(reservationId).ConfigureAwait(false);
            return Attempt.Of(lastStatus == ProvisionStatus.RegionUnavailable ? AttemptKind.RegionDown : AttemptKind.Failed, message);
        }
        catch (Exception ex) when (mayExist)
        {
            // A port threw (an adapter bug, or a time-out of its own; the caller's cancellation is handled above) after
            // a provisioning call that may have created replicas: keep the reservation for them, as for an unknown
            // outcome, rather than let the exception orphan them. When a later reservation had already taken over
            // their accounting (committed), that one is kept instead, so the settlement does not count them twice.
            return ex is AccountingMovedException moved
                ? Attempt.Threw(moved.Thrown, provisionRequest, moved.Reservation)
                : Attempt.Threw(ExceptionDispatchInfo.Capture(ex), provisionRequest, reservationId);
        }
    }

    private async ValueTask<Attempt> ReserveAsync(string key, string region, ResourceShape shape, int replicas, CancellationToken cancellationToken)
    {
        // More than any ledger holds in one reservation (CapacityLimits.MaxAmount per dimension): a capacity answer,
        // found without asking the ledger, which would refuse the request as out of range.
        var total = shape.Capacity * replicas;
        if (!CapacityLimits.IsWithinMaxAmount(total))
        {
            return Attempt.Of(
                AttemptKind.NoCapacity,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{replicas} × {shape.Name} ({total}) is more than one reservation can hold (CapacityLimits.MaxAmount, {CapacityLimits.MaxAmount:0e0} per dimension)."));
        }

        // A fresh id per attempt: a resubmitted request reserves anew, while provisioning stays idempotent by key.
        // Unique across handlers and processes by a random per-handler prefix, within one by a counter (cheaper
        // than a GUID per call, which reads the OS random source).
        var sequence = Interlocked.Increment(ref _reservationSequence);
        var id = new ReservationId(string.Create(CultureInfo.InvariantCulture, $"{ReservationKeyPart(key)}#{_instanceId}-{sequence}"));
        LedgerResult reserved;
        try
        {
            // Unavailable is not a refusal: the reserve may have taken effect, so it is replayed by the same id.
            reserved = await LedgerReplay.ReserveAsync(
                _ledger,
                new ReservationRequest(id, region, shape.Name, shape.Capacity, replicas, _reservationTimeToLive),
                _maxProvisionRetries,
                _retryDelay,
                _timeProvider,
                cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await ReleaseReservationAsync(id).ConfigureAwait(false); // in case the call took effect; NotFound otherwise
            return Attempt.Of(AttemptKind.Cancelled, "Cancelled by the caller while reserving.");
        }

        _telemetry.RecordReservation(region, reserved.Status);
        switch (reserved.Status)
        {
            case ReservationStatus.Succeeded:
                return Attempt.Reserved(id);
            case ReservationStatus.UnknownRegion:
                return Attempt.Of(AttemptKind.RegionUnknown, $"Region '{region}' is unknown to the capacity ledger.");
            case ReservationStatus.InsufficientCapacity:
                return Attempt.Of(AttemptKind.NoCapacity, $"Region '{region}' lacks capacity for {replicas} × {shape.Name}.");
            case ReservationStatus.Unavailable:
                // Still unknown after the replays: give the id back in case one of them took effect, rather than
                // leave a hold nobody uses until it expires.
                await ReleaseReservationAsync(id).ConfigureAwait(false);
                return Attempt.Of(
                    AttemptKind.NoCapacity,
                    $"The capacity ledger was unavailable reserving {replicas} × {shape.Name} in '{region}'; the reservation was released in case it took effect.");
            default:
                return Attempt.Of(AttemptKind.NoCapacity, $"The ledger answered {reserved.Status} reserving {replicas} × {shape.Name} in '{region}'.");
        }
    }

    private async ValueTask<Attempt> CommitAsync(string requestKey, ProvisionRequest provisioned, ReservationId reservationId, IReadOnlyList<string> replicaIds)
    {
        var committed = await CommitReservationAsync(reservationId).ConfigureAwait(false);
        if (committed.IsSuccess)
        {
            return await RecordAsync(requestKey, provisioned, reservationId, replicaIds, string.Empty).ConfigureAwait(false);
        }

        // The hold expired while provisioning took long, or the ledger stayed unavailable (the commit may or may not
        // have taken effect). Either way a new reservation accounts for the replicas, and the first is then released:
        // a no-op when it expired, and it frees the capacity when an unanswered commit did take effect, so the
        // replicas are never counted twice.
        var replicas = replicaIds.Count > 0 ? replicaIds.Count : provisioned.Replicas; // the replicas to account for
        var again = await ReserveAsync(provisioned.IdempotencyKey, provisioned.Region, provisioned.Shape, replicas, CancellationToken.None).ConfigureAwait(false);
        if (again.Kind == AttemptKind.Reserved)
        {
            if ((await CommitReplacementAsync(again.Reservation).ConfigureAwait(false)).IsSuccess)
            {
                return await RecordOnReplacementAsync(
                    requestKey,
                    provisioned,
                    reservationId,
                    again.Reservation,
                    replicaIds,
                    committed.Status == ReservationStatus.Unavailable
                        ? "The ledger did not answer the commit; the replicas are accounted by a new reservation and the first was released."
                        : "The first reservation expired during provisioning; the replicas are accounted by a new one.").ConfigureAwait(false);
            }

            await ReleaseReservationAsync(again.Reservation).ConfigureAwait(false);
        }

        var undo = await UndoUntrackedAsync(requestKey, provisioned, replicaIds).ConfigureAwait(false);
        if (undo.AllTracked)
        {
            // The replay of a completed request: its own reservation accounts for the replicas, which are not released.
            return await RecordAsync(requestKey, provisioned, reservationId, replicaIds, string.Empty).ConfigureAwait(false);
        }

        if (undo.Kept.Count == 0)
        {
            await ReleaseReservationAsync(reservationId).ConfigureAwait(false); // frees it if an unanswered commit took effect
            return Attempt.Of(
                AttemptKind.NoCapacity,
                $"The reservation was not committed ({committed.Status}) and capacity was gone; the replicas were released{TrackedLeftRunning(undo.TrackedCount)}.");
        }

        // Replicas exist that no confirmed reservation counts: keep the first one (committed, if an unanswered commit
        // took effect) and let a resubmission replay the key and account for them again.
        return Attempt.Unknown(
            AttemptKind.OutcomeUnknown,
            $"The reservation was not committed ({committed.Status}), capacity was gone and the replicas could not be released; resubmit with the same idempotency key to settle it.",
            provisioned,
            reservationId);
    }

    private ValueTask<LedgerResult> CommitReservationAsync(ReservationId id) =>
        LedgerReplay.CommitAsync(_ledger, id, _maxProvisionRetries, _retryDelay, _timeProvider);

    private async ValueTask<Attempt> RecordAsync(string requestKey, ProvisionRequest provisioned, ReservationId reservationId, IReadOnlyList<string> replicaIds, string message)
    {
        // Indexed loops and no list in the common case (every replica new): this runs on every request.
        var trackedCount = CountTracked(replicaIds, out var tracked);
        if (tracked is null)
        {
            _inventory.AddProvisioned(provisioned.Region, replicaIds, provisioned.Shape, reservationId, requestKey);
            return Attempt.Done(reservationId, replicaIds, message);
        }

        if (trackedCount == replicaIds.Count)
        {
            // A replay of a request that already completed (same key, same replicas): the first reservation accounts
            // for them, so this one goes back. The region answered them for this request's key: any recorded without
            // it (restored from records persisted before they carried it) get it, so the next resubmission is
            // answered from the inventory.
            _inventory.AdoptRequestKey(replicaIds, requestKey);
            await ReleaseReservationAsync(reservationId).ConfigureAwait(false);
            return Attempt.Done(tracked.Reservation, replicaIds, "A replay of a completed request: the replicas were already provisioned.");
        }

        // Some of the replicas are accounted for already, the others by nothing (the host stopped tracking them):
        // this reservation accounts for those, over-reserving by the tracked ones until they leave it. All are the
        // request's: added without the key, then given it together with the tracked ones that lack it, in the order
        // the region answered them.
        var untracked = Untracked(replicaIds, trackedCount);
        _inventory.AddProvisioned(provisioned.Region, untracked, provisioned.Shape, reservationId);
        _inventory.AdoptRequestKey(replicaIds, requestKey);
        return Attempt.Done(
            reservationId,
            replicaIds,
            string.Create(CultureInfo.InvariantCulture, $"{replicaIds.Count - untracked.Count} of the replicas were already tracked; the other {untracked.Count} are accounted by this request's reservation."));
    }

    // The replicas the inventory does not track, given how many it does: the list itself when none.
    private IReadOnlyList<string> Untracked(IReadOnlyList<string> replicaIds, int trackedCount)
    {
        if (trackedCount == 0)
        {
            return replicaIds;
        }

        var untracked = new List<string>(Math.Max(0, replicaIds.Count - trackedCount));
        for (var i = 0; i < replicaIds.Count; i++)
        {
            if (!_inventory.TryGet(replicaIds[i], out _))
            {
                untracked.Add(replicaIds[i]);
            }
        }

        return untracked;
    }

    // The end of a message about released replicas when some under the key were left to the reservation that tracks them.
    private static string TrackedLeftRunning(int trackedCount) =>
        trackedCount == 0
            ? string.Empty
            : string.Create(
                CultureInfo.InvariantCulture,
                $", except {trackedCount} the inventory already tracks, which run on under the reservation that accounts for them");

    // How many of the replicas the inventory tracks, and the first one's record (null when none is tracked).
    private int CountTracked(IReadOnlyList<string> replicaIds, out ReplicaRecord? first)
    {
        first = null;
        var count = 0;
        for (var i = 0; i < replicaIds.Count; i++)
        {
            if (_inventory.TryGet(replicaIds[i], out var record))
            {
                first ??= record;
                count++;
            }
        }

        return count;
    }

    private async ValueTask<Attempt> RollBackAsync(string requestKey, ProvisionRequest provisionRequest, ReservationId reservationId, bool settle, IReadOnlyList<string>? known)
    {
        var replicaIds = known;
        var unknown = false;
        if (settle)
        {
            unknown = true;
            for (var attempt = 0; attempt <= _maxProvisionRetries; attempt++)
            {
                var answer = await _provisioner.ProvisionAsync(provisionRequest, CancellationToken.None).ConfigureAwait(false);
                if (answer.IsSuccess)
                {
                    replicaIds = Running(provisionRequest.IdempotencyKey, answer);
                    unknown = false;
                    break;
                }

                if (answer.Status != ProvisionStatus.TransientFailure)
                {
                    break;
                }
            }
        }

        if (unknown || replicaIds is null)
        {
            // Replicas may exist under the key, but the region did not say: keep the reservation (it expires after
            // ReservationTimeToLive) rather than let another request take their capacity, and let a resubmission
            // replay the key.
            return Attempt.Unknown(
                AttemptKind.Cancelled,
                "Cancelled by the caller during provisioning; the region could not confirm whether replicas were created, so the reservation is held until it expires; resubmit with the same idempotency key to settle it.",
                provisionRequest,
                reservationId);
        }

        var undo = await UndoUntrackedAsync(requestKey, provisionRequest, replicaIds).ConfigureAwait(false);
        if (undo.AllTracked)
        {
            // A resubmission of a completed request the handler no longer remembers: the region answered the first
            // request's replicas, which its own reservation accounts for. They are not this call's to undo.
            return await RecordAsync(requestKey, provisionRequest, reservationId, replicaIds, string.Empty).ConfigureAwait(false);
        }

        if (undo.Kept.Count > 0)
        {
            return await KeepAsync(requestKey, provisionRequest, reservationId, provisionRequest.Replicas, undo.Kept).ConfigureAwait(false);
        }

        await ReleaseReservationAsync(reservationId).ConfigureAwait(false);
        return Attempt.Of(
            AttemptKind.Cancelled,
            $"Cancelled by the caller during provisioning; the replicas and the reservation were released{TrackedLeftRunning(undo.TrackedCount)}.");
    }

    // Releases the replicas of an answer that nothing accounts for, for a rollback or for want of capacity at commit.
    // Replicas the inventory tracks run on under their own reservation and are not released, even when the answer mixes
    // them with untracked ones; when it tracks all of them (a completed request's replay), nothing is released.
    // Tracked replicas the region answered for the request's key are the request's: those recorded without the key get
    // it (see RecordAsync).
    private async ValueTask<(bool AllTracked, int TrackedCount, IReadOnlyList<string> Kept)> UndoUntrackedAsync(
        string requestKey, ProvisionRequest provisioned, IReadOnlyList<string> replicaIds)
    {
        var trackedCount = CountTracked(replicaIds, out _);
        if (trackedCount > 0)
        {
            _inventory.AdoptRequestKey(replicaIds, requestKey);
        }

        if (trackedCount > 0 && trackedCount == replicaIds.Count)
        {
            return (true, trackedCount, []);
        }

        var kept = await ReleaseReplicasAsync(provisioned, Untracked(replicaIds, trackedCount), othersRunUnderKey: trackedCount > 0).ConfigureAwait(false);
        return (false, trackedCount, kept);
    }

    // Replicas a rollback can't remove stay accounted for rather than orphaned. The original reservation is let go
    // only once another one holds their capacity, so a concurrent request can't take it in between.
    private ValueTask<Attempt> KeepAsync(string requestKey, ProvisionRequest provisionRequest, ReservationId reservationId, int provisioned, IReadOnlyList<string> kept) =>
        AccountForAsync(
            requestKey,
            provisionRequest,
            reservationId,
            provisioned,
            kept,
            string.Create(CultureInfo.InvariantCulture, $"Cancelled after provisioning, but {kept.Count} replica(s) could not be released; they are kept and accounted for."));

    // Commits fewer replicas than the reservation was made for: under a reservation of exactly their size when the
    // region has room for it beside the original one, else under the original one.
    private async ValueTask<Attempt> AccountForAsync(string requestKey, ProvisionRequest provisionRequest, ReservationId reservationId, int provisioned, IReadOnlyList<string> kept, string message)
    {
        if (kept.Count < provisioned)
        {
            // Exactly the kept replicas, under a reservation of their own size, when the region has room for it beside
            // the original one.
            var exact = await ReserveAsync(provisionRequest.IdempotencyKey, provisionRequest.Region, provisionRequest.Shape, kept.Count, CancellationToken.None).ConfigureAwait(false);
            if (exact.Kind == AttemptKind.Reserved)
            {
                if ((await CommitReplacementAsync(exact.Reservation).ConfigureAwait(false)).IsSuccess)
                {
                    var recorded = await RecordOnReplacementAsync(requestKey, provisionRequest, reservationId, exact.Reservation, kept, message).ConfigureAwait(false);
                    return Attempt.Done(recorded.Reservation, kept, message);
                }

                await ReleaseReservationAsync(exact.Reservation).ConfigureAwait(false);
            }
        }

        // Otherwise the original reservation accounts for them, over-reserving by the replicas that were released
        // until the kept ones leave it.
        var committed = await CommitAsync(requestKey, provisionRequest, reservationId, kept).ConfigureAwait(false);
        return committed.Kind == AttemptKind.Provisioned ? Attempt.Done(committed.Reservation, kept, message) : committed;
    }

    // The key a request's attempt with a shape in a region provisions under: the same on every resubmission (so a lost
    // answer is settled by replaying it), unless replicas under it were released, when the next generation is used.
    private string ProvisioningKey(string requestKey, string region, ResourceShape shape)
    {
        var key = string.Create(CultureInfo.InvariantCulture, $"{requestKey}/{KeyPart(region)}/{KeyPart(shape.Name)}@{shape.Revision}");
        return !_burntKeys.TryGet(key, out var burnt) ? key : string.Create(CultureInfo.InvariantCulture, $"{key}~{burnt + 1}");
    }

    // A region or shape name inside a provisioning key: '/' separates the key's parts, so in the names it is written
    // %2F (and '%' itself %25). Without it, request "a/x" in region "eu" and request "a" in region "x/eu" would both
    // provision under "a/x/eu/…", and an adapter with one key store for all regions would answer one with the other's
    // replicas. Names without either character (nearly all) are used as they are, so their keys do not change.
    private static string KeyPart(string name) =>
        name.AsSpan().IndexOfAny('/', '%') < 0
            ? name
            : name.Replace("%", "%25", StringComparison.Ordinal).Replace("/", "%2F", StringComparison.Ordinal);

    // Remembers that every replica under a key was released. A key is its base (ending in the shape's revision, an
    // integer) and, from the second generation on, "~" and the generation.
    private void Burn(string provisioningKey)
    {
        var (baseKey, generation) = SplitGeneration(provisioningKey);
        _burntKeys.AddOrMerge(baseKey, generation, Math.Max);
    }

    // The replicas of an answer to a key that still run: all of them unless the region lists some as released since the
    // key's first call, or this handler released some under the key (an adapter may not list them).
    // No lambda here: its captured locals would be allocated on every call, the common one included.
    private IReadOnlyList<string> Running(string provisioningKey, ProvisionResult answer)
    {
        var remembered = _releasedUnderKey.TryGet(provisioningKey, out var released);
        if (answer.ReleasedReplicaIds.Count == 0 && !remembered)
        {
            return answer.ReplicaIds; // the common case: no allocation
        }

        var running = new List<string>(answer.ReplicaIds.Count);
        foreach (var id in answer.ReplicaIds)
        {
            if (!answer.ReleasedReplicaIds.Contains(id, StringComparer.Ordinal) && !(remembered && released.Contains(id, StringComparer.Ordinal)))
            {
                running.Add(id);
            }
        }

        return running;
    }

    // The key's next generation: "~2" after the base, then "~3" and so on.
    private static string NextGeneration(string provisioningKey)
    {
        var (baseKey, generation) = SplitGeneration(provisioningKey);
        return string.Create(CultureInfo.InvariantCulture, $"{baseKey}~{generation + 1}");
    }

    private static (string Base, int Generation) SplitGeneration(string provisioningKey)
    {
        var tilde = provisioningKey.LastIndexOf('~');
        var at = provisioningKey.LastIndexOf('@');
        return tilde > at && at >= 0
            && int.TryParse(provisioningKey.AsSpan(tilde + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var generation)
            ? (provisioningKey[..tilde], generation)
            : (provisioningKey, 1);
    }

    // Releases replicas provisioned under a key; releasing them all burns the key (see _burntKeys), unless
    // othersRunUnderKey: the key names replicas besides these (tracked ones, left running), so it stays usable.
    /// <returns>The replicas that could not be released within the retry budget; empty when all were.</returns>
    private async ValueTask<IReadOnlyList<string>> ReleaseReplicasAsync(ProvisionRequest provisioned, IReadOnlyList<string> replicaIds, bool othersRunUnderKey = false)
    {
        var region = provisioned.Region;
        List<string>? kept = null;
        List<string>? gone = null;
        try
        {
            foreach (var replicaId in replicaIds)
            {
                var released = false;
                for (var attempt = 0; attempt <= _maxProvisionRetries && !released; attempt++)
                {
                    var answer = await _provisioner.ReleaseAsync(region, replicaId, CancellationToken.None).ConfigureAwait(false);
                    released = answer.IsSuccess || answer.Status == ProvisionStatus.Rejected; // Rejected: it does not run there
                }

                if (released)
                {
                    (gone ??= []).Add(replicaId);
                }
                else
                {
                    (kept ??= []).Add(replicaId);
                }
            }
        }
        finally
        {
            // Also when a release threw: the replicas released before it are gone, and a replay of the key (the request
            // is then unsettled) must not count them, even from an adapter that does not list released replicas.
            if (kept is null && !othersRunUnderKey && (gone?.Count ?? 0) == replicaIds.Count)
            {
                Burn(provisioned.IdempotencyKey);
            }
            else if (gone is not null)
            {
                // Some run on under the key (kept and accounted for, or not reached): the key still names them, so it
                // is not burnt, and a replay of it is told apart from the released ones.
                _releasedUnderKey.AddOrMerge(provisioned.IdempotencyKey, [.. gone], static (earlier, added) => [.. earlier.Union(added, StringComparer.Ordinal)]);
            }
        }

        return kept ?? [];
    }

    private async ValueTask ReleaseReservationAsync(ReservationId id) =>
        _ = await LedgerReplay.ReleaseAsync(_ledger, id, _maxProvisionRetries, _retryDelay, _timeProvider).ConfigureAwait(false);

    private sealed record ScaledProfile(LoadProfile Source, int Replicas, LoadProfile Scaled);

    private sealed record CompletedRequest(string Region, int Replicas, ReplicaResult Result);

    /// <summary>
    /// An attempt whose outcome is unknown, kept per request idempotency key until a resubmission settles it: the
    /// request it served, the provisioning call to replay, the reservation kept for it, and what chose its shape.
    /// </summary>
    private sealed record UnsettledAttempt(
        ReplicaRequest Request, ProvisionRequest Provision, ReservationId Reservation, ScoredShape Score, double PeakCoverage, LoadProfile Profile);

    private enum AttemptKind
    {
        Reserved,
        Provisioned,
        NoCapacity,
        Failed,
        RegionDown,
        RegionUnknown,
        OutcomeUnknown,
        Cancelled,
        Threw,
    }

    private readonly record struct Attempt(
        AttemptKind Kind,
        string Message,
        ReservationId Reservation,
        IReadOnlyList<string>? ReplicaIds,
        bool IsOutcomeUnknown,
        ProvisionRequest? Unsettled = null,
        ExceptionDispatchInfo? Thrown = null)
    {
        public static Attempt Of(AttemptKind kind, string message) => new(kind, message, default, null, false);

        public static Attempt Reserved(ReservationId id) => new(AttemptKind.Reserved, string.Empty, id, null, false);

        public static Attempt Done(ReservationId id, IReadOnlyList<string> replicaIds, string message) =>
            new(AttemptKind.Provisioned, message, id, replicaIds, false);

        /// <summary>Replicas may exist under <paramref name="provision"/>'s key; <paramref name="kept"/> is kept for them, not released.</summary>
        public static Attempt Unknown(AttemptKind kind, string message, ProvisionRequest provision, ReservationId kept) =>
            new(kind, message, kept, null, true, provision);

        /// <summary>A port threw once replicas may exist under <paramref name="provision"/>'s key; <paramref name="kept"/> is kept for them.</summary>
        public static Attempt Threw(ExceptionDispatchInfo thrown, ProvisionRequest provision, ReservationId kept) =>
            new(AttemptKind.Threw, thrown.SourceException.Message, kept, null, true, provision, thrown);
    }

    // Commits a reservation taken to replace the attempt's (whose commit went unanswered or was refused, or one of a kept
    // replica's exact size). A commit that throws may have taken effect, while the attempt's reservation is still the one
    // the settlement keeps and commits (or replaces): so the replacement is given back, or it would stay committed beside
    // that one, counting the replicas twice with nothing to release it. Only if giving it back throws too does the
    // settlement keep the replacement instead (its commit, replayed by the same id, settles whichever state it is in).
    [SuppressMessage(
        "Design",
        "CA1031:Do not catch general exception types",
        Justification = "Not swallowed: the commit's exception always goes on; the second only decides which reservation the settlement keeps.")]
    private async ValueTask<LedgerResult> CommitReplacementAsync(ReservationId replacement)
    {
        try
        {
            return await CommitReservationAsync(replacement).ConfigureAwait(false);
        }
        catch (Exception commitFailure)
        {
            try
            {
                await ReleaseReservationAsync(replacement).ConfigureAwait(false);
            }
            catch (Exception)
            {
                throw new AccountingMovedException(replacement, commitFailure);
            }

            throw;
        }
    }

    // Records the replicas under the committed replacement of the attempt's reservation, after handing their accounting
    // over by releasing the first. If that release throws, the first may still count (a commit whose answer was lost
    // took effect), so the replacement is given back instead and the exception goes on with the first kept for the
    // settlement, which commits it again or replaces it: the two are never both kept. Only if giving the replacement
    // back throws too, or recording throws once the first is released, does the settlement keep the replacement (the
    // one known committed).
    [SuppressMessage(
        "Design",
        "CA1031:Do not catch general exception types",
        Justification = "Not swallowed: the first exception always goes on; the second only decides which reservation the settlement keeps.")]
    private async ValueTask<Attempt> RecordOnReplacementAsync(
        string requestKey, ProvisionRequest provisioned, ReservationId first, ReservationId replacement, IReadOnlyList<string> replicaIds, string message)
    {
        try
        {
            await ReleaseReservationAsync(first).ConfigureAwait(false);
        }
        catch (Exception releaseFailure)
        {
            try
            {
                await ReleaseReservationAsync(replacement).ConfigureAwait(false);
            }
            catch (Exception)
            {
                throw new AccountingMovedException(replacement, releaseFailure);
            }

            throw;
        }

        try
        {
            return await RecordAsync(requestKey, provisioned, replacement, replicaIds, message).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not AccountingMovedException)
        {
            throw new AccountingMovedException(replacement, ex);
        }
    }

    // A port threw after a new reservation had been committed for the replicas in place of the attempt's: carries the
    // exception (with its stack trace) to ProvisionReservedAsync, which keeps that reservation for the settlement
    // instead of the attempt's. Never reaches the caller: the exception it carries does.
    private sealed class AccountingMovedException(ReservationId reservation, Exception thrown)
        : Exception(thrown.Message, thrown)
    {
        public ReservationId Reservation { get; } = reservation;

        public ExceptionDispatchInfo Thrown { get; } = ExceptionDispatchInfo.Capture(thrown);
    }

    // Rethrows a Threw attempt's exception with its original stack trace; the return only satisfies "throw".
    private static Exception Rethrow(in Attempt attempt)
    {
        var thrown = attempt.Thrown!; // set on every Threw attempt, the only kind this is called with
        thrown.Throw();
        return thrown.SourceException;
    }

    /// <summary>Keeps the most telling failure: the one that got furthest through the steps.</summary>
    private struct FailureTracker(string region)
    {
        private string? _message;
        private int _rank = -1;

        public ReplicaOutcome Outcome { get; private set; } = ReplicaOutcome.NoPrediction;

        public readonly string Message => _message ?? $"No region could be tried for the request to '{region}'.";

        public void Note(ReplicaOutcome outcome, string message)
        {
            var rank = outcome switch
            {
                ReplicaOutcome.NoPrediction => 0,
                ReplicaOutcome.NoFeasibleShape => 1,
                ReplicaOutcome.NoCapacity => 2,
                _ => 3,
            };
            if (rank >= _rank)
            {
                _rank = rank;
                Outcome = outcome;
                _message = message;
            }
        }
    }

    [InlineArray(MaxRankingDepth)]
    private struct RankingBuffer
    {
        private ScoredShape _element;
    }
}
