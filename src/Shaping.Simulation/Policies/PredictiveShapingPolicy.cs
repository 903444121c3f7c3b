using Shaping.Core.Prediction;
using Shaping.Core.Resources;
using Shaping.Core.Scaling;
using Shaping.Core.Selection;
using Shaping.Core.Shapes;
using Shaping.Forecasting;
using Shaping.Forecasting.Models;
using Shaping.Forecasting.Selection;

namespace Shaping.Simulation.Policies;

/// <summary>
/// Predictive shaping: forecasts the coming demand from the past, lets the shape selector choose the shape
/// <em>and</em> the replica count that cover it most cheaply, and moves between configurations through the
/// hysteresis scaler in proactive mode.
/// </summary>
/// <remarks>
/// <para><b>Forecast.</b> The demand seen so far is aggregated into buckets (<see
/// cref="PredictiveShapingOptions.BucketLength"/>, one hour by default) and each dimension's per-bucket peak is
/// forecast by a validated selection (on the last 48 buckets) between seasonal naive and AutoEts at the seasonal period
/// (m = 24: a day, or a day in the actual buckets, rounded, when the step does not divide the hour), joined by seasonal naive at a week (a week rounded to whole buckets, 168 of one hour) once the history
/// holds a week + 25 buckets, enough to validate it as itself; refitted on a schedule on the last three weeks and
/// updated online with every completed bucket in between. A dimension that has so far been an exact increasing affine
/// function of another (as a demand model's per-request costs make memory of CPU) is not fitted separately: its bounds
/// are the other's mapped through that line (the forecast interval's widened by the 10⁻⁶ the line is checked to). Within a bucket, each step position has a share of the bucket's peak (the
/// median share at that position over the calibration window), so a spike that recurs at the same minute of every hour
/// is provisioned for at that minute only. The forecast base of an interval is the bucket's peak forecast × its
/// position's share. A bucket peak above <see cref="ForecastLimits.MaximumObservation"/> (1e100), which the forecasters
/// refuse, drops its dimension's model, as the engine does: the policy takes the warm-up fallback until the fit window
/// no longer holds that peak.</para>
/// <para><b>Calibration.</b> Per position, the ratios demand ÷ forecast base of the intervals in the calibration window
/// are kept (split conformal): the upper bound is the base × their <see
/// cref="PredictiveShapingOptions.ForecastQuantile"/>, the lower bound (reported for coverage) the base × their 5 %
/// quantile. Relative errors at night-time lows are far wider than at the peaks that set the cost, so each ratio is
/// tagged with its level (Mondrian conformal): a base below half of the highest demand of the <see
/// cref="PredictiveShapingOptions.CapWindow"/> (the last day by default) is low, the others high. A level is calibrated
/// on its own ratios when the window holds 1 / (1 − <see cref="PredictiveShapingOptions.ForecastQuantile"/>) of them,
/// and at least a dozen (100 at the default 0.99; with fewer, that quantile would be their maximum), and on all the
/// position's ratios otherwise. With the default week of hourly buckets a position holds 168 ratios, so only a level
/// that fills at least 60 % of them is calibrated apart (in practice the one most hours belong to); a level that fills
/// half the day or less shares the pooled bound. The upper bound is capped at the highest demand of the last <see
/// cref="PredictiveShapingOptions.CapWindow"/> × (1 + a margin), so a flash crowd that a seasonal model would repeat
/// cannot keep the service oversized for days. The margin is learned like the ratios: for each completed bucket, how
/// far its peak rose above the highest demand of the <see cref="PredictiveShapingOptions.CapWindow"/> before it (0
/// when it did not), over the calibration window; their <see cref="PredictiveShapingOptions.ForecastQuantile"/>, or
/// the same bucket's rise a week before if larger (a rise that recurs once a week, as a Monday above its Sunday, is
/// too rare for that quantile), at most <see cref="PredictiveShapingOptions.CapMargin"/> (which applies until a dozen
/// buckets whose window before them had demand are counted). So the forecast bound of demand whose peaks have stopped
/// growing stays near them instead of <see cref="PredictiveShapingOptions.CapMargin"/> above, while demand that grows
/// keeps the margin its growth has shown (the floor and the warm-up fallback have their own margins).</para>
/// <para><b>Requirement.</b> For the interval being decided: the larger of that upper bound and a reactive floor (the
/// last observed demand × (1 + a margin), eased only where the step profile says demand falls from the last position to
/// this one). The floor's margin is <see cref="PredictiveShapingOptions.FloorMargin"/> until the dimension has a dozen
/// one-step rises of its own, then the <see cref="PredictiveShapingOptions.ForecastQuantile"/> of the recent one-step
/// rises of demand, or the last step's own rise if larger, when that is smaller than the option: smooth demand is not
/// held 15 % above its last value, while jumpy demand, or demand that has just jumped, keeps the full margin. A jump
/// the step profile did not expect (one that, divided by the growth the profile expects for that step, still exceeds 1
/// + the option; a spike recurring at the same position of every bucket is expected) may go on, so after one (from a
/// non-zero demand) a second floor holds the last demand × (1 + that jump), up to the highest demand of the <see
/// cref="PredictiveShapingOptions.CalibrationWindow"/>, and the step profile's easing does not lower it: a burst that
/// climbs over two steps is covered on its second (its first cannot be foreseen). Rises are counted per dimension from
/// non-zero demand only; a dimension has the options' margins until it has a dozen of its own. For the proactive lead
/// time, the largest bound over the next <see cref="PredictiveShapingOptions.LeadTime"/>. Before <see
/// cref="PredictiveShapingOptions.WarmUp"/> of history, and until every position has a dozen calibration samples, it
/// falls back to the highest demand seen so far + <see cref="PredictiveShapingOptions.WarmUpMargin"/> (a conservative
/// fallback, like the engine's), or + the <see cref="PredictiveShapingOptions.ForecastQuantile"/> of the one-step rises
/// seen so far (or the last step's own rise, if larger) when that is smaller, once the dimension has a dozen of them:
/// smooth demand is not held 25 % above its peak for two days.</para>
/// <para><b>Ceiling.</b> With <see cref="PredictiveShapingOptions.DemandCeiling"/> (the machine a utilisation metric is a
/// share of), both requirements are capped so that, with headroom, they never exceed the ceiling (or the highest demand
/// seen, in a dimension where demand has exceeded it): near the ceiling the policy holds the ceiling itself.</para>
/// <para><b>Choice.</b> Every (shape, replica count) pair is a configuration; the <see cref="ShapeSelector"/> ranks
/// them for the lead-time requirement with <see cref="PredictiveShapingOptions.Headroom"/> and picks the best (the
/// cheapest feasible one at trade-off 0), preferring the current shape when it costs at most <see
/// cref="PredictiveShapingOptions.ShapeStickiness"/> more, so replica counts change more often than shapes.</para>
/// <para><b>Moves.</b> When the current configuration does not cover the requirement of the coming interval, the policy
/// grows at once (safety first). Otherwise the <see cref="HysteresisScaler"/>, fed the requirement and (proactive mode)
/// the lead-time requirement, decides: it grows when the lead-time requirement exceeds the capacity for one step, and
/// shrinks only after the requirement has stayed below <see cref="PredictiveShapingOptions.DownBand"/> of the capacity
/// for <see cref="PredictiveShapingOptions.DownStabilization"/>; the selector then picks the target.</para>
/// <para>The first interval, with nothing observed, runs <see cref="InitialCapacity"/> covered by the cheapest
/// configuration, or one replica of the catalog's dearest shape when none is given (as the VPA-like policy
/// starts).</para>
/// <para>It sees only <see cref="ProvisioningContext.History"/>. Deterministic: the same history gives the same
/// decisions. Not thread-safe; one instance per run.</para>
/// </remarks>
public sealed class PredictiveShapingPolicy : IProvisioningPolicy
{
    private const int RankingSize = 16;
    private const int MinimumCalibrationSamples = 12;

