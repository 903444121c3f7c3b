using Shaping.Core.Resources;
using Shaping.Core.Scaling;
using Shaping.Core.Shapes;

namespace Shaping.Core.Tests.Scaling;

public sealed class HysteresisScalerTests
{
    private static readonly DateTimeOffset T0 = ScalerTestData.Start;

    private static readonly ScalerPolicy Policy = new(
        upBand: 0.8,
        downBand: 0.4,
        targetUtilization: 0.6,
        smoothingTimeConstant: TimeSpan.Zero,
        upStabilizationWindow: TimeSpan.FromMinutes(1),
        downStabilizationWindow: TimeSpan.FromMinutes(10),
        cooldown: TimeSpan.FromMinutes(5),
        maxSwitchesPerPeriod: 2,
        switchPeriod: TimeSpan.FromHours(1));

    [Fact]
    public void Constructor_EmptyCatalog_Throws() =>
        Assert.Throws<ArgumentException>("catalog", () => new HysteresisScaler(ShapeCatalog.Empty));

    [Fact]
    public void Decide_FirstObservation_SeedsSmoothingWithoutMoving()
    {
        var scaler = new HysteresisScaler(ScalerTestData.Ladder, new ScalerPolicy(smoothingTimeConstant: TimeSpan.FromMinutes(5)));
        var used = ScalerTestData.CpuDemand(2, 0.95);

        var decision = scaler.Decide(ScalerState.Create(2), used, T0, out var next);

        Assert.Equal(ScalerDecision.Stay(2, ScalerReason.StabilizingUp), decision);
        Assert.Equal(used, next.SmoothedDemand);
        Assert.Equal(T0, next.AboveUpBandSince);
    }

    [Fact]
    public void Decide_DefaultState_BehavesAsCreateZero()
    {
        var scaler = new HysteresisScaler(ScalerTestData.Ladder, Policy);
        var used = ScalerTestData.CpuDemand(0, 0.95);

        var fromDefault = scaler.Decide(default, used, T0, out var next);
        var fromCreate = scaler.Decide(ScalerState.Create(0), used, T0, out _);

        Assert.Equal(fromCreate, fromDefault);
        Assert.Equal(ScalerReason.StabilizingUp, fromDefault.Reason);
        Assert.Null(default(ScalerState).LastMoveAt);
        Assert.Equal(T0, next.AboveUpBandSince);
    }

    [Fact]
    public void Decide_IrregularSampling_WeighsByElapsedTime()
    {
        var tau = TimeSpan.FromMinutes(2);
        var scaler = new HysteresisScaler(ScalerTestData.Ladder, new ScalerPolicy(smoothingTimeConstant: tau));
        scaler.Decide(ScalerState.Create(2), new ResourceVector(1, 1, 1, 1), T0, out var state);

        scaler.Decide(state, new ResourceVector(3, 3, 3, 3), T0 + TimeSpan.FromMinutes(3), out state);

        var alpha = 1 - Math.Exp(-3.0 / 2.0);
        Assert.Equal(1 + (2 * alpha), state.SmoothedDemand.CpuCores, 12);
    }

    [Fact]
    public void Decide_TwoObservationsEqualOneAfterTheSumOfGaps_WhenDemandIsConstant()
    {
        var scaler = new HysteresisScaler(ScalerTestData.Ladder, new ScalerPolicy(smoothingTimeConstant: TimeSpan.FromMinutes(2)));
        scaler.Decide(ScalerState.Create(2), new ResourceVector(1, 1, 1, 1), T0, out var start);
        var high = new ResourceVector(5, 5, 5, 5);

        scaler.Decide(start, high, T0 + TimeSpan.FromMinutes(1), out var twice);
        scaler.Decide(twice, high, T0 + TimeSpan.FromMinutes(3), out twice);
        scaler.Decide(start, high, T0 + TimeSpan.FromMinutes(3), out var once);

        Assert.Equal(once.SmoothedDemand.CpuCores, twice.SmoothedDemand.CpuCores, 12);
    }

