using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Shaping.Core.Capacity;
using Shaping.Core.Prediction;
using Shaping.Core.Provisioning;
using Shaping.Core.Resources;
using Shaping.Core.Scaling;
using Shaping.Core.Shapes;
using Shaping.Core.Telemetry;

namespace Shaping.Core.ControlPlane;

/// <summary>
/// The background half of the control plane: reads what running replicas use, asks the
/// <see cref="HysteresisScaler"/> whether each should change shape, applies moves through the
/// <see cref="IProvisioner"/> with the <see cref="ICapacityLedger"/>, and feeds the observations back to the
/// <see cref="ILoadPredictor"/>.
/// </summary>
/// <remarks>
/// <para>One cycle (<see cref="RunOnceAsync"/>):</para>
/// <list type="number">
/// <item><description>
/// replays the key of every resize whose outcome is still unknown (see below) and reports each move the region now
/// answers for;
/// </description></item>
/// <item><description>
/// reads the <see cref="IUtilizationSource"/> once: one observation per running replica (see its remarks: the read
/// is taken as the whole demand);
/// </description></item>
/// <item><description>
/// for each replica the <see cref="ReplicaInventory"/> tracks, and whose shape is in the scaler's catalog, steps that
/// replica's <see cref="ScalerState"/> (kept here, one per replica, dropped when the replica leaves the inventory);
/// moves only ever target a shape of that catalog;
/// in proactive mode the forecast is the region's predicted peak over <see cref="ShapeAdjustmentOptions.ProactiveLeadTime"/>
/// divided by the number of the region's tracked replicas;
/// </description></item>
/// <item><description>
/// applies each move: reserves the new shape for that one replica under a fresh <see cref="ReservationId"/>, resizes
/// with that id as the idempotency key, then commits the reservation, records the move in the inventory and releases
/// the replica's old reservation once no replica occupies it. A refused reservation or a resize the provisioner
/// refuses leaves the replica where it was (the held reservation is released) and rolls the scaler state back
/// (<see cref="ScalerState.RollBackMove"/>), so the move is tried again on a later observation, after
/// <see cref="ShapeAdjustmentOptions.RetryBackoff"/> (doubling with each consecutive failure, up to
/// <see cref="ShapeAdjustmentOptions.MaxRetryBackoff"/>, timed by observation timestamps);
/// </description></item>
/// <item><description>
/// hands the predictor, per region, the sum of the demands observed in this cycle (the predictor forecasts region
/// totals), timestamped with the region's latest observation: the feedback loop. The sum covers every replica the
/// source reports in the region with a valid amount, whether the inventory tracks it or not, so the predictor learns
/// from replicas the service ran before this control plane started, and a host's first requests in a region can be
/// answered. A host with no replicas and no history in a region gets <see cref="ReplicaOutcome.NoPrediction"/> there
/// until it feeds history (<see cref="ILoadPredictor.Observe"/>) or its source reports the service's existing replicas.
/// A region fed in an earlier cycle that the read leaves out, and where the inventory tracks no replica, is handed zero
/// demand, timestamped with the loop's clock: every replica there stopped, and the predictor must learn that rather
/// than keep the last demand (see <see cref="IUtilizationSource"/> for when a missing region is no data instead, and
/// <see cref="ForgetRegion"/>).
/// </description></item>
/// </list>
/// <para>
/// <b>Unknown outcomes.</b> Where the loop can't tell what happened it counts more rather than less: the ledger may
/// over-reserve for a while instead of oversubscribing. Ledger answers of <see cref="ReservationStatus.Unavailable"/> are
/// replayed by the same id, at once, up to <see cref="ShapeAdjustmentOptions.MaxResizeRetries"/> times (twice by
/// default; a reserve still unanswered is released). A resize answered <see cref="ProvisionStatus.TransientFailure"/>
/// may have happened with its answer lost, so it is replayed at once with the same key, up to as many times; if it is
/// still unanswered the move ends <see cref="ShapeMoveOutcome.ResizeOutcomeUnknown"/>: the new reservation is
/// committed and the old one kept, so the ledger counts both shapes, the replica is not moved again, and every later
/// cycle replays the key (with as many replays) until the region answers; the cycle interval is the back-off between
/// those. A resize whose provisioner throws (anything but the cancellation of the cycle's token: an adapter bug, which
/// may strike after the region resized) is handled the same way, at once and without replays: the move ends
/// <see cref="ShapeMoveOutcome.ResizeOutcomeUnknown"/>, later cycles replay its key (a replay that throws again
/// leaves it unknown), and the exception is kept in <see cref="LastError"/>; the other replicas of the cycle are still
/// evaluated and the predictor still fed. A resize that is cancelled is replayed the same way on the next cycle (its
/// reservation holds meanwhile, until it expires); a replay that is still unanswered commits it, as above, or, when
/// it expired before that cycle, counts the new shape with a new reservation, committed, and releases the one it
/// replaces (so that a ledger that forgot a committed reservation, answering NotFound, never has the new shape counted
/// twice). When the commit after a resize fails (the
/// hold expired during a slow resize), the loop reserves and commits again; failing that, the replica stays on its
/// old reservation, which is not released (<see cref="ShapeMoveOutcome.AppliedUncommitted"/>). A replica the host
/// removes while it is resized gets no reservation (<see cref="ShapeMoveOutcome.ReplicaRemoved"/>). A ledger that
/// throws once the resize may have happened (committing the new reservation to count both shapes, or accounting for a
/// resize the region answered, before the inventory records it) is handled as a provisioner that throws: the move ends
/// <see cref="ShapeMoveOutcome.ResizeOutcomeUnknown"/> with the reservation that counts the new shape kept, the
/// exception is kept in <see cref="LastError"/>, and later cycles replay the key and finish the move (a second
/// reservation whose reserve or commit threw is given back first). A ledger that throws before the resize (while
/// reserving) or while a later cycle replays a move still unanswered fails the cycle instead; a hold it leaves expires,
/// and an unknown move stays unknown.
/// </para>
/// <para>
/// <b>Following the shape library.</b> Built with a <see cref="ShapeLibrary"/>, the loop starts each cycle by checking
/// <see cref="ShapeLibrary.Current"/>: when the library has published another catalog version, the scaler is rebuilt
/// over it with the same <see cref="ScalerPolicy"/>, and each replica's state (smoothed demand, band timers, recent
/// switches) is kept when its shape is still in the catalog, found by name. So a retired shape is never a target,
/// and a new one can be from the next cycle on, as for the request handler. A replica that runs on a shape no longer
/// in the catalog (retired) is left where it is: the loop does not move it, though its demand still feeds the
/// predictor; the host moves or releases it. While the library has no shape at all, the loop moves nothing. Without
/// a library the scaler's catalog is fixed for the loop's lifetime.
/// </para>
/// <para>
/// <see cref="RunAsync"/> runs cycles every <see cref="ShapeAdjustmentOptions.Interval"/> on the injected
/// <see cref="TimeProvider"/>'s timer until cancelled; a cycle that throws is counted in <see cref="FailedCycles"/>
/// and does not stop the loop.
/// </para>
/// <para><b>Thread safety:</b> cycles are serialised; <see cref="RunOnceAsync"/> may be called from any thread, including while <see cref="RunAsync"/> runs.</para>
/// </remarks>
public sealed class ShapeAdjustmentLoop : IDisposable
{
    private readonly IUtilizationSource _source;
    private readonly ICapacityLedger _ledger;
    private readonly IProvisioner _provisioner;
    private readonly ReplicaInventory _inventory;
    private readonly ScalerPolicy _policy;
    private readonly ShapeLibrary? _library;
    private HysteresisScaler? _scaler; // null while the library is empty; swapped only by a cycle (they are serialised)
    private readonly ILoadPredictor? _predictor;
    private readonly ShapeAdjustmentOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ShapingTelemetry _telemetry;
    // Never disposed: a SemaphoreSlim whose AvailableWaitHandle is never read holds nothing to free (see Dispose).
    private readonly SemaphoreSlim _cycleGate = new(1, 1);
    private int _disposed;
    private readonly Lock _statesGate = new();
    private readonly Dictionary<string, ScalerState> _states = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RetryWait> _retryWaits = new(StringComparer.Ordinal); // under _statesGate
    private readonly Lock _recentGate = new();
    private readonly Queue<ShapeMove> _recentMoves = new();
    private readonly Dictionary<string, UnsettledResize> _unsettled = new(StringComparer.Ordinal); // by replica; touched only by a cycle
    private readonly Lock _regionsGate = new();
    private readonly HashSet<string> _fedRegions = new(StringComparer.Ordinal); // regions whose demand was fed; under _regionsGate
    private readonly HashSet<string> _forgottenSinceRead = new(StringComparer.Ordinal); // forgotten since this cycle's read began; under _regionsGate
    private long _moveSequence;
    private long _completedCycles;
    private long _failedCycles;
    private Exception? _lastError;

