using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Shaping.Core.Resources;
using Shaping.Core.Shapes;

namespace Shaping.Core.Scaling;

/// <summary>
/// Decides, observation by observation, when a replica should move to another shape of a catalog, with hysteresis
/// so that it does not flap: a pure function of (state, observation, time) → (next state, decision).
/// </summary>
/// <remarks>
/// <para>Each step:</para>
/// <list type="number">
/// <item><description>
/// smooths the observed demand per dimension with an exponentially weighted moving average whose weight
/// <c>1 − exp(−Δt / τ)</c> depends on the time since the previous observation, so irregular sampling is handled
/// (an observation older than the previous one is ignored);
/// </description></item>
/// <item><description>
/// in proactive mode (the overload with a forecast) takes, per dimension, the larger of the smoothed demand and the
/// forecast demand for the coming lead time, so a replica grows before a predicted peak;
/// </description></item>
/// <item><description>
/// divides by the current shape's capacity to get the utilisation, and notes since when it has been above
/// <see cref="ScalerPolicy.UpBand"/> in any dimension or below <see cref="ScalerPolicy.DownBand"/> in every one;
/// </description></item>
/// <item><description>
/// moves when that has lasted for the direction's stabilisation window, the cool-down since the last move has
/// elapsed and the rolling switch cap allows it, to the cheapest shape that keeps the larger of the demand used
/// for the decision and the latest raw observation at or below <see cref="ScalerPolicy.TargetUtilization"/> in
/// every dimension (when no shape is that large, a move up takes the shape with the most room, if it has more
/// than the current one).
/// </description></item>
/// </list>
/// <para>
/// Since the target utilisation lies strictly below the up band, the shape a move down lands on has the current
/// demand below the up band: as long as the demand does not rise, a move down is never followed by a move up. The
/// band timers restart at every move, so the very next decision after any move is never another move.
/// </para>
/// <para>
/// Steady-state steps allocate nothing and touch only the state and four precomputed reciprocals of the current
/// shape's capacity (and its capacity, in a catalog where some shape lacks a dimension or has so little of one that its
/// reciprocal overflows); the catalog is scanned only
/// when a move is due.
/// </para>
/// <para><b>Thread safety:</b> immutable after construction; one instance may serve any number of threads, each with its own states.</para>
/// </remarks>
public sealed class HysteresisScaler
{
    private readonly double[] _capacity;
    private readonly double[] _inverseCapacity;
    private readonly double[] _price;
    private readonly bool _someReciprocalOverflows;
    private readonly int _shapeCount;
    private readonly double _inverseTauTicks;
    private readonly bool _noSmoothing;
    private readonly double _upBand;
    private readonly double _downBand;
    private readonly double _inverseTarget;
    private readonly long _upWindowTicks;
    private readonly long _downWindowTicks;
    private readonly long _cooldownTicks;
    private readonly long _periodTicks;
    private readonly int _maxSwitches;