    [Fact]
    public void Decide_StaleObservation_IsIgnored()
    {
        var scaler = new HysteresisScaler(ScalerTestData.Ladder, Policy);
        scaler.Decide(ScalerState.Create(2), ScalerTestData.CpuDemand(2, 0.5), T0, out var state);

        var decision = scaler.Decide(state, ScalerTestData.CpuDemand(2, 0.99), T0 - TimeSpan.FromSeconds(1), out var next);

        Assert.Equal(ScalerReason.StaleObservation, decision.Reason);
        Assert.Equal(state.SmoothedDemand, next.SmoothedDemand);
    }

    [Fact]
    public void Decide_AboveUpBandForTheWindow_MovesUpToCheapestShapeAtTarget()
    {
        var scaler = new HysteresisScaler(ScalerTestData.Ladder, Policy);
        var used = ScalerTestData.CpuDemand(1, 1.5); // 3 cores on a 2-core shape: needs 5 cores at 60 %.

        var first = scaler.Decide(ScalerState.Create(1), used, T0, out var state);
        var early = scaler.Decide(state, used, T0 + TimeSpan.FromSeconds(59), out state);
        var due = scaler.Decide(state, used, T0 + TimeSpan.FromMinutes(1), out state);

        Assert.Equal(ScalerReason.StabilizingUp, first.Reason);
        Assert.Equal(ScalerReason.StabilizingUp, early.Reason);
        Assert.Equal(new ScalerDecision(ScalerAction.MoveUp, 3, ScalerReason.SustainedAboveUpBand), due);
        Assert.Equal(3, state.ShapeIndex);
        Assert.Equal(T0 + TimeSpan.FromMinutes(1), state.LastMoveAt);
    }

    [Fact]
    public void Decide_BelowDownBand_WaitsForTheSlowerDownWindow()
    {
        var scaler = new HysteresisScaler(ScalerTestData.Ladder, Policy);
        var used = ScalerTestData.CpuDemand(3, 0.1); // 0.8 cores on 8: 2 cores hold it at 40 %, below 60 %.

        scaler.Decide(ScalerState.Create(3), used, T0, out var state);
        var early = scaler.Decide(state, used, T0 + TimeSpan.FromMinutes(9), out state);
        var due = scaler.Decide(state, used, T0 + TimeSpan.FromMinutes(10), out state);

        Assert.Equal(ScalerReason.StabilizingDown, early.Reason);
        Assert.Equal(new ScalerDecision(ScalerAction.MoveDown, 1, ScalerReason.SustainedBelowDownBand), due);
        Assert.True(scaler.MaxUtilization(1, used) <= Policy.TargetUtilization);
    }

    [Fact]
    public void Decide_ReturningInsideBands_ResetsTheWindow()
    {
        var scaler = new HysteresisScaler(ScalerTestData.Ladder, Policy);
        var high = ScalerTestData.CpuDemand(2, 0.9);

        scaler.Decide(ScalerState.Create(2), high, T0, out var state);
        scaler.Decide(state, ScalerTestData.CpuDemand(2, 0.7), T0 + TimeSpan.FromSeconds(30), out state);
        var decision = scaler.Decide(state, high, T0 + TimeSpan.FromSeconds(70), out state);

        Assert.Equal(ScalerReason.StabilizingUp, decision.Reason);
        Assert.Equal(T0 + TimeSpan.FromSeconds(70), state.AboveUpBandSince);
    }

    [Fact]
    public void Decide_DuringCooldown_StaysWithReason()
    {
        var scaler = new HysteresisScaler(ScalerTestData.Ladder, Policy);
        var state = MovedUpOnce(scaler, out var movedAt);
        var pressure = ScalerTestData.CpuDemand(state.ShapeIndex, 0.95);

        scaler.Decide(state, pressure, movedAt + TimeSpan.FromMinutes(1), out state);
        var decision = scaler.Decide(state, pressure, movedAt + TimeSpan.FromMinutes(4), out state);
        var after = scaler.Decide(state, pressure, movedAt + TimeSpan.FromMinutes(5), out state);

        Assert.Equal(ScalerReason.CoolingDown, decision.Reason);
        Assert.Equal(ScalerAction.MoveUp, after.Action);
    }

