using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Shaping.Core.Prediction;
using Shaping.Core.Resources;
using Shaping.Forecasting.Intervals;

namespace Shaping.Forecasting.Engine;

/// <summary>
/// The Predictive Load Engine: keeps a series per region and dimension, fits forecasters on a schedule, and keeps a
/// <see cref="LoadProfile"/> per region and window precomputed, so that <see cref="TryGetProfile"/> on the request
/// path is a lookup.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Observe"/> averages observations into steps of <see cref="PredictiveLoadEngineOptions.Resolution"/>
/// and feeds each closed step to the region's models online (O(1), no refit). <see cref="RefreshAsync"/> — run
/// periodically by <see cref="RunAsync"/> on the engine's <see cref="TimeProvider"/> — refits a region's models
/// when <see cref="PredictiveLoadEngineOptions.RefitInterval"/> has passed, then simulates
/// <see cref="PredictiveLoadEngineOptions.PathCount"/> sample paths per dimension and summarises, per window, the
/// distribution of the window's mean and of its peak (the maximum over the window's steps along each path). The
/// windows start at the refresh's now: when the latest data ends some steps before now (a source that reports late),
/// the paths run over those steps first (a lead) and the windows are summarised after them.
/// </para>
/// <para>
/// <b>Fallback.</b> While a series is shorter than the minimum history, when a fit or refresh fails, when a profile
/// is older than <see cref="PredictiveLoadEngineOptions.StaleAfter"/> (the refresh loop stopped), or when the
/// region's latest observation is older than <see cref="PredictiveLoadEngineOptions.StaleAfter"/> (its data stopped:
/// a forecast made from it would describe a window that has passed), lookups are answered by the fallback predictor
/// (the core percentile recommender by default in the DI package), relabelled
/// <see cref="ProfileSource.Fallback"/> with a note saying why. Every observation is also passed to the fallback,
/// so it is ready when needed. Both ages are judged at lookup time: a refresh that finds a region's data stale
/// simulates nothing and leaves its last profiles as they were, so when the data resumes lookups serve them again at
/// once if they are younger than <see cref="PredictiveLoadEngineOptions.StaleAfter"/>, or else fall back saying the
/// forecast is stale, until the next refresh.
/// </para>
/// <para>
/// <b>Bad input.</b> <see cref="Observe"/> rejects NaN, infinite and negative demand with an exception naming the
/// argument. Demand above <see cref="ForecastLimits.MaximumObservation"/> is recorded and passed to the fallback, but
/// the models refuse it: when such a step closes, the region's models are dropped and it falls back (the refit says
/// why) instead of <see cref="Observe"/> throwing. A constant series forecasts its constant (zero-width
/// distributions). Forecast paths are floored at 0.
/// </para>
/// <para>
/// <b>Clocks and gaps.</b> An observation stamped more than <see cref="PredictiveLoadEngineOptions.MaxClockSkew"/>
/// ahead of the engine's <see cref="TimeProvider"/> is recorded at that limit and counted
/// (<see cref="FutureObservationsClamped"/>), so a source whose clock runs ahead cannot move a region's series into
/// the future. Missing steps are filled (seasonal carry-forward); but a gap of at least
/// <see cref="PredictiveLoadEngineOptions.MaximumHistory"/> steps restarts the region's series at the new observation
/// instead (its models are dropped and it falls back until it has the minimum history again), which bounds the work of
/// one <see cref="Observe"/> and keeps synthetic steps from replacing all real history.
/// </para>
/// <para>
/// <b>Calibration.</b> With <see cref="PredictiveLoadEngineOptions.CalibratePeaks"/> on, each refresh also scores the
/// windows it published earlier that have passed (their realised peak against the quantiles stated for them) and
/// publishes its peak quantiles moved by an adaptive conformal calibrator per region, window, dimension and level, so
/// that the share of windows whose peak exceeds a stated quantile follows the quantile's level on the live series.
/// Only the refresh does this work: <see cref="Observe"/> stays O(1) and <see cref="TryGetProfile"/> a lookup.
/// </para>
/// <para><b>Thread safety:</b> all members are safe to call concurrently. Lookups never block on a fit.</para>
/// </remarks>
public sealed class PredictiveLoadEngine : ILoadPredictor
{
    private const string DataStaleReason = "data is stale: no observation for longer than StaleAfter";
    private const string ForecastStaleReason = "forecast is stale";