    /// <summary>Creates a scaler over a catalog.</summary>
    /// <param name="catalog">The shapes a replica may move between; not empty. Shape indexes in states and decisions refer to it.</param>
    /// <param name="policy">The bands, windows and caps; <see langword="null"/> for <see cref="ScalerPolicy.Default"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="catalog"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="catalog"/> is empty.</exception>
    public HysteresisScaler(ShapeCatalog catalog, ScalerPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        if (catalog.IsEmpty)
        {
            throw new ArgumentException("The scaler needs a catalog with at least one shape.", nameof(catalog));
        }

        Catalog = catalog;
        Policy = policy ?? ScalerPolicy.Default;
        _shapeCount = catalog.Count;
        _capacity = new double[_shapeCount * ResourceVector.DimensionCount];
        _inverseCapacity = new double[_capacity.Length];
        _price = catalog.PricePerHour.ToArray();
        for (var i = 0; i < _shapeCount; i++)
        {
            var b = i * ResourceVector.DimensionCount;
            _capacity[b] = catalog.CpuCores[i];
            _capacity[b + 1] = catalog.MemoryGiB[i];
            _capacity[b + 2] = catalog.StorageGiB[i];
            _capacity[b + 3] = catalog.NetworkGbps[i];
            for (var d = 0; d < ResourceVector.DimensionCount; d++)
            {
                // A dimension the shape lacks, or has so little of (below about 5.6e-309) that its reciprocal overflows:
                // the reciprocal is double.MaxValue, not +∞, so that no demand there gives 0 rather than 0 × ∞ = NaN (which
                // the hardware maximum lets swallow the other dimensions). A positive demand there gives a product at most
                // the true ratio (a subnormal demand a small one): MaxUtilization tests such catalogs exactly, and reports
                // +∞ for any positive demand in a dimension the shape lacks.
                var inverse = 1 / _capacity[b + d];
                var overflows = double.IsInfinity(inverse);
                _inverseCapacity[b + d] = overflows ? double.MaxValue : inverse;
                _someReciprocalOverflows |= overflows;
            }
        }

        _noSmoothing = Policy.SmoothingTimeConstant == TimeSpan.Zero;
        _inverseTauTicks = _noSmoothing ? 0 : 1.0 / Policy.SmoothingTimeConstant.Ticks;
        _upBand = Policy.UpBand;
        _downBand = Policy.DownBand;
        // Sizing rounds twice (demand × 1/target) and the utilisation on the new shape twice more (demand × 1/capacity),
        // each by at most half an ulp: with a target within a few ulps of the up band, a move down to a shape exactly as
        // large as the sizing asked for could put the demand a hair above the band. Aim at least 1e-15 (relative) below
        // the band, more than the four roundings can add; any target further below it is used exactly as given.
        _inverseTarget = 1 / Math.Min(Policy.TargetUtilization, Policy.UpBand * (1 - 1e-15));
        _upWindowTicks = Policy.UpStabilizationWindow.Ticks;
        _downWindowTicks = Policy.DownStabilizationWindow.Ticks;
        _cooldownTicks = Policy.Cooldown.Ticks;
        _periodTicks = Policy.SwitchPeriod.Ticks;
        _maxSwitches = Policy.MaxSwitchesPerPeriod;
    }

    /// <summary>Gets the catalog that shape indexes refer to.</summary>
    public ShapeCatalog Catalog { get; }

    /// <summary>
    /// Gets the policy: the bands, windows and caps. A control plane that follows a changing catalog (as
    /// <see cref="ControlPlane.ShapeAdjustmentLoop"/> does with a <see cref="ShapeLibrary"/>) builds the next scaler
    /// with it, so only the shapes change.
    /// </summary>
    public ScalerPolicy Policy { get; }

    /// <summary>Creates the initial state of a replica running on a shape of <see cref="Catalog"/>.</summary>
    /// <param name="shapeName">The shape's name.</param>
    /// <param name="state">The state, when the catalog has the shape.</param>
    /// <returns><see langword="true"/> when the catalog has a shape of that name.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shapeName"/> is <see langword="null"/>.</exception>
    public bool TryCreateState(string shapeName, out ScalerState state)
    {
        ArgumentNullException.ThrowIfNull(shapeName);
        var index = Catalog.IndexOf(shapeName);
        state = index < 0 ? default : ScalerState.Create(index);
        return index >= 0;
    }

    /// <summary>Takes one observation of a replica into account (reactive mode).</summary>
    /// <param name="state">The replica's state; not changed.</param>
    /// <param name="used">What the replica used, in each dimension's unit; finite and non-negative.</param>
    /// <param name="timestamp">When it was observed.</param>
    /// <param name="next">The state to keep for the next observation (with the move applied, when the decision is a move).</param>
    /// <returns>Whether and where to move, and why.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="used"/> has a NaN, infinite or negative dimension.</exception>
    /// <exception cref="ArgumentException"><paramref name="state"/>'s shape index is outside <see cref="Catalog"/>.</exception>
    public ScalerDecision Decide(in ScalerState state, ResourceVector used, DateTimeOffset timestamp, out ScalerState next)
    {
        if (!used.IsValidAmount)
        {
            ThrowInvalidAmount(nameof(used), used);
        }

        return Step(state, used, default, proactive: false, timestamp.UtcTicks, out next);
    }