    [Fact]
    public void Decide_CapReached_StaysUntilTheOldestSwitchLeavesThePeriod()
    {
        var scaler = new HysteresisScaler(ScalerTestData.Ladder, Policy);
        var state = ScalerState.Create(0);
        var t = T0;
        var moves = new List<DateTimeOffset>();
        var blocked = 0;
        for (var i = 0; i < 200; i++, t += TimeSpan.FromMinutes(1))
        {
            var used = ScalerTestData.CpuDemand(state.ShapeIndex, 0.95);
            var decision = scaler.Decide(state, used, t, out state);
            if (decision.IsMove)
            {
                moves.Add(t);
            }

            blocked += decision.Reason == ScalerReason.SwitchCapReached ? 1 : 0;
        }

        Assert.True(blocked > 0);
        Assert.Equal(moves[0] + TimeSpan.FromHours(1), moves[2]);
    }

    [Fact]
    public void Decide_LargestShapeUnderPressure_StaysWithNoLargerShape()
    {
        var scaler = new HysteresisScaler(ScalerTestData.Ladder, Policy);
        var used = ScalerTestData.CpuDemand(4, 0.95);

        scaler.Decide(ScalerState.Create(4), used, T0, out var state);
        var decision = scaler.Decide(state, used, T0 + TimeSpan.FromMinutes(2), out _);

        Assert.Equal(ScalerDecision.Stay(4, ScalerReason.NoLargerShape), decision);
    }

    [Fact]
    public void Decide_DemandBeyondEveryShape_MovesToTheShapeWithMostRoom()
    {
        var scaler = new HysteresisScaler(ScalerTestData.Ladder, Policy);
        var used = ScalerTestData.CpuDemand(0, 40); // 40 cores: more than the 16 of the largest shape.

        scaler.Decide(ScalerState.Create(1), used, T0, out var state);
        var decision = scaler.Decide(state, used, T0 + TimeSpan.FromMinutes(2), out _);

        Assert.Equal(new ScalerDecision(ScalerAction.MoveUp, 4, ScalerReason.SustainedAboveUpBand), decision);
    }

    [Fact]
    public void Decide_CheapestShapeIdle_StaysWithNoCheaperShape()
    {
        var scaler = new HysteresisScaler(ScalerTestData.Ladder, Policy);
        var used = ResourceVector.Zero;

        scaler.Decide(ScalerState.Create(0), used, T0, out var state);
        var decision = scaler.Decide(state, used, T0 + TimeSpan.FromHours(1), out _);

        Assert.Equal(ScalerDecision.Stay(0, ScalerReason.NoCheaperShape), decision);
    }

    [Fact]
    public void Decide_DemandInADimensionTheShapeLacks_MovesToAShapeThatHasIt()
    {
        var noNetwork = new ResourceShape("cheap-no-net", new ResourceVector(4, 16, 40, 0), new ShapeProfile(0.01));
        var withNetwork = new ResourceShape("net", new ResourceVector(4, 16, 40, 2), new ShapeProfile(0.02));
        var scaler = new HysteresisScaler(new ShapeCatalog([noNetwork, withNetwork]), Policy);
        var used = new ResourceVector(1, 1, 1, 0.5);

        scaler.Decide(ScalerState.Create(0), used, T0, out var state);
        var decision = scaler.Decide(state, used, T0 + TimeSpan.FromMinutes(1), out _);

        Assert.Equal(new ScalerDecision(ScalerAction.MoveUp, 1, ScalerReason.SustainedAboveUpBand), decision);
    }

    [Fact]
    public void Decide_ProactiveForecastAboveBand_MovesBeforeObservedDemandRises()
    {
        var scaler = new HysteresisScaler(ScalerTestData.Ladder, Policy);
        var used = ScalerTestData.CpuDemand(1, 0.5);
        var forecast = ScalerTestData.CpuDemand(1, 1.2);

        scaler.Decide(ScalerState.Create(1), used, forecast, T0, out var state);
        var reactive = scaler.Decide(state, used, T0 + TimeSpan.FromMinutes(1), out _);
        var proactive = scaler.Decide(state, used, forecast, T0 + TimeSpan.FromMinutes(1), out _);

        Assert.Equal(ScalerAction.Stay, reactive.Action);
        Assert.Equal(ScalerAction.MoveUp, proactive.Action);
    }