    private readonly ConcurrentDictionary<string, RegionState> _regions = new(StringComparer.Ordinal);
    private readonly PredictiveLoadEngineOptions _options;
    private readonly IForecaster _forecaster;
    private readonly ILoadPredictor _fallback;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan[] _windows;
    private readonly int _seasonalPeriod;
    private readonly TimeSpan _maxClockSkew;
    private readonly TimeSpan _refreshInterval;
    private readonly TimeSpan _staleAfter;
    private readonly int _maxLeadSteps;
    private readonly int _longestWindowSteps;
    private readonly int[] _windowSteps;
    private long _futureObservationsClamped;

    /// <summary>Creates an engine.</summary>
    /// <param name="forecaster">The forecaster fitted per region and dimension (for example a validated selection among seasonal naive and AutoEts).</param>
    /// <param name="fallback">The predictor that answers while no forecast is available.</param>
    /// <param name="options">The settings; copied and validated here, so later changes to the instance have no effect on the engine.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    public PredictiveLoadEngine(
        IForecaster forecaster, ILoadPredictor fallback, PredictiveLoadEngineOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(forecaster);
        ArgumentNullException.ThrowIfNull(fallback);
        ArgumentNullException.ThrowIfNull(options);

        // A private copy, validated once: later changes to the caller's instance cannot bypass the validation.
        options = options.Clone();
        options.Validate();
        _forecaster = forecaster;
        _fallback = fallback;
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _windows = [.. options.Windows.Distinct().Order()];
        _seasonalPeriod = options.EffectiveSeasonalPeriod;
        _maxClockSkew = options.MaxClockSkew;
        _refreshInterval = options.RefreshInterval;
        _staleAfter = options.StaleAfter;
        _maxLeadSteps = options.MaxLeadSteps;
        _longestWindowSteps = options.LongestWindowSteps;
        _windowSteps = [.. _windows.Select(w => Math.Min(Math.Max(1, (int)Math.Ceiling(w / options.Resolution)), _longestWindowSteps))];
    }

    /// <summary>
    /// Gets how many observations, over all regions, had a timestamp more than
    /// <see cref="PredictiveLoadEngineOptions.MaxClockSkew"/> ahead of the engine's clock and were recorded at that
    /// limit instead. A count that keeps growing points at a source whose clock runs ahead.
    /// </summary>
    public long FutureObservationsClamped => Interlocked.Read(ref _futureObservationsClamped);

    /// <summary>Gets the regions the engine has seen.</summary>
    public IReadOnlyCollection<string> Regions => (IReadOnlyCollection<string>)_regions.Keys;

    /// <inheritdoc/>
    /// <remarks>Allocation-free when a fresh forecast profile exists; otherwise the fallback answers.</remarks>
    public bool TryGetProfile(string region, TimeSpan window, [NotNullWhen(true)] out LoadProfile? profile)
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        string reason;
        if (_regions.TryGetValue(region, out var state))
        {
            var published = state.Published; // read once: Observe may withdraw it meanwhile
            if (FallsBack(state, published, _timeProvider.GetUtcNow(), out var fallbackReason))
            {
                reason = fallbackReason;
            }
            else
            {
                var profiles = published.Profiles;
                for (var i = 0; i < profiles.Length; i++)
                {
                    if (profiles[i].Window >= window)
                    {
                        profile = profiles[i];
                        return true;
                    }
                }

                reason = "no precomputed window is that long";
            }
        }
        else
        {
            reason = "no observations for the region";
        }

        return TryFallback(region, window, reason, out profile);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// A <paramref name="timestamp"/> more than <see cref="PredictiveLoadEngineOptions.MaxClockSkew"/> ahead of the
    /// engine's clock is taken as that far ahead (and counted in <see cref="FutureObservationsClamped"/>) rather than
    /// rejected: the demand is real. A timestamp more than <see cref="PredictiveLoadEngineOptions.MaximumHistory"/>
    /// steps after the region's latest (a gap of at least that many missing steps) restarts the region's series (see
    /// the class remarks). Fewer than <see cref="PredictiveLoadEngineOptions.MaximumHistory"/> gap steps are filled per call.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="region"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="region"/> is empty or white space (as the core fallback,
    /// <see cref="DecayingHistogramPredictor"/>, rejects it: checked first, so nothing is recorded).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="demand"/> has a NaN, infinite or negative dimension.</exception>
    public void Observe(string region, DateTimeOffset timestamp, ResourceVector demand)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ResourceVector.ThrowIfInvalidAmount(demand);
        var state = _regions.GetOrAdd(region, static (_, engine) => new RegionState(engine._options, engine._seasonalPeriod), this);
        var now = _timeProvider.GetUtcNow();
        var clamped = false;
        if (timestamp - now > _maxClockSkew)
        {
            timestamp = now + _maxClockSkew;
            clamped = true;
            Interlocked.Increment(ref _futureObservationsClamped);
        }

        var step = timestamp.UtcTicks / _options.Resolution.Ticks;
        lock (state.Gate)
        {
            if (clamped)
            {
                state.FutureObservationsClamped++;
            }

            if (timestamp.UtcTicks > state.LastObservedTicks)
            {
                Volatile.Write(ref state.LastObservedTicks, timestamp.UtcTicks);
            }

            var restarted = false;
            for (var d = 0; d < ResourceVector.DimensionCount; d++)
            {
                restarted |= state.Series[d].Add(step, demand[(Dimension)d], (state, d), static (s, value) => s.state.AbsorbOnline(s.d, value));
            }

            if (restarted)
            {
                // The models describe history that is gone; the region falls back until it has enough again.
                Array.Clear(state.Models);
                state.ModelsVersion++;
                state.LastFit = null;
                state.Published = null;
                state.FallbackReason = "series restarted after a gap of at least MaximumHistory steps";
                state.Calibration = null; // its pending windows and scores describe the history that is gone
            }
        }

        _fallback.Observe(region, timestamp, demand);
    }

    /// <summary>
    /// Refits models that are due and recomputes every region's profiles: what <see cref="RunAsync"/> does on each
    /// tick. Call it directly to drive the engine from your own scheduler or a test.
    /// </summary>
    /// <param name="cancellationToken">Cancels between regions and dimensions.</param>
    /// <returns>A task that completes when every region is refreshed.</returns>
    /// <remarks>
    /// <para>
    /// The work (fits due, then path simulations) runs on the caller's thread, and the returned task is already
    /// complete: call it from a background thread, or use <see cref="RunAsync"/>, which moves each refresh to the
    /// thread pool.
    /// </para>
    /// <para>
    /// Regions are isolated: when refreshing one fails (a fit, a simulation that diverges to NaN or infinity, a
    /// distribution that cannot be built), that region's profiles are withdrawn, its lookups fall back with the
    /// failure as the reason (also in <see cref="GetStatus"/>), and the other regions are still refreshed. Only
    /// cancellation escapes.
    /// </para>
    /// </remarks>
    public Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        foreach (var (_, state) in _regions)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                RefreshRegion(state, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // One region's failure, whatever its type, must not stop the others or the refresh loop.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                state.FallbackReason = $"refresh failed: {exception.GetType().Name}: {exception.Message}";
                state.Published = null;
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Refreshes every <see cref="PredictiveLoadEngineOptions.RefreshInterval"/> until cancelled.</summary>
    /// <remarks>
    /// Each refresh runs on the thread pool (<see cref="Task.Run(Func{Task}, CancellationToken)"/>), so neither the
    /// caller (a hosted service starting, a scheduler) nor the clock's timer thread is held for the fits: the call
    /// returns at its first refresh. A region whose refresh fails falls back with the reason (see
    /// <see cref="RefreshAsync"/>); the loop goes on.
    /// </remarks>
    /// <param name="cancellationToken">Stops the loop.</param>
    /// <returns>A task that completes when the loop stops (it does not fault on cancellation).</returns>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Run(() => RefreshAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
                await Task.Delay(_refreshInterval, _timeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Forgets a region: its series, models and profiles are released, and it is no longer refreshed. Use it for a
    /// region that is decommissioned; a region observed again later starts afresh.
    /// </summary>
    /// <remarks>
    /// When the fallback predictor is a <see cref="DecayingHistogramPredictor"/> (the DI package's default), the region
    /// is removed from it too, so a lookup for the region returns <see langword="false"/> instead of a fallback profile
    /// sized from the demand it had when it ran; another fallback keeps its own state for the region
    /// (<see cref="ILoadPredictor"/> has no removal). An observation that races with the removal may be lost, or may
    /// bring the region back into the fallback alone (stop the region's observers first, as
    /// <c>RegionDecommissioner</c> does with the adjustment loop). A <see cref="Core.ControlPlane.ShapeAdjustmentLoop"/> that
    /// fed the region keeps observing zero demand there while no replica runs in it, which brings the region back:
    /// call its <see cref="Core.ControlPlane.ShapeAdjustmentLoop.ForgetRegion"/> first. A host built with
    /// <c>AddPredictiveShaping()</c> does both, in that order, with <c>RegionDecommissioner.Decommission</c>
    /// (Shaping.DependencyInjection).
    /// </remarks>
    /// <param name="region">The region.</param>
    /// <returns><see langword="true"/> when the region was known (to the engine or its fallback) and is now removed.</returns>
    public bool RemoveRegion(string region)
    {
        ArgumentNullException.ThrowIfNull(region);
        var removed = _regions.TryRemove(region, out _);
        var removedFromFallback = _fallback is DecayingHistogramPredictor histograms && histograms.RemoveRegion(region);
        return removed || removedFromFallback;
    }

    /// <summary>Gets what the engine knows about a region's models, for diagnostics and dashboards.</summary>
    /// <param name="region">The region.</param>
    /// <returns>The status, or <see langword="null"/> for an unknown region.</returns>
    public EngineRegionStatus? GetStatus(string region)
    {
        ArgumentNullException.ThrowIfNull(region);
        if (!_regions.TryGetValue(region, out var state))
        {
            return null;
        }

        lock (state.Gate)
        {
            // The same reasons as a lookup's, so the status does not say "no fallback" while lookups fall back.
            var published = state.Published;
            return new EngineRegionStatus(
                region,
                state.Series[0].Length,
                [.. state.Models.Select(m => m?.Name ?? "none")],
                state.LastFit,
                published?.ComputedAt,
                FallsBack(state, published, _timeProvider.GetUtcNow(), out var reason) ? reason : null,
                state.Series.Sum(s => s.GapsFilled),
                state.Series.Sum(s => s.LateDropped))
            {
                FutureObservationsClamped = state.FutureObservationsClamped,
                Restarts = state.Series[0].Restarts,
            };
        }
    }

    // Whether lookups fall back at now, and why; false when the published profiles serve them. Both ages are judged here, at
    // lookup time, from the region's latest observation and the profiles' refresh: so data that resumes is fresh at
    // once, not only after the next refresh (which leaves the profiles in place while the data is stale).
    private bool FallsBack(
        RegionState state, [NotNullWhen(false)] PublishedProfiles? published, DateTimeOffset now, [NotNullWhen(true)] out string? reason)
    {
        reason = now.UtcTicks - Volatile.Read(ref state.LastObservedTicks) > _staleAfter.Ticks ? DataStaleReason
            : published is null ? state.FallbackReason
            : now - published.ComputedAt > _staleAfter ? ForecastStaleReason
            : null;
        return reason is not null;
    }

    private bool TryFallback(string region, TimeSpan window, string reason, [NotNullWhen(true)] out LoadProfile? profile)
    {
        if (!_fallback.TryGetProfile(region, window, out var fallbackProfile))
        {
            profile = null;
            return false;
        }

        var note = string.IsNullOrEmpty(fallbackProfile.Note) ? reason : $"{reason}; {fallbackProfile.Note}";
        profile = fallbackProfile.WithSource(ProfileSource.Fallback, note);
        return true;
    }

    private void RefreshRegion(RegionState state, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        if (now.UtcTicks - Volatile.Read(ref state.LastObservedTicks) > _staleAfter.Ticks)
        {
            // No simulation: a forecast from data this old would be for a window that has passed. The profiles last
            // published stay, stamped with their own refresh, and lookups judge both ages when they read them: they
            // fall back while the data is stale, and once it resumes they serve those profiles if still younger than
            // StaleAfter (as between any two refreshes), or say the forecast is stale until the next refresh.
            return;
        }

        DateTimeOffset? lastFit;
        lock (state.Gate)
        {
            // Observe clears it under the gate (a restart or a refused update), and a DateTimeOffset? is not read atomically.
            lastFit = state.LastFit;
        }

        var refit = lastFit is null || now - lastFit.Value >= _options.RefitInterval;
        if (refit && !Refit(state, now, cancellationToken))
        {
            return;
        }

        var random = new Random(_options.Seed);
        var longest = _longestWindowSteps;
        var meanScratch = new double[_options.PathCount];
        var peakScratch = new double[_options.PathCount];
        var means = new QuantileDistribution[_windows.Length, ResourceVector.DimensionCount];
        var peaks = new QuantileDistribution[_windows.Length, ResourceVector.DimensionCount];
        long modelsVersion;
        long windowStart;
        lock (state.Gate)
        {
            modelsVersion = state.ModelsVersion;

            // The models' origin is the open step; the windows start at now's step, which is later when the data lags.
            var nowStep = now.UtcTicks / _options.Resolution.Ticks;
            var lead = (int)Math.Clamp(nowStep - state.Series[0].OpenStep, 0, _maxLeadSteps);
            windowStart = state.Series[0].OpenStep + lead;
            var horizon = checked(lead + longest);
            var length = checked(_options.PathCount * horizon);

            // Rented: a fresh PathCount × horizon array per region and refresh would land on the large object heap.
            var rented = ArrayPool<double>.Shared.Rent(length);
            try
            {
                var paths = rented.AsSpan(0, length);
                for (var d = 0; d < ResourceVector.DimensionCount; d++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var model = state.Models[d];
                    if (model is null)
                    {
                        return;
                    }

                    model.SimulatePaths(paths, horizon, random);
                    for (var w = 0; w < _windows.Length; w++)
                    {
                        var summary = WindowDistribution.Summarize(paths, horizon, lead, _windowSteps[w], meanScratch, peakScratch);
                        (means[w, d], peaks[w, d]) = (summary.Mean, summary.Peak);
                    }
                }
            }
            finally
            {
                ArrayPool<double>.Shared.Return(rented);
            }
        }

        lock (state.Gate)
        {
            // Windows published earlier that have closed since are scored first, so this refresh's profiles use them.
            var calibration = _options.CalibratePeaks
                ? state.Calibration ??= new PeakCalibration(
                    _windowSteps,
                    _options.PeakCalibrationScores,
                    _options.PeakCalibrationLearningRate,
                    refreshSteps: (int)Math.Ceiling(_refreshInterval / _options.Resolution))
                : null;
            calibration?.ScoreClosed(state.Series);

            // Observe may have dropped the models since they were simulated (a restart, a step they refused): it
            // withdrew the profiles and said why, and profiles of models that are gone must not replace that.
            if (state.ModelsVersion == modelsVersion)
            {
                state.Published = new PublishedProfiles(BuildProfiles(means, peaks, calibration, windowStart, state.ModelNote), now);
            }
        }
    }

    // Called under the region's gate when calibration is on (it reads and records the calibration state).
    private LoadProfile[] BuildProfiles(
        QuantileDistribution[,] means, QuantileDistribution[,] peaks, PeakCalibration? calibration, long windowStart, string note)
    {
        var profiles = new LoadProfile[_windows.Length];
        Span<QuantileDistribution> meanRow = stackalloc QuantileDistribution[ResourceVector.DimensionCount];
        Span<QuantileDistribution> peakRow = stackalloc QuantileDistribution[ResourceVector.DimensionCount];
        Span<QuantileDistribution> shorterPeakRow = stackalloc QuantileDistribution[ResourceVector.DimensionCount];
        for (var w = 0; w < _windows.Length; w++)
        {
            for (var d = 0; d < ResourceVector.DimensionCount; d++)
            {
                meanRow[d] = means[w, d];
                peakRow[d] = peaks[w, d];
            }

            if (calibration is not null)
            {
                calibration.Record(w, windowStart, peakRow); // the stated quantiles, before calibration
                for (var d = 0; d < ResourceVector.DimensionCount; d++)
                {
                    var calibrated = calibration.Apply(w, d, peakRow[d]);

                    // Levels are calibrated apart per window: keep a longer window's peak at least the shorter one's.
                    peakRow[d] = w == 0 ? calibrated : PeakCalibration.AtLeast(calibrated, shorterPeakRow[d]);
                }

                peakRow.CopyTo(shorterPeakRow);
            }

            profiles[w] = new LoadProfile(meanRow, peakRow, _windows[w], ProfileSource.Forecast, note);
        }

        return profiles;
    }

    private bool Refit(RegionState state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        double[][] histories;
        long[] appended;
        long restarts;
        lock (state.Gate)
        {
            histories = [.. state.Series.Select(s => s.ToArray())];
            appended = [.. state.Series.Select(s => s.Appended)];
            restarts = state.Series[0].Restarts;
        }

        if (histories[0].Length < _options.EffectiveMinimumHistory)
        {
            state.FallbackReason = $"series too short ({histories[0].Length} of {_options.EffectiveMinimumHistory} steps)";
            return false;
        }

        var models = new IForecastModel[ResourceVector.DimensionCount];
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            try
            {
                models[d] = _forecaster.Fit(histories[d], _seasonalPeriod, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                state.FallbackReason = $"{(Dimension)d} fit failed: {exception.Message}";
                lock (state.Gate)
                {
                    state.Published = null;
                }

                return false;
            }
        }

        lock (state.Gate)
        {
            if (state.Series[0].Restarts != restarts)
            {
                // The series restarted while the fit ran: the models describe history that is gone.
                return false;
            }

            // Steps closed while the fit ran are absorbed online, so the new models start from the present. All of
            // them first, then installed together: a model that cannot absorb a step (a value above
            // ForecastLimits.MaximumObservation, or a custom model's failure) fails the refit as a failed fit does,
            // and the region keeps its current models (caught up online) for every dimension, not some new, some old.
            for (var d = 0; d < ResourceVector.DimensionCount; d++)
            {
                try
                {
                    foreach (var value in state.Series[d].Since(appended[d]))
                    {
                        models[d].Update(value);
                    }
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    state.FallbackReason = $"{(Dimension)d} update failed after the fit: {exception.Message}";
                    state.Published = null;
                    return false;
                }
            }

            state.ModelsVersion++;
            models.CopyTo(state.Models, 0);
            state.LastFit = now;
            state.ModelNote = string.Join(", ", models.Select((m, d) => $"{(Dimension)d}: {m.Name}"));
        }

        return true;
    }

    private sealed class RegionState
    {
        public RegionState(PredictiveLoadEngineOptions options, int seasonalPeriod)
        {
            Series = new StepSeries[ResourceVector.DimensionCount];
            for (var d = 0; d < Series.Length; d++)
            {
                Series[d] = new StepSeries(options.MaximumHistory, seasonalPeriod);
            }
        }

        public Lock Gate { get; } = new();

        public StepSeries[] Series { get; }

        public IForecastModel?[] Models { get; } = new IForecastModel?[ResourceVector.DimensionCount];

        public DateTimeOffset? LastFit { get; set; }

        public string ModelNote { get; set; } = string.Empty;

        public string FallbackReason { get; set; } = "no forecast yet";

        // Created by the first refresh that publishes with CalibratePeaks on; dropped when the series restarts. Under Gate.
        public PeakCalibration? Calibration { get; set; }

        // Changes, under Gate, whenever Models are installed or dropped, so a refresh publishes only profiles of the
        // models it simulated if they are still the region's.
        public long ModelsVersion { get; set; }

        public long FutureObservationsClamped { get; set; }

        // UtcTicks of the latest (clamped) observation; written under Gate, read lock-free by lookups.
        public long LastObservedTicks = long.MinValue / 2;

        public volatile PublishedProfiles? Published;

        // Called under Gate. A model that cannot absorb a closed step (a value above ForecastLimits.MaximumObservation,
        // which Observe accepts as demand, or a custom model's failure) must not throw out of Observe half-way: the
        // region's models are dropped and it falls back; the next refresh refits, and says why if that fails too.
        public void AbsorbOnline(int dimension, double value)
        {
            var model = Models[dimension];
            if (model is null)
            {
                return;
            }

            try
            {
                model.Update(value);
            }
#pragma warning disable CA1031 // Whatever the model throws, the observation is recorded and the region falls back.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                Array.Clear(Models);
                ModelsVersion++;
                LastFit = null;
                Published = null;
                FallbackReason = $"{(Dimension)dimension} update failed: {exception.Message}";
            }
        }
    }

    private sealed record PublishedProfiles(LoadProfile[] Profiles, DateTimeOffset ComputedAt);
}