    /// <summary>Creates a loop.</summary>
    /// <param name="source">Where observations come from.</param>
    /// <param name="ledger">The capacity ledger that accounts for every shape a replica runs on.</param>
    /// <param name="provisioner">The region control plane that resizes replicas.</param>
    /// <param name="inventory">The replicas the control plane tracks and the reservations accounting for them.</param>
    /// <param name="scaler">
    /// The decision maker; its catalog is the set of shapes replicas may move between, unless
    /// <paramref name="library"/> is given. Its <see cref="HysteresisScaler.Policy"/> is kept when the loop follows
    /// the library.
    /// </param>
    /// <param name="predictor">Receives each region's observed demand (the feedback loop) and, in proactive mode, supplies forecasts; <see langword="null"/> for neither.</param>
    /// <param name="options">How the loop runs; <see langword="null"/> for <see cref="ShapeAdjustmentOptions.Default"/>.</param>
    /// <param name="timeProvider">The clock and timers; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="telemetry">Where shape switches are counted; <see langword="null"/> for <see cref="ShapingTelemetry.Shared"/>.</param>
    /// <param name="library">
    /// The live set of shapes: each cycle then works on its <see cref="ShapeLibrary.Current"/> catalog, so shapes
    /// retired or added after the loop was built are followed (as the request handler does);
    /// <see langword="null"/> to keep <paramref name="scaler"/>'s catalog for good.
    /// </param>
    /// <exception cref="ArgumentNullException">A required argument is <see langword="null"/>.</exception>
    public ShapeAdjustmentLoop(
        IUtilizationSource source,
        ICapacityLedger ledger,
        IProvisioner provisioner,
        ReplicaInventory inventory,
        HysteresisScaler scaler,
        ILoadPredictor? predictor = null,
        ShapeAdjustmentOptions? options = null,
        TimeProvider? timeProvider = null,
        ShapingTelemetry? telemetry = null,
        ShapeLibrary? library = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(provisioner);
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(scaler);
        _source = source;
        _ledger = ledger;
        _provisioner = provisioner;
        _inventory = inventory;
        _scaler = scaler;
        _policy = scaler.Policy;
        _library = library;
        _predictor = predictor;
        _options = options ?? ShapeAdjustmentOptions.Default;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _telemetry = telemetry ?? ShapingTelemetry.Shared;
    }