    // A forecast base below this share of the last day's peak is calibrated apart from the higher ones.
    private const double LevelSplit = 0.5;
    private readonly PredictiveShapingOptions _options;
    private readonly ScoredShape[] _ranking = new ScoredShape[RankingSize];
    private readonly ShapeSelector _selector = new();
    private readonly bool[] _active = new bool[ResourceVector.DimensionCount];

    // The bucket in which each dimension first had demand: its warm-up counts from there, not from the trace's start.
    private readonly int[] _activeSince = new int[ResourceVector.DimensionCount];

    // Which dimensions were active when _lastBase was decided: a ratio for a dimension that was not is no error sample.
    private readonly bool[] _lastBaseActive = new bool[ResourceVector.DimensionCount];

    // Per dimension, whether _lastBase was low (below LevelSplit × the last day's peak): Mondrian calibration keeps the
    // two levels apart, since relative errors at night-time lows are wider than at the peaks that cost money.
    private readonly bool[] _lastBaseLow = new bool[ResourceVector.DimensionCount];
    private readonly AffineLink[] _links = new AffineLink[ResourceVector.DimensionCount];
    private int _leader = -1;
    private ServiceConfigurations? _configurations;
    private HysteresisScaler? _scaler;
    private ScalerState _state;
    private BucketPeakTrack[] _tracks = [];