    [Fact]
    public void Decide_InvalidDemand_ThrowsNamingIt()
    {
        var scaler = new HysteresisScaler(ScalerTestData.Ladder, Policy);

        Assert.Throws<ArgumentOutOfRangeException>("used", () => scaler.Decide(ScalerState.Create(0), new ResourceVector(double.NaN, 0, 0, 0), T0, out _));
        Assert.Throws<ArgumentOutOfRangeException>("forecast", () => scaler.Decide(ScalerState.Create(0), ResourceVector.Zero, new ResourceVector(-1, 0, 0, 0), T0, out _));
        Assert.Throws<ArgumentException>("state", () => scaler.Decide(ScalerState.Create(9), ResourceVector.Zero, T0, out _));
    }

    [Fact]
    public void RollBackMove_KeepsSmoothingAndRestoresShapeAndTimers()
    {
        var scaler = new HysteresisScaler(ScalerTestData.Ladder, Policy);
        var used = ScalerTestData.CpuDemand(1, 1.5);
        scaler.Decide(ScalerState.Create(1), used, T0, out var before);
        var decision = scaler.Decide(before, used, T0 + TimeSpan.FromMinutes(1), out var moved);

        var rolledBack = moved.RollBackMove(before);

        Assert.True(decision.IsMove);
        Assert.Equal(1, rolledBack.ShapeIndex);
        Assert.Null(rolledBack.LastMoveAt);
        Assert.Equal(T0, rolledBack.AboveUpBandSince);
        Assert.Equal(T0 + TimeSpan.FromMinutes(1), rolledBack.LastObservationAt);
        Assert.Equal(0, rolledBack.CountSwitchesWithin(T0 + TimeSpan.FromMinutes(1), TimeSpan.FromHours(1)));
        Assert.True(scaler.Decide(rolledBack, used, T0 + TimeSpan.FromMinutes(2), out _).IsMove);
    }

    [Fact]
    public void TryCreateState_NullName_ThrowsNamingIt()
    {
        // Before: the parameter named was 'name', the catalog's own.
        var scaler = new HysteresisScaler(ScalerTestData.Ladder, Policy);

        Assert.Throws<ArgumentNullException>("shapeName", () => scaler.TryCreateState(null!, out _));
    }

    [Fact]
    public void TryCreateState_UnknownShape_ReturnsFalse()
    {
        var scaler = new HysteresisScaler(ScalerTestData.Ladder, Policy);

        Assert.True(scaler.TryCreateState("m", out var state));
        Assert.Equal(2, state.ShapeIndex);
        Assert.False(scaler.TryCreateState("nope", out _));
    }