    /// <summary>The most moves <see cref="GetRecentMoves"/> keeps (256); older ones are dropped first.</summary>
    public const int RecentMovesCapacity = 256;

    /// <summary>Gets how many cycles completed.</summary>
    public long CompletedCycles => Interlocked.Read(ref _completedCycles);

    /// <summary>Gets how many cycles of <see cref="RunAsync"/> failed with an exception.</summary>
    public long FailedCycles => Interlocked.Read(ref _failedCycles);

    /// <summary>
    /// Gets the exception of the last failed cycle of <see cref="RunAsync"/>, or the last exception a provisioner threw
    /// from a resize, or a ledger threw while a resize that may have happened was accounted for (the cycle goes on and
    /// the move ends <see cref="ShapeMoveOutcome.ResizeOutcomeUnknown"/>), whichever came last; <see langword="null"/>
    /// when there was none.
    /// </summary>
    public Exception? LastError => Volatile.Read(ref _lastError);

    /// <summary>
    /// Raised whenever <see cref="LastError"/> is set (a cycle of <see cref="RunAsync"/> failed, or a provisioner threw
    /// from a resize, or a ledger while one was accounted for), on the thread that ran the cycle, so a host can log
    /// failures instead of polling. The loop carries on either way; an exception thrown by a handler is ignored so that logging cannot stop the loop.
    /// </summary>
    public event EventHandler<Exception>? Error;

    /// <summary>
    /// Gets a copy of the scaler state of a replica, for diagnostics; its <see cref="ScalerState.ShapeIndex"/> refers to
    /// the catalog the loop worked on in its last cycle.
    /// </summary>
    /// <param name="replicaId">The replica.</param>
    /// <param name="state">The state, when the loop has observed the replica.</param>
    /// <returns><see langword="true"/> when the loop keeps a state for the replica.</returns>
    public bool TryGetState(string replicaId, out ScalerState state)
    {
        ArgumentNullException.ThrowIfNull(replicaId);
        lock (_statesGate)
        {
            return _states.TryGetValue(replicaId, out state);
        }
    }

    /// <summary>
    /// Gets the moves the loop attempted lately, oldest first, whatever ran the cycle (<see cref="RunAsync"/> or
    /// <see cref="RunOnceAsync"/>), so a host can show what the loop did (from which shape to which, why, and with
    /// what outcome) without the cycle results.
    /// </summary>
    /// <returns>A snapshot of at most <see cref="RecentMovesCapacity"/> moves.</returns>
    public IReadOnlyList<ShapeMove> GetRecentMoves()
    {
        lock (_recentGate)
        {
            return [.. _recentMoves];
        }
    }