    // The per-run parts set by Initialise (which runs before any use): the shape of demand within a bucket, the
    // calibration of the forecast, the one-step rises that set the floor's and warm-up's margins, and the cap's margin.
    private StepProfile _profile = null!;
    private ConformalRatios _calibration = null!;
    private StepRiseTracker _stepRises = null!;
    private PeakRiseTracker _peakRises = null!;
    private TimeSpan _step;
    private int _stepsPerBucket;
    private int _seasonalPeriod;
    private int _completedBuckets;
    private int _seen;
    private ResourceVector _maxSeen;
    private ResourceVector _lastBase;
    private ResourceVector _recentPeak;
    private readonly List<ResourceVector> _bucketPeaks = [];
    private bool _hasLastBase;

    /// <summary>Creates the policy.</summary>
    /// <param name="options">The settings; <see langword="null"/> for the defaults.</param>
    /// <param name="initialCapacity">The whole-service capacity to run in the first interval, before anything has been
    /// observed (a deployment's declared starting size); <see langword="null"/> for one replica of the dearest shape.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range, or <paramref name="initialCapacity"/> is not a valid amount.</exception>
    public PredictiveShapingPolicy(PredictiveShapingOptions? options = null, ResourceVector? initialCapacity = null)
    {
        _options = options ?? new PredictiveShapingOptions();
        _options.Validate();
        if (initialCapacity is { } initial)
        {
            ResourceVector.ThrowIfInvalidAmount(initial);
        }

        InitialCapacity = initialCapacity;
        Name = "predictive";
    }

    /// <inheritdoc/>
    public string Name { get; init; }

    /// <summary>Gets the settings.</summary>
    public PredictiveShapingOptions Options => _options;

    /// <summary>Gets the capacity run in the first interval; <see langword="null"/> for one replica of the dearest shape.</summary>
    public ResourceVector? InitialCapacity { get; }

    /// <summary>Gets the last requirement the policy provisioned for (before headroom), per dimension.</summary>
    public ResourceVector LastRequirement { get; private set; }

    /// <summary>Gets whether the last decision came from forecasts (<see langword="false"/> during warm-up).</summary>
    public bool LastDecisionForecast { get; private set; }

    // The forecast's calibration in the current run, for tests.
    internal ConformalRatios Calibration => _calibration;