    [Fact]
    public void Decide_ManyObservationsWithMoves_AllocatesNothing()
    {
        var scaler = new HysteresisScaler(ScalerTestData.Ladder, Policy);
        var state = ScalerState.Create(2);
        var random = new Random(7);
        var used = new ResourceVector[4096];
        for (var i = 0; i < used.Length; i++)
        {
            used[i] = ScalerTestData.CpuDemand(0, random.NextDouble() * (i / 512 % 2 == 0 ? 2 : 20));
        }

        scaler.Decide(state, used[0], T0, out state); // warm up (JIT)
        var moves = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 1; i < used.Length; i++)
        {
            moves += scaler.Decide(state, used[i], used[i] * 1.1, T0 + TimeSpan.FromSeconds(15 * i), out state).IsMove ? 1 : 0;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(moves > 0);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void MaxUtilization_InvalidDemand_ThrowsNamingIt()
    {
        var scaler = new HysteresisScaler(ScalerTestData.Ladder, Policy);
        Assert.Throws<ArgumentOutOfRangeException>("demand", () => scaler.MaxUtilization(0, new ResourceVector(double.NaN, 1, 1, 0)));
        Assert.Throws<ArgumentOutOfRangeException>("demand", () => scaler.MaxUtilization(0, new ResourceVector(-5, -1, -1, 0)));
        Assert.Throws<ArgumentOutOfRangeException>("demand", () => scaler.MaxUtilization(0, new ResourceVector(1, double.PositiveInfinity, 1, 0)));
        Assert.Throws<ArgumentOutOfRangeException>("shapeIndex", () => scaler.MaxUtilization(-1, ResourceVector.Zero));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(2)]
    [InlineData(1e-300)]
    public void MaxUtilization_DemandInADimensionTheShapeLacks_IsInfiniteWhateverItsSize(double networkGbps)
    {
        // Before: 0.5 Gbps gave 0.5 × double.MaxValue (finite), 2 Gbps gave +∞.
        var noNetwork = new ResourceShape("no-net", new ResourceVector(2, 8, 50, 0), new ShapeProfile(0.1));
        var scaler = new HysteresisScaler(new ShapeCatalog([noNetwork]), Policy);
        Assert.Equal(double.PositiveInfinity, scaler.MaxUtilization(0, new ResourceVector(1, 1, 1, networkGbps)));
    }

    [Fact]
    public void MaxUtilization_NoDemandInTheMissingDimension_OtherDimensionsDecide()
    {
        var noNetwork = new ResourceShape("no-net", new ResourceVector(2, 8, 50, 0), new ShapeProfile(0.1));
        var scaler = new HysteresisScaler(new ShapeCatalog([noNetwork]), Policy);
        Assert.Equal(0.5, scaler.MaxUtilization(0, new ResourceVector(1, 2, 10, 0)));
        Assert.Equal(0, scaler.MaxUtilization(0, ResourceVector.Zero));
    }

    [Theory]
    [InlineData(4e-309)]
    [InlineData(double.Epsilon)]
    [InlineData(1e-300)]
    public void Decide_TinyDemandInADimensionTheShapeLacks_IsAboveEveryBand(double networkGbps)
    {
        // Before: a subnormal demand times double.MaxValue (the missing dimension's reciprocal) stayed below 1, so a
        // replica whose other dimensions sit between the bands was judged within them.
        var noNetwork = new ResourceShape("no-net", new ResourceVector(2, 8, 50, 0), new ShapeProfile(0.1));
        var withNetwork = new ResourceShape("net", new ResourceVector(2, 8, 50, 1), new ShapeProfile(0.2));
        var scaler = new HysteresisScaler(new ShapeCatalog([noNetwork, withNetwork]), Policy);
        var used = new ResourceVector(1.2, 4.8, 30, networkGbps); // 60 % of no-net's CPU, memory and storage

        var first = scaler.Decide(ScalerState.Create(0), used, T0, out var state);
        var second = scaler.Decide(state, used, T0 + TimeSpan.FromMinutes(1), out _);

        Assert.Equal(ScalerDecision.Stay(0, ScalerReason.StabilizingUp), first);
        Assert.Equal(new ScalerDecision(ScalerAction.MoveUp, 1, ScalerReason.SustainedAboveUpBand), second);
        Assert.Equal(double.PositiveInfinity, scaler.MaxUtilization(0, used));
    }

    [Theory]
    [InlineData(1e-310)]
    [InlineData(4 * double.Epsilon)]
    public void MaxUtilization_SubnormalCapacityInAnIdleDimension_OtherDimensionsDecide(double memoryGiB)
    {
        // The reciprocal of a subnormal capacity is +∞, and no demand there gave 0 × ∞ = NaN, which the hardware maximum
        // then let swallow the other dimensions: 50 % of the CPU read as 0.
        var tiny = new ResourceShape("tiny", new ResourceVector(1, memoryGiB, 1, 1), new ShapeProfile(0.1));
        var scaler = new HysteresisScaler(new ShapeCatalog([tiny]), Policy);

        Assert.Equal(0.5, scaler.MaxUtilization(0, new ResourceVector(0.5, 0, 0, 0)));
        Assert.Equal(0.25, scaler.MaxUtilization(0, new ResourceVector(0.25, 0, 0.1, 0.2)));
        Assert.Equal(0, scaler.MaxUtilization(0, ResourceVector.Zero));
    }

    [Fact]
    public void MaxUtilization_DemandOnASubnormalCapacity_IsTheExactRatio()
    {
        // demand × (1 / capacity) is +∞ when the reciprocal overflows; the ratio itself is 0.5 or 2.
        var capacity = 4 * double.Epsilon;
        var tiny = new ResourceShape("tiny", new ResourceVector(1, capacity, 1, 1), new ShapeProfile(0.1));
        var scaler = new HysteresisScaler(new ShapeCatalog([tiny]), Policy);

        Assert.Equal(0.5, scaler.MaxUtilization(0, new ResourceVector(0.1, 2 * double.Epsilon, 0, 0)));
        Assert.Equal(2, scaler.MaxUtilization(0, new ResourceVector(0.1, 8 * double.Epsilon, 0, 0)));
    }

    [Fact]
    public void Decide_SubnormalCapacityInAnIdleDimension_StillMovesUpUnderCpuPressure()
    {
        // Before: at 95 % of its CPU the replica read as idle (utilisation 0) and stabilised down instead of moving up.
        var tiny = new ResourceShape("tiny", new ResourceVector(1, 1e-310, 1, 1), new ShapeProfile(0.1));
        var big = new ResourceShape("big", new ResourceVector(4, 4, 4, 4), new ShapeProfile(1));
        var scaler = new HysteresisScaler(new ShapeCatalog([tiny, big]), Policy);
        var used = new ResourceVector(0.95, 0, 0, 0);

        var first = scaler.Decide(ScalerState.Create(0), used, T0, out var state);
        var second = scaler.Decide(state, used, T0 + TimeSpan.FromMinutes(1), out _);

        Assert.Equal(ScalerDecision.Stay(0, ScalerReason.StabilizingUp), first);
        Assert.Equal(new ScalerDecision(ScalerAction.MoveUp, 1, ScalerReason.SustainedAboveUpBand), second);
    }

    [Fact]
    public void Decide_TargetOneUlpBelowTheUpBand_MoveDownNeverLandsAboveTheUpBand()
    {
        // A target utilisation one ulp below the up band is valid. Sizing rounds twice (demand × 1/target) and the
        // utilisation on the new shape rounds twice more (demand × 1/capacity), so a shape exactly as large as the
        // sizing asked for could put the demand a hair above the up band: the move down was followed by pressure
        // to move up (to the very same shape). Found with 0.8 and 763.774855201995 cores.
        var upBand = 0.8;
        var policy = new ScalerPolicy(
            upBand: upBand,
            downBand: 0.4,
            targetUtilization: Math.BitDecrement(upBand),
            smoothingTimeConstant: TimeSpan.Zero,
            upStabilizationWindow: TimeSpan.FromMinutes(1),
            downStabilizationWindow: TimeSpan.FromMinutes(1),
            cooldown: TimeSpan.Zero);
        var random = new Random(20261129);
        var landedAbove = new List<double>();
        var movesDown = 0;
        for (var i = 0; i < 2000; i++)
        {
            var cores = i == 0 ? 763.774855201995 : 1 + (random.NextDouble() * 999);
            // What the scaler sized the move for, and up to 20 ulps more: shapes just large enough.
            var exact = cores * (1 / policy.TargetUtilization);
            for (var ulps = i == 0 ? 0 : random.Next(21); ulps > 0; ulps--)
            {
                exact = Math.BitIncrement(exact);
            }

            var small = new ResourceShape("small", new ResourceVector(exact, 1000, 1000, 1000), new ShapeProfile(1));
            var large = new ResourceShape("large", new ResourceVector(4 * exact, 4000, 4000, 4000), new ShapeProfile(4));
            var scaler = new HysteresisScaler(new ShapeCatalog([small, large]), policy);
            var used = new ResourceVector(cores, 1, 1, 1);

            scaler.Decide(ScalerState.Create(1), used, T0, out var state);
            var decision = scaler.Decide(state, used, T0 + TimeSpan.FromMinutes(1), out state);
            if (decision.Action == ScalerAction.MoveDown)
            {
                movesDown++;
                var after = scaler.Decide(state, used, T0 + TimeSpan.FromMinutes(2), out _);
                if (scaler.MaxUtilization(decision.TargetShapeIndex, used) > upBand || after.Reason != ScalerReason.WithinBands)
                {
                    landedAbove.Add(cores);
                }
            }
        }

        Assert.Empty(landedAbove);
        Assert.InRange(movesDown, 1000, 2000); // most shapes are still large enough to move down to
    }

    private static ScalerState MovedUpOnce(HysteresisScaler scaler, out DateTimeOffset movedAt)
    {
        var used = ScalerTestData.CpuDemand(0, 0.95);
        scaler.Decide(ScalerState.Create(0), used, T0, out var state);
        movedAt = T0 + TimeSpan.FromMinutes(1);
        Assert.True(scaler.Decide(state, used, movedAt, out state).IsMove);
        return state;
    }
}