    /// <summary>Runs one cycle: read, decide, apply, feed back.</summary>
    /// <param name="cancellationToken">Cancels the cycle between steps; a move already past its resize is finished.</param>
    /// <returns>What the cycle did.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The loop was disposed.</exception>
    public async Task<AdjustmentCycleResult> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _cycleGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var result = await RunCycleAsync(cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _completedCycles);
            return result;
        }
        finally
        {
            _cycleGate.Release();
        }
    }

    /// <summary>Runs cycles every <see cref="ShapeAdjustmentOptions.Interval"/>, the first at once, until cancelled.</summary>
    /// <param name="cancellationToken">Stops the loop; the returned task then completes without an exception.</param>
    /// <returns>A task that completes when the loop stops.</returns>
    [SuppressMessage(
        "Design",
        "CA1031:Do not catch general exception types",
        Justification = "A background loop must survive a failing adapter; the failure is counted and kept in LastError.")]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.Interval, _timeProvider);
        try
        {
            do
            {
                try
                {
                    await RunOnceAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    Interlocked.Increment(ref _failedCycles);
                    ReportError(ex);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping is the expected way out.
        }
    }

    /// <summary>
    /// Marks the loop disposed: later calls of <see cref="RunOnceAsync"/> (and so of <see cref="RunAsync"/>'s cycles)
    /// throw <see cref="ObjectDisposedException"/>. A cycle still running (a host whose shutdown timed out while a port
    /// ignored cancellation) finishes normally: the loop holds nothing that must be freed (its cycle gate never creates
    /// a wait handle), and freeing it under that cycle used to fail it with an <see cref="ObjectDisposedException"/>
    /// reported as a failed cycle.
    /// </summary>
    public void Dispose() => Volatile.Write(ref _disposed, 1);

    private async Task<AdjustmentCycleResult> RunCycleAsync(CancellationToken cancellationToken)
    {
        var scaler = FollowLibrary();
        var moves = new List<ShapeMove>();
        await SettleResizesAsync(moves, cancellationToken).ConfigureAwait(false);
        lock (_regionsGate)
        {
            _forgottenSinceRead.Clear(); // a region forgotten from here on may still be in this read: it is not fed
        }

        var observations = await _source.ReadAsync(cancellationToken).ConfigureAwait(false);
        var regionDemand = new Dictionary<string, (ResourceVector Sum, DateTimeOffset Latest, int Replicas)>(StringComparer.Ordinal);
        var summed = new HashSet<(string Region, string ReplicaId)>();
        foreach (var observation in observations)
        {
            // The region's demand counts every replica the source reports there, tracked or not, once each: the
            // predictor forecasts the region, and a host that has provisioned nothing yet must still learn from the
            // service's replicas already running, or every request there would answer NoPrediction forever. A blank
            // region names nothing to feed.
            if (IsUsable(observation) && summed.Add((observation.Region, observation.ReplicaId)))
            {
                regionDemand[observation.Region] = regionDemand.TryGetValue(observation.Region, out var acc)
                    ? (acc.Sum + observation.Used, observation.Timestamp > acc.Latest ? observation.Timestamp : acc.Latest, acc.Replicas + 1)
                    : (observation.Used, observation.Timestamp, 1);
            }
        }

        Dictionary<string, ResourceVector>? forecasts = _options.IsProactive && _predictor is not null ? BuildForecasts(regionDemand) : null;
        var evaluated = 0;

        foreach (var observation in observations)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var used = observation.Used;
            if (!IsUsable(observation))
            {
                continue;
            }

            // Only a replica the control plane tracks (and so holds a reservation for) can be moved.
            if (!_inventory.TryGet(observation.ReplicaId, out var record))
            {
                continue;
            }

            if (scaler is null)
            {
                continue; // the library has no shapes: nothing to move to
            }

            var shapeIndex = scaler.Catalog.IndexOf(record.Shape.Name);
            if (shapeIndex < 0)
            {
                continue;
            }

            evaluated++;
            if (!TryGetState(record.ReplicaId, out var state) || state.ShapeIndex != shapeIndex)
            {
                // New replica, or moved by someone else: start afresh on its current shape.
                state = ScalerState.Create(shapeIndex);
            }

            var decision = forecasts is not null && forecasts.TryGetValue(record.Region, out var forecast)
                ? scaler.Decide(state, used, forecast, observation.Timestamp, out var next)
                : scaler.Decide(state, used, observation.Timestamp, out next);

            if (!decision.IsMove)
            {
                SetState(record.ReplicaId, next, clearRetryWait: true);
                continue;
            }

            if (_unsettled.ContainsKey(record.ReplicaId) || IsWaitingToRetry(record.ReplicaId, observation.Timestamp))
            {
                // A recent move of this replica failed, or its last resize is not settled yet: keep the smoothed
                // utilisation, not the move, and ask later.
                SetState(record.ReplicaId, next.RollBackMove(state), clearRetryWait: false);
                continue;
            }

            var move = await ApplyMoveAsync(scaler.Catalog[decision.TargetShapeIndex], record, decision, observation.Timestamp, cancellationToken).ConfigureAwait(false);
            moves.Add(move);
            Remember(move);
            if (move.IsApplied)
            {
                SetState(record.ReplicaId, next, clearRetryWait: true);
            }
            else
            {
                SetFailedState(record.ReplicaId, next.RollBackMove(state), observation.Timestamp);
            }
        }

        PruneStates();
        var regionsObserved = 0;
        if (_predictor is not null)
        {
            regionsObserved = FeedRegions(regionDemand);
        }

        return new AdjustmentCycleResult(observations.Count, evaluated, moves, regionsObserved);
    }

    /// <summary>
    /// Forgets a region the loop has fed to the predictor, so that it no longer observes zero demand there while no
    /// replica runs in it. Use it when a region is decommissioned, before removing the region from the predictor
    /// (<c>PredictiveLoadEngine.RemoveRegion</c>, which the zeros would otherwise undo); a host built with
    /// <c>AddPredictiveShaping()</c> does both in that order with one call, <c>RegionDecommissioner.Decommission</c>. The
    /// region is learnt again if the source reports a replica there.
    /// </summary>
    /// <remarks>
    /// Safe while a cycle runs: a cycle feeds the predictor under the lock this takes, and a cycle whose read began
    /// before this call neither feeds nor remembers the region (its read may predate the replicas' release), so once
    /// this returns nothing reaches the predictor for the region until a later read reports a replica there (a removal
    /// from the predictor after it lasts). Because the cycle calls the predictor's <see cref="ILoadPredictor.Observe"/>
    /// while it holds that lock, a predictor must not wait in <see cref="ILoadPredictor.Observe"/> for a thread that is
    /// calling this method (the shipped predictors take only their own short locks).
    /// </remarks>
    /// <param name="region">The region.</param>
    /// <returns><see langword="true"/> when the loop had fed the region and now forgot it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="region"/> is <see langword="null"/>.</exception>
    public bool ForgetRegion(string region)
    {
        ArgumentNullException.ThrowIfNull(region);
        lock (_regionsGate)
        {
            _forgottenSinceRead.Add(region);
            return _fedRegions.Remove(region);
        }
    }

    // Feeds the predictor the demand this read found per region, then zero demand to the regions fed in an earlier
    // cycle that this read left out and where the inventory tracks no replica: by the source's contract no replica runs
    // there, so their demand is zero (saying nothing would leave the predictor on the last demand it saw there, and
    // requests sized for load that is gone). A region left out while the inventory tracks a replica in it is no data
    // instead (the source or the inventory is behind), and so is every region when the read has nothing usable at all
    // while the inventory tracks replicas: a read that empty contradicts the inventory, and a monitoring query that
    // silently returned nothing must not teach the predictor zeros everywhere. All of it under the lock ForgetRegion
    // takes: a region forgotten since this read began is neither fed nor remembered (the read may predate the release
    // of its replicas), and one forgotten while it is fed (by the predictor's Observe: the lock lets the thread holding
    // it in again) is not remembered; so once ForgetRegion returns, no zero brings the region back. Returns how many
    // regions it fed.
    private int FeedRegions(Dictionary<string, (ResourceVector Sum, DateTimeOffset Latest, int Replicas)> regionDemand)
    {
        var predictor = _predictor!; // called only with a predictor
        lock (_regionsGate)
        {
            var fed = 0;
            var remembered = 0;
            foreach (var (region, (sum, latest, _)) in regionDemand)
            {
                if (_forgottenSinceRead.Contains(region))
                {
                    continue;
                }

                predictor.Observe(region, latest, sum);
                fed++;
                if (!_forgottenSinceRead.Contains(region))
                {
                    _fedRegions.Add(region);
                    remembered++;
                }
            }

            if (_fedRegions.Count == remembered || (remembered == 0 && _inventory.Count > 0))
            {
                return fed; // the common case: every region fed was read
            }

            var tracked = _inventory.TrackedRegions();
            var idle = new List<string>();
            foreach (var region in _fedRegions)
            {
                if (!regionDemand.ContainsKey(region) && !tracked.Contains(region))
                {
                    idle.Add(region);
                }
            }

            // Each idle region only while it is still remembered (a predictor may forget one from its Observe).
            var now = _timeProvider.GetUtcNow();
            foreach (var region in idle)
            {
                if (_fedRegions.Contains(region))
                {
                    predictor.Observe(region, now, ResourceVector.Zero);
                    fed++;
                }
            }

            return fed;
        }
    }

    private async Task<ShapeMove> ApplyMoveAsync(
        ResourceShape target, ReplicaRecord record, ScalerDecision decision, DateTimeOffset timestamp, CancellationToken cancellationToken)
    {
        var sequence = Interlocked.Increment(ref _moveSequence);
        var key = string.Create(
            CultureInfo.InvariantCulture, $"resize/{record.Region}/{record.ReplicaId}/{timestamp.UtcTicks}/{sequence}");
        var move = new UnsettledResize(record, target, decision, key, ReservationId.Create(key), timestamp);

        // Unavailable is not a refusal: the reserve may have taken effect, so it is replayed by the same id, and given
        // back if it stays unanswered (or the cycle is cancelled meanwhile) rather than held for nothing until it expires.
        LedgerResult reservation;
        try
        {
            reservation = await LedgerReplay.ReserveAsync(
                _ledger,
                new ReservationRequest(move.Reservation, record.Region, target.Name, target.Capacity, 1, _options.ReservationTimeToLive),
                _options.MaxResizeRetries,
                TimeSpan.Zero,
                _timeProvider,
                cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await ReleaseAsync(move.Reservation).ConfigureAwait(false); // in case a call took effect; NotFound otherwise
            throw;
        }
        if (!reservation.IsSuccess)
        {
            if (reservation.Status == ReservationStatus.Unavailable)
            {
                await ReleaseAsync(move.Reservation).ConfigureAwait(false);
            }

            return move.Outcome(ShapeMoveOutcome.NoCapacity);
        }

        (ProvisionResult Answer, bool Ambiguous) resize;
        try
        {
            resize = await ResizeAsync(move, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The resize may have happened: the next cycle replays its key to learn whether. Until then the new shape
            // is counted by the hold, until it expires.
            _unsettled[record.ReplicaId] = move;
            throw;
        }

        if (resize.Answer.IsSuccess)
        {
            return await FinishAsync(move).ConfigureAwait(false);
        }

        if (resize.Ambiguous)
        {
            // A TransientFailure may hide a resize that happened and lost its answer: the replica may run on either
            // shape. Count both (commit the new reservation, keep the old one), so the region is over-reserved rather
            // than oversubscribed, and replay the key on later cycles until the region says which. Remembered first:
            // a ledger that throws here must not lose the move (later cycles commit the hold again).
            _unsettled[record.ReplicaId] = move;
            try
            {
                _ = await LedgerReplay.CommitAsync(_ledger, move.Reservation, _options.MaxResizeRetries, TimeSpan.Zero, _timeProvider).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                ReportError(ex);
            }

            return move.Outcome(ShapeMoveOutcome.ResizeOutcomeUnknown);
        }

        await ReleaseAsync(move.Reservation).ConfigureAwait(false);
        return move.Outcome(ShapeMoveOutcome.ResizeFailed);
    }

    // Replays the key of every resize whose outcome was unknown; reports each that the region now answers for.
    private async Task SettleResizesAsync(List<ShapeMove> moves, CancellationToken cancellationToken)
    {
        if (_unsettled.Count == 0)
        {
            return;
        }

        foreach (var move in _unsettled.Values.ToList())
        {
            ShapeMove? settled;
            if (!_inventory.TryGet(move.Record.ReplicaId, out _))
            {
                await ReleaseAsync(move.Reservation).ConfigureAwait(false);
                settled = move.Outcome(ShapeMoveOutcome.ReplicaRemoved);
            }
            else
            {
                var resize = await ResizeAsync(move, cancellationToken).ConfigureAwait(false);
                if (resize.Answer.IsSuccess)
                {
                    // No longer unknown: FinishAsync keeps it again if the ledger throws before the inventory records
                    // the move, and once it is recorded it must not be finished a second time (an exception after that,
                    // releasing the old reservation, fails the cycle with the move settled).
                    _unsettled.Remove(move.Record.ReplicaId);
                    settled = await FinishAsync(move).ConfigureAwait(false);
                    if (settled.Outcome == ShapeMoveOutcome.ResizeOutcomeUnknown)
                    {
                        continue; // the ledger threw while it was finished: still unknown (FinishAsync kept it)
                    }
                }
                else if (resize.Answer.Status == ProvisionStatus.Rejected)
                {
                    // By the port's contract a key that resized answers success on a replay: this one never did.
                    await ReleaseAsync(move.Reservation).ConfigureAwait(false);
                    settled = move.Outcome(ShapeMoveOutcome.ResizeFailed);
                }
                else
                {
                    // Still unknown: both shapes stay counted. A move cancelled during its resize still holds its
                    // reservation uncommitted; commit it now, as a lost answer within the move does, so it does not
                    // expire while the replica may run on the new shape (a no-op when it is committed already). If
                    // the hold expired before this cycle (or the ledger has forgotten it since: NotFound), count the new
                    // shape with a reservation of its own instead, under an id of its own each try (a failed try's id
                    // is released, and a released id cannot be reserved again).
                    var commit = await LedgerReplay.CommitAsync(_ledger, move.Reservation, _options.MaxResizeRetries, TimeSpan.Zero, _timeProvider).ConfigureAwait(false);
                    if (commit.Status is ReservationStatus.Expired or ReservationStatus.NotFound
                        && await ReserveAndCommitAsync(move, RecountKey(move)).ConfigureAwait(false) is { } recount)
                    {
                        // The recount takes over, and the reservation it replaces (the move's hold, or an earlier
                        // recount) is released. By the ledger's contract that frees nothing: a committed reservation
                        // answers a commit with success, so only an expired hold or an unknown id gets here. But a
                        // ledger that answers NotFound for a reservation it still counts (one restored from a backup
                        // that lost the row, say) would otherwise count the new shape twice, and nothing would ever
                        // release the replaced one.
                        _unsettled[move.Record.ReplicaId] = move with { Reservation = recount };
                        await ReleaseAsync(move.Reservation).ConfigureAwait(false);
                    }

                    continue;
                }
            }

            _unsettled.Remove(move.Record.ReplicaId);
            moves.Add(settled);
            Remember(settled);
            if (settled.IsApplied)
            {
                ClearRetryWait(move.Record.ReplicaId);
            }
        }
    }

    /// <returns>
    /// The last answer, and whether any answer was a TransientFailure or the provisioner threw (the resize may have
    /// happened unseen).
    /// </returns>
    [SuppressMessage(
        "Design",
        "CA1031:Do not catch general exception types",
        Justification = "A provisioner that throws may have resized before it failed: the loop must treat that as an unknown outcome, not lose the move.")]
    private async Task<(ProvisionResult Answer, bool Ambiguous)> ResizeAsync(UnsettledResize move, CancellationToken cancellationToken)
    {
        var request = new ResizeRequest(move.Key, move.Record.Region, move.Record.ReplicaId, move.Target);
        var ambiguous = false;
        for (var attempt = 0; ; attempt++)
        {
            ProvisionResult answer;
            try
            {
                answer = await _provisioner.ResizeAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                // An adapter bug, or a timeout of its own: the call may have reached the region and resized before it
                // threw. Escaping here would skip the other replicas and the feedback and leave the hold to expire;
                // treated as a lost answer instead, the new shape stays counted and later cycles replay the key. Not
                // replayed at once: a throwing adapter most likely throws again. Kept visible in LastError.
                ReportError(ex);
                return (ProvisionResult.Failure(ProvisionStatus.TransientFailure, ex.Message), true);
            }

            if (answer.Status != ProvisionStatus.TransientFailure)
            {
                return (answer, ambiguous);
            }

            ambiguous = true;
            if (attempt == _options.MaxResizeRetries)
            {
                return (answer, true);
            }
        }
    }

    // The replica runs on the target shape: finish the bookkeeping (not cancellable: the resize has happened). A ledger
    // that throws before the inventory records the move leaves it unknown, to be finished by a later cycle's replay.
    [SuppressMessage(
        "Design",
        "CA1031:Do not catch general exception types",
        Justification = "The resize has happened: a ledger that throws must not lose the move. The exception is kept in LastError.")]
    private async Task<ShapeMove> FinishAsync(UnsettledResize move)
    {
        var replicaId = move.Record.ReplicaId;
        ReplicaRecord? current;
        ReservationId accounting;
        ReservationId? replacement = null;
        try
        {
            if (!_inventory.TryGet(replicaId, out current))
            {
                // The host removed the replica while it was resized; the new reservation accounts for nothing.
                await ReleaseAsync(move.Reservation).ConfigureAwait(false);
                return move.Outcome(ShapeMoveOutcome.ReplicaRemoved);
            }

            accounting = move.Reservation;
            if (!(await LedgerReplay.CommitAsync(_ledger, move.Reservation, _options.MaxResizeRetries, TimeSpan.Zero, _timeProvider).ConfigureAwait(false)).IsSuccess)
            {
                // The hold expired during a slow resize, or the ledger stayed unavailable (the commit may have taken
                // effect). Account for the new shape with a new reservation, then release the first: a no-op when it
                // expired, and it frees the capacity when an unanswered commit took effect. Failing that, the replica
                // stays on its old reservation, which is kept: under-counted by the difference, never uncounted.
                replacement = await ReserveAndCommitAsync(move, AgainKey(move)).ConfigureAwait(false);
                accounting = replacement ?? current.Reservation;
                await ReleaseAsync(move.Reservation).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            // The ledger threw (an adapter bug, or a time-out of its own) while the replica already runs on the target.
            // Escaping here would leave the inventory on the old shape and the new reservation to expire, or, if it was
            // committed, to be released by nothing. Kept as unknown instead, on the reservation that counts the new
            // shape (the replacement once it is committed; a replacement whose reserve or commit threw was given back),
            // so the ledger keeps counting both shapes and later cycles replay the key and finish the move.
            ReportError(ex);
            _unsettled[replicaId] = replacement is { } committed ? move with { Reservation = committed } : move;
            return move.Outcome(ShapeMoveOutcome.ResizeOutcomeUnknown);
        }

        if (!_inventory.TryMove(replicaId, move.Target, accounting, out var vacated))
        {
            // Removed just now: nothing occupies the reservation made for it.
            if (accounting != current.Reservation)
            {
                await ReleaseAsync(accounting).ConfigureAwait(false);
            }

            return move.Outcome(ShapeMoveOutcome.ReplicaRemoved);
        }

        if (vacated is { } old && old != accounting)
        {
            await ReleaseAsync(old).ConfigureAwait(false);
        }

        _telemetry.RecordShapeSwitch(move.Record.Region, move.Decision.Action == ScalerAction.MoveUp ? ShapingTags.Up : ShapingTags.Down);
        return move.Outcome(accounting == current.Reservation ? ShapeMoveOutcome.AppliedUncommitted : ShapeMoveOutcome.Applied);
    }

    /// <summary>
    /// Moves the loop onto the library's current catalog when it has published another one since the last cycle: a
    /// scaler over the new catalog with the same policy, and each replica's state kept (its shape found again by
    /// name, since indexes shift) or dropped when its shape is gone.
    /// </summary>
    /// <returns>The scaler for this cycle, or <see langword="null"/> when the library has no shapes.</returns>
    private HysteresisScaler? FollowLibrary()
    {
        var previous = _scaler;
        if (_library is null)
        {
            return previous;
        }

        var catalog = _library.Current;
        if (ReferenceEquals(catalog, previous?.Catalog))
        {
            return previous;
        }

        var next = catalog.IsEmpty ? null : new HysteresisScaler(catalog, _policy);
        lock (_statesGate)
        {
            // Catalog changes are rare: a snapshot of the states keeps this simple.
            foreach (var (replicaId, state) in _states.ToArray())
            {
                var index = next is null || previous is null || state.ShapeIndex >= previous.Catalog.Count
                    ? -1
                    : next.Catalog.IndexOf(previous.Catalog[state.ShapeIndex].Name);
                if (index >= 0)
                {
                    _states[replicaId] = state.WithShapeIndex(index);
                }
                else
                {
                    _states.Remove(replicaId);
                }
            }
        }

        _scaler = next;
        return next;
    }

    [SuppressMessage(
        "Design",
        "CA1031:Do not catch general exception types",
        Justification = "A handler that throws (a logger, say) must not stop the loop it reports on.")]
    private void ReportError(Exception error)
    {
        Volatile.Write(ref _lastError, error);
        if (Error is not { } handlers)
        {
            return;
        }

        // One at a time, so that a handler that throws does not keep the error from the ones after it (a logger).
        foreach (var handler in handlers.GetInvocationList())
        {
            try
            {
                ((EventHandler<Exception>)handler)(this, error);
            }
            catch (Exception)
            {
                // Ignored: see Error.
            }
        }
    }

    private async ValueTask ReleaseAsync(ReservationId id) =>
        _ = await LedgerReplay.ReleaseAsync(_ledger, id, _options.MaxResizeRetries, TimeSpan.Zero, _timeProvider).ConfigureAwait(false);

    private static bool IsUsable(in ReplicaUtilization observation) =>
        observation.Used.IsValidAmount && !string.IsNullOrWhiteSpace(observation.Region);

    // The predictor was fed each region's total over every replica the source reported there, so a replica's share of
    // the forecast divides by that count (this cycle's), not by how many of them the control plane tracks.
    private Dictionary<string, ResourceVector> BuildForecasts(Dictionary<string, (ResourceVector Sum, DateTimeOffset Latest, int Replicas)> regionDemand)
    {
        var forecasts = new Dictionary<string, ResourceVector>(StringComparer.Ordinal);
        foreach (var (region, (_, _, count)) in regionDemand)
        {
            if (_predictor!.TryGetProfile(region, _options.ProactiveLeadTime, out var profile))
            {
                var perReplica = profile.PeakQuantile(_options.ForecastConfidence) * (1.0 / count);
                if (perReplica.IsValidAmount)
                {
                    forecasts[region] = perReplica;
                }
            }
        }

        return forecasts;
    }

    private void Remember(ShapeMove move)
    {
        lock (_recentGate)
        {
            if (_recentMoves.Count == RecentMovesCapacity)
            {
                _recentMoves.Dequeue();
            }

            _recentMoves.Enqueue(move);
        }
    }

    private void SetState(string replicaId, in ScalerState state, bool clearRetryWait)
    {
        lock (_statesGate)
        {
            _states[replicaId] = state;
            if (clearRetryWait)
            {
                _retryWaits.Remove(replicaId);
            }
        }
    }

    private void SetFailedState(string replicaId, in ScalerState state, DateTimeOffset timestamp)
    {
        lock (_statesGate)
        {
            _states[replicaId] = state;
            var failures = _retryWaits.TryGetValue(replicaId, out var wait) ? wait.Failures + 1 : 1;
            var backoff = _options.BackoffAfter(failures);

            // A back-off the options accept may reach past the last representable time (up to TimeSpan.MaxValue): the
            // wait then ends there, that is never, rather than throw out of the cycle.
            // Added in UTC: comparisons are, and an offset ahead of UTC would leave less room before the last time.
            var utc = timestamp.ToUniversalTime();
            var notBefore = backoff < DateTimeOffset.MaxValue - utc ? utc + backoff : DateTimeOffset.MaxValue;
            _retryWaits[replicaId] = new RetryWait(failures, notBefore);
        }
    }

    private void ClearRetryWait(string replicaId)
    {
        lock (_statesGate)
        {
            _retryWaits.Remove(replicaId);
        }
    }

    private bool IsWaitingToRetry(string replicaId, DateTimeOffset timestamp)
    {
        lock (_statesGate)
        {
            return _retryWaits.TryGetValue(replicaId, out var wait) && timestamp < wait.NotBefore;
        }
    }

    private void PruneStates()
    {
        lock (_statesGate)
        {
            PruneStatesLocked();
        }
    }

    private void PruneStatesLocked()
    {
        List<string>? gone = null;
        foreach (var replicaId in _states.Keys)
        {
            if (!_inventory.TryGet(replicaId, out _))
            {
                (gone ??= []).Add(replicaId);
            }
        }

        if (gone is not null)
        {
            foreach (var replicaId in gone)
            {
                _states.Remove(replicaId);
                _retryWaits.Remove(replicaId);
            }
        }
    }

    /// <summary>Consecutive failed moves of one replica and the observation time before which it is not moved again.</summary>
    private readonly record struct RetryWait(int Failures, DateTimeOffset NotBefore);

    // The id of a recount: the resize key and a number no other recount of this loop has, since a failed recount's id
    // is released and the ledger answers a released id Conflict until it forgets it.
    private string RecountKey(UnsettledResize move) =>
        string.Create(CultureInfo.InvariantCulture, $"{move.Key}/recount-{Interlocked.Increment(ref _moveSequence)}");

    // The id of the reservation that replaces a move's hold whose commit failed after the resize: likewise a number of
    // its own per try, since a try whose ledger threw releases its id and the move's next try must reserve anew.
    private string AgainKey(UnsettledResize move) =>
        string.Create(CultureInfo.InvariantCulture, $"{move.Key}/again-{Interlocked.Increment(ref _moveSequence)}");

    // Counts the move's target shape with a new reservation, reserved and committed under the given key (not
    // cancellable: the replica may already run on the target). Null when that fails; a reserve that may have taken
    // effect is then released. When the ledger throws, the reservation (which accounts for nothing yet, and may have been
    // committed before the exception) is released too before the exception goes on, so it is never left counted.
    [SuppressMessage(
        "Design",
        "CA1031:Do not catch general exception types",
        Justification = "Not swallowed: the ledger's exception always goes on; a release that throws too only leaves that exception.")]
    private async Task<ReservationId?> ReserveAndCommitAsync(UnsettledResize move, string key)
    {
        var id = ReservationId.Create(key);
        LedgerResult reserved;
        bool committed;
        try
        {
            reserved = await LedgerReplay.ReserveAsync(
                _ledger,
                new ReservationRequest(id, move.Record.Region, move.Target.Name, move.Target.Capacity, 1, _options.ReservationTimeToLive),
                _options.MaxResizeRetries,
                TimeSpan.Zero,
                _timeProvider,
                CancellationToken.None).ConfigureAwait(false);
            committed = reserved.IsSuccess
                && (await LedgerReplay.CommitAsync(_ledger, id, _options.MaxResizeRetries, TimeSpan.Zero, _timeProvider).ConfigureAwait(false)).IsSuccess;
        }
        catch (Exception)
        {
            try
            {
                await ReleaseAsync(id).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The ledger's first exception is the one that goes on.
            }

            throw;
        }

        if (committed)
        {
            return id;
        }

        if (reserved.IsSuccess || reserved.Status == ReservationStatus.Unavailable)
        {
            await ReleaseAsync(id).ConfigureAwait(false);
        }

        return null;
    }

    /// <summary>
    /// A move from the reserve on: the replica as it was, the target shape, the resize's idempotency key and the
    /// reservation for the target (its id is the key). Kept between cycles while the resize's outcome is unknown.
    /// </summary>
    private sealed record UnsettledResize(
        ReplicaRecord Record, ResourceShape Target, ScalerDecision Decision, string Key, ReservationId Reservation, DateTimeOffset Timestamp)
    {
        public ShapeMove Outcome(ShapeMoveOutcome outcome) =>
            new(Record.Region, Record.ReplicaId, Record.Shape, Target, Decision, outcome, Timestamp);
    }
}
