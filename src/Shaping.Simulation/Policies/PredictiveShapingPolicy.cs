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
/// <para><b>Forecast.</b> The demand seen so far is aggregated into buckets (<see cref="PredictiveShapingOptions.BucketLength"/>,
/// one hour by default) and each dimension's per-bucket peak is forecast with the Predictive Load Engine's default
/// forecaster (a validated selection between seasonal naive and AutoEts, m = 24), refitted daily on the last three
/// weeks and updated online with every completed bucket in between. The upper bound of a bucket's peak is the point
/// forecast times a high quantile of the recent ratios actual peak ÷ forecast (a split-conformal calibration, so the
/// bound's coverage is measured, not assumed). Within a bucket, each step position gets the largest share of its
/// bucket's peak it has had at that position over the calibration window, so a spike that recurs at the same minute
/// of every hour is provisioned for at that minute only.</para>
/// <para><b>Requirement.</b> For the interval being decided: the larger of that forecast bound and a reactive floor
/// (the last observed demand + <see cref="PredictiveShapingOptions.FloorMargin"/>); for the proactive lead time, the
/// largest such bound over the next <see cref="PredictiveShapingOptions.LeadTime"/>. Before
/// <see cref="PredictiveShapingOptions.WarmUp"/> of history (or before a model is fitted) it falls back to the highest
/// demand seen so far + <see cref="PredictiveShapingOptions.WarmUpMargin"/>.</para>
/// <para><b>Choice.</b> Every (shape, replica count) pair is a configuration; the <see cref="ShapeSelector"/> ranks them
/// for the lead-time requirement with <see cref="PredictiveShapingOptions.Headroom"/> and picks the best (the
/// cheapest feasible one at trade-off 0), preferring the current shape when it costs at most
/// <see cref="PredictiveShapingOptions.ShapeStickiness"/> more, so replica counts change more often than shapes.</para>
/// <para><b>Moves.</b> When the current configuration does not cover the requirement of the coming interval, the policy
/// grows at once (safety first). Otherwise the <see cref="HysteresisScaler"/>, fed the requirement and (proactive mode)
/// the lead-time requirement, decides: it grows when the lead-time requirement exceeds the capacity for one step, and
/// shrinks only after the requirement has stayed below <see cref="PredictiveShapingOptions.DownBand"/> of the capacity
/// for <see cref="PredictiveShapingOptions.DownStabilization"/>; the selector then picks the target.</para>
/// <para>The first interval, with nothing observed, runs <see cref="InitialCapacity"/> covered by the cheapest
/// configuration, or one replica of the catalog's dearest shape when none is given (as the VPA-like policy starts).</para>
/// <para>It sees only <see cref="ProvisioningContext.History"/>. Deterministic: the same history gives the same
/// decisions. Not thread-safe; one instance per run.</para>
/// </remarks>
public sealed class PredictiveShapingPolicy : IProvisioningPolicy
{
    private const int RankingSize = 16;
    private readonly PredictiveShapingOptions _options;
    private readonly IForecaster _forecaster;
    private readonly ScoredShape[] _ranking = new ScoredShape[RankingSize];
    private readonly ShapeSelector _selector = new();
    private readonly bool[] _active = new bool[ResourceVector.DimensionCount];
    private ServiceConfigurations? _configurations;
    private HysteresisScaler? _scaler;
    private ScalerState _state;
    private BucketPeakTrack[] _tracks = [];
    private double[][] _phaseShare = [];
    private double[] _shareBuffer = [];
    private double[][] _coverageRatios = [];
    private double[] _lowerRatio = new double[ResourceVector.DimensionCount];
    private int _coverageCount;
    private TimeSpan _step;
    private int _stepsPerBucket;
    private int _completedBuckets;
    private int _seen;
    private ResourceVector _maxSeen;
    private ResourceVector _lastUpper;
    private bool _hasLastUpper;

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
        _forecaster = _options.Forecaster
            ?? new ValidatedSelectionForecaster([new SeasonalNaiveForecaster(), new AutoEtsForecaster()], validationLength: 48);
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