    /// <inheritdoc/>
    public void Reset()
    {
        _configurations = null;
        _scaler = null;
        _state = default;
        _tracks = [];
        _completedBuckets = 0;
        _bucketPeaks.Clear();
        _seen = 0;
        _maxSeen = ResourceVector.Zero;
        _hasLastBase = false;
        _lastBase = ResourceVector.Zero;
        LastRequirement = ResourceVector.Zero;
        LastDecisionForecast = false;
        Array.Clear(_active);
        Array.Clear(_activeSince);
        Array.Clear(_lastBaseActive);
        Array.Clear(_lastBaseLow);
        Array.Clear(_links);
        _leader = -1;
    }

    /// <inheritdoc/>
    public ProvisioningDecision Decide(ProvisioningContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Catalog.IsEmpty)
        {
            throw new InvalidOperationException($"{Name} needs a non-empty catalog.");
        }

        if (_configurations is null || !ReferenceEquals(_configurations.Source, context.Catalog))
        {
            _configurations = new ServiceConfigurations(context.Catalog, _options.MaxReplicas);
            _scaler = new HysteresisScaler(_configurations.Catalog, ScalerPolicyFor(context.Step));
            _state = default;
        }

        if (_tracks.Length == 0 || _step != context.Step)
        {
            Initialise(context.Step);
        }

        var history = context.History.Span;
        if (history.Length < _seen)
        {
            throw new InvalidOperationException($"{Name} saw the history shrink; call Reset before a new run.");
        }

        Absorb(history);
        if (history.IsEmpty)
        {
            var start = InitialCapacity is { } initial
                ? CapacityPlanner.CheapestCover(context.Catalog, initial, _options.MaxReplicas)
                : new ProvisioningDecision(context.Catalog.Shapes[^1], 1);
            return start;
        }

        var (now, lead, forecast) = Requirement(history);
        var headroom = 1 + _options.Headroom;
        if (_options.DemandCeiling is { } ceiling)
        {
            // Demand cannot exceed the ceiling (or, where it already has, the highest demand seen): capacity above it,
            // headroom included, buys nothing.
            var limit = BeforeHeadroom(ResourceVector.Max(ceiling, _maxSeen), headroom);
            now = ResourceVector.Min(now, limit);
            lead = ResourceVector.Min(lead, limit);
        }

        LastRequirement = now;
        var current = context.Previous is { } previous ? _configurations.IndexOf(previous) : -1;
        var scaler = _scaler!;
        var need = now.Scale(headroom);
        var needLead = lead.Scale(headroom);
        int target;
        if (current < 0 || !need.FitsWithin(_configurations.Catalog[current].Capacity))
        {
            target = Select(lead, current);
            scaler.TryCreateState(_configurations.Catalog[target].Name, out _state);
            scaler.Decide(_state, need, needLead, context.Time, out _state);
        }
        else
        {
            if (!_state.IsInitialized || _state.ShapeIndex != current)
            {
                _state = ScalerState.Create(current);
            }

            var decision = scaler.Decide(_state, need, needLead, context.Time, out var next);
            _state = next;
            target = current;
            if (decision.IsMove)
            {
                target = Select(lead, current);
                if (target != current)
                {
                    scaler.TryCreateState(_configurations.Catalog[target].Name, out _state);
                    scaler.Decide(_state, need, needLead, context.Time, out _state);
                }
            }
        }