    /// <summary>
    /// Takes one observation of a replica into account (proactive mode): the decision uses, per dimension, the larger
    /// of the smoothed demand and <paramref name="forecast"/>.
    /// </summary>
    /// <param name="state">The replica's state; not changed.</param>
    /// <param name="used">What the replica used, in each dimension's unit; finite and non-negative.</param>
    /// <param name="forecast">The demand forecast for the replica over the coming lead time, in each dimension's unit; finite and non-negative.</param>
    /// <param name="timestamp">When it was observed.</param>
    /// <param name="next">The state to keep for the next observation (with the move applied, when the decision is a move).</param>
    /// <returns>Whether and where to move, and why.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="used"/> or <paramref name="forecast"/> has a NaN, infinite or negative dimension.</exception>
    /// <exception cref="ArgumentException"><paramref name="state"/>'s shape index is outside <see cref="Catalog"/>.</exception>
    public ScalerDecision Decide(in ScalerState state, ResourceVector used, ResourceVector forecast, DateTimeOffset timestamp, out ScalerState next)
    {
        if (!used.IsValidAmount)
        {
            ThrowInvalidAmount(nameof(used), used);
        }

        if (!forecast.IsValidAmount)
        {
            ThrowInvalidAmount(nameof(forecast), forecast);
        }

        return Step(state, used, forecast, proactive: true, timestamp.UtcTicks, out next);
    }