    /// <inheritdoc/>
    public void Reset()
    {
        _configurations = null;
        _scaler = null;
        _state = default;
        _tracks = [];
        _phaseShare = [];
        _coverageRatios = [];
        _coverageCount = 0;
        _completedBuckets = 0;
        _seen = 0;
        _maxSeen = ResourceVector.Zero;
        _hasLastUpper = false;
        _lastUpper = ResourceVector.Zero;
        LastRequirement = ResourceVector.Zero;
        LastDecisionForecast = false;
        Array.Clear(_active);
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
        LastRequirement = now;
        var current = context.Previous is { } previous ? _configurations.IndexOf(previous) : -1;
        var scaler = _scaler!;
        var headroom = 1 + _options.Headroom;
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
        var refit = Math.Max(1, (int)Math.Round(_options.RefitInterval / bucket));
        var fit = Math.Max(_options.SeasonalPeriod * 3, (int)Math.Round(_options.FitWindow / bucket));
        var calibration = Math.Max(1, (int)Math.Round(_options.CalibrationWindow / bucket));
        _tracks = new BucketPeakTrack[ResourceVector.DimensionCount];
        _phaseShare = new double[ResourceVector.DimensionCount][];
        _coverageRatios = new double[ResourceVector.DimensionCount][];
        var coverageWindow = Math.Clamp((int)Math.Round(_options.CalibrationWindow / step), 16, 4096);
        for (var d = 0; d < _tracks.Length; d++)
        {
            _tracks[d] = new BucketPeakTrack(_forecaster, _options.SeasonalPeriod, refit, fit, calibration, _options.ForecastQuantile);
            _phaseShare[d] = new double[_stepsPerBucket];
            Array.Fill(_phaseShare[d], 1.0);
            _coverageRatios[d] = new double[coverageWindow];
        }

        _lowerRatio = new double[ResourceVector.DimensionCount];
        _shareBuffer = new double[Math.Max(1, calibration)];
    }

    private int CalibrationBuckets => Math.Max(1, (int)Math.Round(_options.CalibrationWindow / (_step * _stepsPerBucket)));

    private int WarmUpBuckets => Math.Max(_options.SeasonalPeriod + 2, (int)Math.Ceiling(_options.WarmUp / (_step * _stepsPerBucket)));

    // Takes in the intervals observed since the last decision: running peak, coverage ratios, completed buckets.
    private void Absorb(ReadOnlySpan<ResourceVector> history)
    {
        for (var i = _seen; i < history.Length; i++)
        {
            var value = history[i];
            _maxSeen = ResourceVector.Max(_maxSeen, value);
            for (var d = 0; d < ResourceVector.DimensionCount; d++)
            {
                if (value[(Dimension)d] > 0)
                {
                    _active[d] = true;
                }
            }

            if (_hasLastUpper && i == history.Length - 1)
            {
                var slot = _coverageCount % _coverageRatios[0].Length;
                for (var d = 0; d < ResourceVector.DimensionCount; d++)
                {
                    var upper = _lastUpper[(Dimension)d];
                    _coverageRatios[d][slot] = upper > 0 ? value[(Dimension)d] / upper : 1;
                }

                _coverageCount++;
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

            var mayFit = b + 1 >= WarmUpBuckets;
            for (var d = 0; d < ResourceVector.DimensionCount; d++)
            {
                if (_active[d])
                {
                    _tracks[d].Complete(peak[(Dimension)d], mayFit && b + 1 == completedNow);
                }
            }

            _completedBuckets++;
            changed = true;
        }

        if (changed)
        {
            UpdatePhaseShares(history);
            UpdateLowerRatios();
        }
    }

    private void UpdatePhaseShares(ReadOnlySpan<ResourceVector> history)
    {
        if (_stepsPerBucket == 1)
        {
            return;
        }

        var buckets = Math.Min(_completedBuckets, CalibrationBuckets);
        var first = _completedBuckets - buckets;
        Span<double> peaks = buckets <= 512 ? stackalloc double[buckets] : new double[buckets];
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            if (!_active[d])
            {
                continue;
            }

            var dimension = (Dimension)d;
            for (var b = 0; b < buckets; b++)
            {
                var start = (first + b) * _stepsPerBucket;
                var peak = 0.0;
                for (var k = 0; k < _stepsPerBucket; k++)
                {
                    peak = Math.Max(peak, history[start + k][dimension]);
                }

                peaks[b] = peak;
            }

            for (var p = 0; p < _stepsPerBucket; p++)
            {
                var count = 0;
                for (var b = 0; b < buckets; b++)
                {
                    if (peaks[b] > 0)
                    {
                        _shareBuffer[count++] = history[((first + b) * _stepsPerBucket) + p][dimension] / peaks[b];
                    }
                }

                _phaseShare[d][p] = count == 0 ? 1 : Quantiles.Upper(_shareBuffer.AsSpan(0, count), _options.PhaseQuantile);
            }
        }
    }