        var result = _configurations.ToDecision(target, forecast);
        return result;
    }

    private void Initialise(TimeSpan step)
    {
        _step = step;
        _stepsPerBucket = Math.Max(1, (int)Math.Round(_options.BucketLength / step));
        var bucket = step * _stepsPerBucket;

        // SeasonalPeriod counts buckets of BucketLength (24 of an hour: a day). A step that does not divide it makes the
        // buckets another length (63 min for a 7-min step, 2 h for a 2-h step), so the forecaster is handed the same
        // span in those buckets, not 24 of them (25.2 h, 48 h), which put a daily pattern out of phase.
        _seasonalPeriod = bucket == _options.BucketLength
            ? _options.SeasonalPeriod
            : (int)Math.Clamp(Math.Round(_options.SeasonalPeriod * (_options.BucketLength / bucket)), 1, _options.SeasonalPeriod * 2.0);
        var refit = Math.Max(1, (int)Math.Round(_options.RefitInterval / bucket));
        var fit = Math.Max(_seasonalPeriod * 3, (int)Math.Round(_options.FitWindow / bucket));
        // By default, seasonal naive and AutoEts at the seasonal period, joined by seasonal naive at a week (rounded to
        // whole buckets) once the history can validate it.
        var forecaster = _options.Forecaster ?? new DailyWeeklySelection(Math.Max(2, (int)Math.Round(TimeSpan.FromDays(7) / bucket)));
        var calibration = Math.Max(1, (int)Math.Round(_options.CalibrationWindow / bucket));
        _tracks = new BucketPeakTrack[ResourceVector.DimensionCount];
        for (var d = 0; d < _tracks.Length; d++)
        {
            _tracks[d] = new BucketPeakTrack(forecaster, _seasonalPeriod, refit, fit);
        }

        _profile = new StepProfile(_stepsPerBucket, calibration, _options.PhaseQuantile);

        // A level is calibrated on its own once it has enough ratios that the ForecastQuantile of them is not simply
        // their maximum (1 / (1 − q), 100 at q = 0.99), and at least MinimumCalibrationSamples.
        var levelMinimum = (int)Math.Min(
            int.MaxValue, Math.Max(MinimumCalibrationSamples, Math.Ceiling((1 / (1 - _options.ForecastQuantile)) - 1e-9)));
        _calibration = new ConformalRatios(
            _stepsPerBucket, Math.Max(MinimumCalibrationSamples, calibration), _options.ForecastQuantile, levelMinimum);
        _stepRises = new StepRiseTracker(
            Math.Max(MinimumCalibrationSamples, calibration * _stepsPerBucket), _options.ForecastQuantile, MinimumCalibrationSamples);
        _peakRises = new PeakRiseTracker(
            window: Math.Max(1, (int)Math.Round(_options.CapWindow / bucket)),
            ring: calibration,
            week: Math.Max(1, (int)Math.Round(TimeSpan.FromDays(7) / bucket)),
            _options.ForecastQuantile,
            _options.CapMargin,
            MinimumCalibrationSamples);
    }

    private int WarmUpBuckets => Math.Max(_seasonalPeriod + 2, (int)Math.Ceiling(_options.WarmUp / (_step * _stepsPerBucket)));

    // Takes in the intervals observed since the last decision: running peak, coverage ratios, completed buckets.
    private void Absorb(ReadOnlySpan<ResourceVector> history)
    {
        for (var i = _seen; i < history.Length; i++)
        {
            var value = history[i];
            _maxSeen = ResourceVector.Max(_maxSeen, value);
            if (i > 0)
            {
                _stepRises.Record(history[i - 1], value);
            }

            for (var d = 0; d < ResourceVector.DimensionCount; d++)
            {
                if (value[(Dimension)d] > 0 && !_active[d])
                {
                    _active[d] = true;
                    _activeSince[d] = i / _stepsPerBucket;
                    _leader = _leader < 0 ? d : _leader;
                }
            }

            if (_leader >= 0)
            {
                var x = value[(Dimension)_leader];
                for (var d = 0; d < ResourceVector.DimensionCount; d++)
                {
                    if (d != _leader && _active[d])
                    {
                        _links[d].Observe(x, value[(Dimension)d]);
                    }
                }
            }

            if (_hasLastBase && i == history.Length - 1)
            {
                // The calibration sample: how far the demand landed from the forecast base it was decided on.
                _calibration.Record(i % _stepsPerBucket, value, _lastBase, _lastBaseActive, _lastBaseLow);
            }
        }

        _seen = history.Length;
        var completedNow = history.Length / _stepsPerBucket;
        var changed = false;
        while (_completedBuckets < completedNow)
        {
            var b = _completedBuckets;
            var bucket = history.Slice(b * _stepsPerBucket, _stepsPerBucket);
            var peak = ResourceVector.Zero;
            foreach (var v in bucket)
            {
                peak = ResourceVector.Max(peak, v);
            }

            _peakRises.Record(_bucketPeaks, peak);
            _bucketPeaks.Add(peak);
            for (var d = 0; d < ResourceVector.DimensionCount; d++)
            {
                if (_active[d])
                {
                    var mayFit = b + 1 - _activeSince[d] >= WarmUpBuckets;
                    _tracks[d].Complete(peak[(Dimension)d], mayFit && b + 1 == completedNow && !IsFollower(d));
                }
            }

            _completedBuckets++;
            changed = true;
        }

        if (changed)
        {
            _profile.Update(history, _completedBuckets, _active);
        }

        if (changed || _stepsPerBucket == 1)
        {
            _stepRises.Update(_active);
            if (_calibration.HasNewRatios)
            {
                _calibration.Update(_active);
            }
        }
    }

    private (ResourceVector Now, ResourceVector Lead, ForecastInterval? Forecast) Requirement(ReadOnlySpan<ResourceVector> history)
    {
        var last = history[^1];
        // The floor's margin: the recent rises' quantile, but at least the last step's own rise (a jump larger than
        // any recent one starts a new regime), and never more than FloorMargin. An unexpected jump beyond FloorMargin may go on:
        // a second floor then allows one more step of the same size, up to the highest demand of the calibration
        // window (a burst that climbs over two steps is covered on its second step, even where the step profile says
        // demand falls, since the profile's easing applies to the first floor only). A start from zero is no measured
        // jump and gets no second floor.
        var before = history.Length > 1 ? history[^2] : last;
        Span<double> floorValues = stackalloc double[ResourceVector.DimensionCount];
        Span<double> repeatValues = stackalloc double[ResourceVector.DimensionCount];
        Span<double> warmUpValues = stackalloc double[ResourceVector.DimensionCount];
        ResourceVector? weekPeak = null;
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            var previous = before[(Dimension)d];
            var current = last[(Dimension)d];
            var rise = previous > 0 ? Math.Max(0, (current / previous) - 1) : current > 0 ? double.PositiveInfinity : 0;
            floorValues[d] = current * (1 + _stepRises.Margin(_options.FloorMargin, d, rise));
            // Only a jump the step profile did not expect (a spike that recurs at this position of every bucket is
            // the profile's own and falls where the profile says).
            var expected = _profile.ExpectedRise(d, history.Length - 1);
            var surprise = ((1 + rise) / expected) - 1;
            if (surprise > _options.FloorMargin && double.IsFinite(rise))
            {
                weekPeak ??= RecentPeak(history, _options.CalibrationWindow);
                repeatValues[d] = Math.Min(current * (1 + rise), weekPeak.Value[(Dimension)d]);
            }

            // The warm-up fallback's margin: WarmUpMargin, or less once the rises seen so far show smoother demand.
            var warmUpMargin = _stepRises.Margin(_options.WarmUpMargin, d, rise);
            warmUpValues[d] = Math.Max(_maxSeen[(Dimension)d] * (1 + warmUpMargin), Math.Max(floorValues[d], repeatValues[d]));
        }

        var floor = new ResourceVector(floorValues[0], floorValues[1], floorValues[2], floorValues[3]);
        var modelsReady = _completedBuckets >= WarmUpBuckets;
        for (var d = 0; d < ResourceVector.DimensionCount && modelsReady; d++)
        {
            modelsReady = !_active[d] || IsFollower(d) || _tracks[d].HasModel;
        }

        if (!modelsReady)
        {
            LastDecisionForecast = false;
            _hasLastBase = false;
            var fallback = new ResourceVector(warmUpValues[0], warmUpValues[1], warmUpValues[2], warmUpValues[3]);
            return (fallback, fallback, null);
        }

        var t = history.Length;
        _recentPeak = RecentPeak(history, _options.CapWindow);
        var phase = t % _stepsPerBucket;
        var leadSteps = Math.Max(1, (int)Math.Ceiling(_options.LeadTime / _step));
        Span<double> forecastBase = stackalloc double[ResourceVector.DimensionCount];
        Span<double> now = stackalloc double[ResourceVector.DimensionCount];
        Span<double> lead = stackalloc double[ResourceVector.DimensionCount];
        Span<double> lower = stackalloc double[ResourceVector.DimensionCount];
        Span<double> upper = stackalloc double[ResourceVector.DimensionCount];
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            if (!_active[d] || IsFollower(d))
            {
                continue;
            }

            var track = _tracks[d];
            forecastBase[d] = track.PointCurrent * _profile.Share(d, phase);
            var cap = _recentPeak[(Dimension)d] * (1 + _peakRises.Margin(d, _completedBuckets));
            var split = LevelSplit * _recentPeak[(Dimension)d];
            var low = _lastBaseLow[d] = forecastBase[d] < split;
            upper[d] = Math.Min(forecastBase[d] * _calibration.Upper(d, phase, low), cap);
            lower[d] = Math.Min(forecastBase[d] * _calibration.Lower(d, phase, low), upper[d]);

            // The reactive floor, eased only where the step profile says demand falls from the last position to this one.
            var easing = _profile.ExpectedFall(d, phase);
            var required = Math.Max(upper[d], Math.Max(floor[(Dimension)d] * easing, repeatValues[d]));
            now[d] = required;
            var ahead = required;
            for (var k = 1; k < leadSteps; k++)
            {
                var p = phase + k;
                var point = p < _stepsPerBucket ? track.PointCurrent : track.PointNext;
                var position = p % _stepsPerBucket;
                var pointBase = point * _profile.Share(d, position);
                var ratio = _calibration.Upper(d, position, pointBase < split);
                ahead = Math.Max(ahead, Math.Min(pointBase * ratio, cap));
            }

            lead[d] = ahead;
        }

        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            if (_active[d] && IsFollower(d))
            {
                // An exact increasing affine function of the leader (a demand model's per-request cost): map the
                // leader's bounds through it, so covering the leader covers this dimension too.
                var link = _links[d];
                forecastBase[d] = link.Map(forecastBase[_leader]);
                now[d] = link.Map(now[_leader]);
                lead[d] = Math.Max(link.Map(lead[_leader]), now[d]);
                lower[d] = link.MapWidened(lower[_leader], up: false);
                upper[d] = link.MapWidened(upper[_leader], up: true);

                // Its ratios are kept too (they calibrate it if the link breaks), at the level of its own base.
                _lastBaseLow[d] = forecastBase[d] < LevelSplit * _recentPeak[(Dimension)d];
            }
        }

        _lastBase = new ResourceVector(forecastBase[0], forecastBase[1], forecastBase[2], forecastBase[3]);
        _active.CopyTo(_lastBaseActive);
        _hasLastBase = true;

        // Calibrated when every forecast dimension has enough error samples of its own at every step position.
        var calibrated = true;
        for (var d = 0; d < ResourceVector.DimensionCount && calibrated; d++)
        {
            if (_active[d] && !IsFollower(d))
            {
                calibrated = _calibration.IsCalibrated(d, MinimumCalibrationSamples);
            }
        }

        if (!calibrated)
        {
            // Models fitted but their errors not yet measured: keep the fallback while calibration samples gather.
            LastDecisionForecast = false;
            var fallback = new ResourceVector(warmUpValues[0], warmUpValues[1], warmUpValues[2], warmUpValues[3]);
            return (fallback, fallback, null);
        }

        LastDecisionForecast = true;
        var nowVector = new ResourceVector(now[0], now[1], now[2], now[3]);
        var leadVector = new ResourceVector(lead[0], lead[1], lead[2], lead[3]);
        var interval = new ForecastInterval(
            new ResourceVector(lower[0], lower[1], lower[2], lower[3]), new ResourceVector(upper[0], upper[1], upper[2], upper[3]));
        return (nowVector, leadVector, interval);
    }

    // The highest demand over about the window: the peaks of the whole buckets it spans plus the bucket in progress
    // (so a decision costs O(buckets + steps per bucket), not O(window)).
    private ResourceVector RecentPeak(ReadOnlySpan<ResourceVector> history, TimeSpan window)
    {
        var buckets = Math.Max(1, (int)Math.Round(window / (_step * _stepsPerBucket)));
        var peak = ResourceVector.Zero;
        for (var b = Math.Max(0, _bucketPeaks.Count - buckets); b < _bucketPeaks.Count; b++)
        {
            peak = ResourceVector.Max(peak, _bucketPeaks[b]);
        }

        foreach (var value in history[(_completedBuckets * _stepsPerBucket)..])
        {
            peak = ResourceVector.Max(peak, value);
        }

        return peak;
    }

    private bool IsFollower(int dimension) => _leader >= 0 && dimension != _leader && _links[dimension].IsLinked;

    // The largest requirement that, scaled by the headroom as the scaler and the selector do, stays within the cap in
    // every dimension: cap ÷ headroom × headroom can round one ulp above the cap (3 cores at 25 % headroom do), which
    // would make a configuration of exactly the cap infeasible and buy a replica demand can never use.
    private static ResourceVector BeforeHeadroom(ResourceVector cap, double headroom)
    {
        var result = cap;
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            var limit = cap[(Dimension)d];
            if (double.IsPositiveInfinity(limit))
            {
                continue; // no ceiling in this dimension
            }

            var x = limit / headroom;
            while (x > 0 && x * headroom > limit)
            {
                x = Math.BitDecrement(x);
            }

            while (Math.BitIncrement(x) * headroom <= limit)
            {
                x = Math.BitIncrement(x);
            }

            result = result.With((Dimension)d, x);
        }

        return result;
    }

    private int Select(ResourceVector requirement, int current)
    {
        var configurations = _configurations!;
        var profile = LoadProfile.Exact(requirement, requirement, _step);
        var policy = new ScoringPolicy(_options.Tradeoff, _options.Headroom, 0.5, _step);
        var result = _selector.Select(configurations.Catalog, profile, policy, _ranking);
        if (!result.IsSuccess)
        {
            // Beyond the largest configuration: the one with the most room in its tightest dimension.
            var best = 0;
            var bestCover = double.NegativeInfinity;
            var catalog = configurations.Catalog;
            for (var i = 0; i < catalog.Count; i++)
            {
                var cover = double.PositiveInfinity;
                for (var d = 0; d < ResourceVector.DimensionCount; d++)
                {
                    var want = requirement[(Dimension)d];
                    if (want > 0)
                    {
                        cover = Math.Min(cover, catalog[i].Capacity[(Dimension)d] / want);
                    }
                }

                if (cover > bestCover)
                {
                    bestCover = cover;
                    best = i;
                }
            }

            return best;
        }

        var chosen = _ranking[0].Index;
        if (current >= 0)
        {
            var currentShape = configurations.BaseShape[current].Name;
            var limit = configurations.Catalog.PricePerHour[chosen] * (1 + _options.ShapeStickiness);
            for (var i = 0; i < result.Count; i++)
            {
                var index = _ranking[i].Index;
                if (string.Equals(configurations.BaseShape[index].Name, currentShape, StringComparison.Ordinal)
                    && configurations.Catalog.PricePerHour[index] <= limit)
                {
                    return index;
                }
            }
        }

        return chosen;
    }

    private ScalerPolicy ScalerPolicyFor(TimeSpan step)
    {
        var down = _options.DownStabilization < step ? step : _options.DownStabilization;
        return new ScalerPolicy(
            upBand: 1.0,
            downBand: _options.DownBand,
            targetUtilization: (1 + _options.DownBand) / 2,
            smoothingTimeConstant: TimeSpan.Zero,
            upStabilizationWindow: step,
            downStabilizationWindow: down,
            cooldown: TimeSpan.Zero,
            maxSwitchesPerPeriod: ScalerPolicy.MaxSwitchCap,
            switchPeriod: step);
    }
}