    /// <summary>Gets the highest utilisation over the dimensions of a demand on a shape of <see cref="Catalog"/>.</summary>
    /// <remarks>
    /// The utilisation of a dimension is demand ÷ capacity (1 is full). A shape with none of a dimension (0 Gbps of
    /// network, say) cannot carry any demand in it, so a positive demand there gives
    /// <see cref="double.PositiveInfinity"/>, whatever its size; no demand there leaves the other dimensions to decide.
    /// The decision steps compare with the bands the same way: such a demand is above every band.
    /// </remarks>
    /// <param name="shapeIndex">The shape's catalog index.</param>
    /// <param name="demand">The demand, in each dimension's unit; finite and non-negative, as for <see cref="Decide(in ScalerState, ResourceVector, DateTimeOffset, out ScalerState)"/>.</param>
    /// <returns>
    /// The utilisation, in [0, +∞]: +∞ exactly when <paramref name="demand"/> is positive in a dimension the shape
    /// lacks (or a ratio overflows the range of <see cref="double"/>), otherwise finite.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="shapeIndex"/> is outside the catalog, or <paramref name="demand"/> has a NaN, infinite or negative dimension.
    /// </exception>
    public double MaxUtilization(int shapeIndex, ResourceVector demand)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shapeIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shapeIndex, _shapeCount);
        if (!demand.IsValidAmount)
        {
            ThrowInvalidAmount(nameof(demand), demand);
        }

        return MaxUtilization(shapeIndex, demand.CpuCores, demand.MemoryGiB, demand.StorageGiB, demand.NetworkGbps);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ScalerDecision Step(in ScalerState state, ResourceVector used, ResourceVector forecast, bool proactive, long now, out ScalerState next)
    {
        if ((uint)state._shapeIndex >= (uint)_shapeCount)
        {
            ThrowShapeOutOfCatalog(state._shapeIndex, _shapeCount, nameof(state));
        }

        if (state._initialized && now < state._lastTicks)
        {
            next = state;
            return ScalerDecision.Stay(state._shapeIndex, ScalerReason.StaleObservation);
        }

        next = state;
        ref var s = ref next;
        if (!s._initialized || _noSmoothing)
        {
            s._initialized = true;
            s._cpu = used.CpuCores;
            s._memory = used.MemoryGiB;
            s._storage = used.StorageGiB;
            s._network = used.NetworkGbps;
        }
        else
        {
            var alpha = 1 - Math.Exp(-(now - s._lastTicks) * _inverseTauTicks);
            s._cpu += alpha * (used.CpuCores - s._cpu);
            s._memory += alpha * (used.MemoryGiB - s._memory);
            s._storage += alpha * (used.StorageGiB - s._storage);
            s._network += alpha * (used.NetworkGbps - s._network);
        }

        s._lastTicks = now;
        double cpu = s._cpu, memory = s._memory, storage = s._storage, network = s._network;
        if (proactive)
        {
            cpu = Larger(cpu, forecast.CpuCores);
            memory = Larger(memory, forecast.MemoryGiB);
            storage = Larger(storage, forecast.StorageGiB);
            network = Larger(network, forecast.NetworkGbps);
        }

        var current = s._shapeIndex;
        var utilization = MaxUtilization(current, cpu, memory, storage, network);
        if (utilization > _upBand)
        {
            s._belowSinceTicks = ScalerState.NoTime;
            if (s._aboveSinceTicks == ScalerState.NoTime)
            {
                s._aboveSinceTicks = now;
            }

            if (now - s._aboveSinceTicks < _upWindowTicks)
            {
                return ScalerDecision.Stay(current, ScalerReason.StabilizingUp);
            }

            if (!CanSwitch(s, now, out var blocked))
            {
                return ScalerDecision.Stay(current, blocked);
            }

            var sizing = Sizing(cpu, memory, storage, network, used);
            var target = FindUpTarget(current, sizing);
            if (target < 0)
            {
                return ScalerDecision.Stay(current, ScalerReason.NoLargerShape);
            }

            s.RecordMove(target, now);
            return new ScalerDecision(ScalerAction.MoveUp, target, ScalerReason.SustainedAboveUpBand);
        }

        if (utilization < _downBand)
        {
            s._aboveSinceTicks = ScalerState.NoTime;
            if (s._belowSinceTicks == ScalerState.NoTime)
            {
                s._belowSinceTicks = now;
            }

            if (now - s._belowSinceTicks < _downWindowTicks)
            {
                return ScalerDecision.Stay(current, ScalerReason.StabilizingDown);
            }

            if (!CanSwitch(s, now, out var blocked))
            {
                return ScalerDecision.Stay(current, blocked);
            }

            var sizing = Sizing(cpu, memory, storage, network, used);
            var target = FindCheapestFitting(sizing, current, _price[current]);
            if (target < 0)
            {
                return ScalerDecision.Stay(current, ScalerReason.NoCheaperShape);
            }

            s.RecordMove(target, now);
            return new ScalerDecision(ScalerAction.MoveDown, target, ScalerReason.SustainedBelowDownBand);
        }

        s._aboveSinceTicks = ScalerState.NoTime;
        s._belowSinceTicks = ScalerState.NoTime;
        return ScalerDecision.Stay(current, ScalerReason.WithinBands);
    }

    // The utilisation the decisions compare with the bands, and the public MaxUtilization reports: +∞ for any positive
    // demand in a dimension the shape lacks, whatever its size. Multiplying by the missing dimension's double.MaxValue
    // gives that (or a product above every band) for a demand above about 1e-308 only; a subnormal demand there would
    // come out below the bands. The same product understates a demand on a capacity whose reciprocal overflows. Only
    // catalogs with such a shape pay for the exact test, out of line.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private double MaxUtilization(int shapeIndex, double cpu, double memory, double storage, double network)
    {
        var inverse = _inverseCapacity.AsSpan(shapeIndex * ResourceVector.DimensionCount, ResourceVector.DimensionCount);
        var utilization = Larger(
            Larger(cpu * inverse[0], memory * inverse[1]),
            Larger(storage * inverse[2], network * inverse[3]));
        return _someReciprocalOverflows ? ExactWhereReciprocalsOverflow(shapeIndex, utilization, cpu, memory, storage, network) : utilization;
    }

    // Where a capacity's reciprocal overflows (a capacity of 0 included), the product with double.MaxValue is at most the
    // ratio demand ÷ capacity (+∞ for a capacity of 0), so the larger of the two is the exact maximum.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private double ExactWhereReciprocalsOverflow(int shapeIndex, double utilization, double cpu, double memory, double storage, double network)
    {
        var b = shapeIndex * ResourceVector.DimensionCount;
        utilization = Exact(utilization, cpu, _capacity[b]);
        utilization = Exact(utilization, memory, _capacity[b + 1]);
        utilization = Exact(utilization, storage, _capacity[b + 2]);
        return Exact(utilization, network, _capacity[b + 3]);

        static double Exact(double utilization, double demand, double capacity) =>
            demand > 0 && double.IsInfinity(1 / capacity) ? Larger(utilization, demand / capacity) : utilization;
    }

    // The hardware maximum (branch-free, without Math.Max's NaN and signed-zero handling): every input here is
    // non-negative and never NaN (at most +∞, from a missing dimension), so the results agree.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Larger(double a, double b) => double.MaxNative(a, b);

    private bool CanSwitch(in ScalerState state, long now, out ScalerReason blocked)
    {
        if (state._lastMoveTicks != ScalerState.NoTime && now - state._lastMoveTicks < _cooldownTicks)
        {
            blocked = ScalerReason.CoolingDown;
            return false;
        }

        if (state.CountSwitchesWithin(now, _periodTicks) >= _maxSwitches)
        {
            blocked = ScalerReason.SwitchCapReached;
            return false;
        }

        blocked = default;
        return true;
    }

    // The demand a new shape is sized for: the decision's demand, raised to the latest raw observation so that a
    // rising demand that the smoothing has not caught up with yet does not land the replica on a shape it already
    // outgrows. Divided by the target utilisation, it is the capacity the new shape needs.
    private ResourceVector Sizing(double cpu, double memory, double storage, double network, ResourceVector used) => new(
        Math.Max(cpu, used.CpuCores) * _inverseTarget,
        Math.Max(memory, used.MemoryGiB) * _inverseTarget,
        Math.Max(storage, used.StorageGiB) * _inverseTarget,
        Math.Max(network, used.NetworkGbps) * _inverseTarget);

    // The catalog is in ascending price order, so the first shape that fits is the cheapest one.
    private int FindCheapestFitting(ResourceVector need, int limit, double priceBelow)
    {
        var capacity = _capacity;
        for (var i = 0; i < limit; i++)
        {
            var b = i * ResourceVector.DimensionCount;
            if (capacity[b] >= need.CpuCores && capacity[b + 1] >= need.MemoryGiB
                && capacity[b + 2] >= need.StorageGiB && capacity[b + 3] >= need.NetworkGbps
                && _price[i] < priceBelow)
            {
                return i;
            }
        }

        return -1;
    }

    private int FindUpTarget(int current, ResourceVector need)
    {
        var fitting = FindCheapestFitting(need, _shapeCount, double.PositiveInfinity);
        if (fitting >= 0)
        {
            return fitting;
        }

        // Nothing is large enough for the target utilisation: take the shape with the most room, if it has more.
        var best = current;
        var bestUtilization = MaxUtilization(current, need.CpuCores, need.MemoryGiB, need.StorageGiB, need.NetworkGbps);
        for (var i = 0; i < _shapeCount; i++)
        {
            var utilization = MaxUtilization(i, need.CpuCores, need.MemoryGiB, need.StorageGiB, need.NetworkGbps);
            if (utilization < bestUtilization)
            {
                best = i;
                bestUtilization = utilization;
            }
        }

        return best == current ? -1 : best;
    }

    [DoesNotReturn]
    private static void ThrowInvalidAmount(string paramName, ResourceVector value) =>
        throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be finite and non-negative in every dimension; got {value}.");

    [DoesNotReturn]
    private static void ThrowShapeOutOfCatalog(int index, int count, string paramName) =>
        throw new ArgumentException($"The state's shape index ({index}) is outside the scaler's catalog of {count} shapes.", paramName);
}