    private void UpdateLowerRatios()
    {
        var count = Math.Min(_coverageCount, _coverageRatios[0].Length);
        if (count == 0)
        {
            return;
        }

        Span<double> buffer = count <= 1024 ? stackalloc double[count] : new double[count];
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            _coverageRatios[d].AsSpan(0, count).CopyTo(buffer);
            buffer.Sort();
            _lowerRatio[d] = Math.Min(1, buffer[(int)Math.Floor(0.05 * (count - 1))]);
        }
    }

    private (ResourceVector Now, ResourceVector Lead, ForecastInterval? Forecast) Requirement(ReadOnlySpan<ResourceVector> history)
    {
        var last = history[^1];
        var floor = last.Scale(1 + _options.FloorMargin);
        var forecasting = _completedBuckets >= WarmUpBuckets;
        for (var d = 0; d < ResourceVector.DimensionCount && forecasting; d++)
        {
            forecasting = !_active[d] || _tracks[d].HasModel;
        }

        LastDecisionForecast = forecasting;
        if (!forecasting)
        {
            var fallback = ResourceVector.Max(_maxSeen.Scale(1 + _options.WarmUpMargin), floor);
            _hasLastUpper = false;
            return (fallback, fallback, null);
        }

        var t = history.Length;
        var phase = t % _stepsPerBucket;
        var leadSteps = Math.Max(1, (int)Math.Ceiling(_options.LeadTime / _step));
        Span<double> now = stackalloc double[ResourceVector.DimensionCount];
        Span<double> lead = stackalloc double[ResourceVector.DimensionCount];
        Span<double> lower = stackalloc double[ResourceVector.DimensionCount];
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            if (!_active[d])
            {
                continue;
            }

            var track = _tracks[d];
            var share = _phaseShare[d];
            var predicted = track.UpperCurrent * share[phase];
            var required = Math.Max(predicted, floor[(Dimension)d]);
            now[d] = required;
            var ahead = required;
            for (var k = 1; k < leadSteps; k++)
            {
                var p = phase + k;
                var bound = p < _stepsPerBucket ? track.UpperCurrent * share[p] : track.UpperNext * share[(p - _stepsPerBucket) % _stepsPerBucket];
                ahead = Math.Max(ahead, bound);
            }

            lead[d] = ahead;
            lower[d] = required * _lowerRatio[d];
        }

        var nowVector = new ResourceVector(now[0], now[1], now[2], now[3]);
        var leadVector = new ResourceVector(lead[0], lead[1], lead[2], lead[3]);
        var lowerVector = new ResourceVector(lower[0], lower[1], lower[2], lower[3]);
        _lastUpper = nowVector;
        _hasLastUpper = true;
        return (nowVector, leadVector, new ForecastInterval(lowerVector, nowVector));
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
