using FsCheck.Xunit;
using Shaping.Core.Resources;
using Shaping.Core.Scaling;

namespace Shaping.Core.Tests.Scaling;

[Properties(Arbitrary = [typeof(ScalerTestData)], MaxTest = 250, Replay = "(918273645,192837465)")]
public sealed class HysteresisScalerProperties
{
    private const double Margin = 0.01;

    [Property]
    public bool Decide_UtilizationOscillatingInsideBands_NeverMoves(ScalerCase scenario)
    {
        var policy = scenario.Policy;
        var scaler = new HysteresisScaler(ScalerTestData.Ladder, policy);
        var random = new Random(scenario.Seed);
        var shape = random.Next(ScalerTestData.Ladder.Count);
        var state = ScalerState.Create(shape);
        var at = ScalerTestData.Start;
        for (var i = 0; i < 400; i++)
        {
            // CPU, the busiest dimension, anywhere inside the bands; the others below it; a forecast inside too.
            var utilization = Between(random, policy.DownBand + Margin, policy.UpBand - Margin);
            var used = ScalerTestData.CpuDemand(shape, utilization, random.NextDouble());
            var forecast = ScalerTestData.CpuDemand(shape, Between(random, 0, policy.UpBand - Margin), random.NextDouble());
            at += TimeSpan.FromSeconds(random.Next(0, 900));
            var decision = ScalerTestData.Feed(scaler, scenario, state, used, forecast, at, out state);
            if (decision.IsMove || state.ShapeIndex != shape)
            {
                return false;
            }
        }

        return true;
    }

    [Property]
    public bool Decide_SustainedStepAboveUpBand_MovesUpWithinUpWindow(ScalerCase scenario)
    {
        var policy = scenario.Policy;
        var scaler = new HysteresisScaler(ScalerTestData.Ladder, policy);
        var random = new Random(scenario.Seed);
        var top = ScalerTestData.Ladder.Count - 1;

        // A shape from which a step above the up band still fits the largest shape at the target utilisation.
        var candidates = Enumerable.Range(0, top)
            .Where(i => RoomOnTop(policy, i, top) > policy.UpBand + 0.05)
            .ToArray();
        var shape = candidates[random.Next(candidates.Length)];
        var state = ScalerState.Create(shape);
        var at = ScalerTestData.Start;

        // Settle at the target utilisation, longer than any window, so no move or timer is pending.
        var before = policy.TargetUtilization;
        var settled = ScalerTestData.CpuDemand(shape, before);
        for (var i = 0; i < 5; i++)
        {
            at += TimeSpan.FromHours(1);
            if (scaler.Decide(state, settled, at, out state).IsMove)
            {
                return false;
            }
        }

        // Step to a utilisation above the up band that some larger shape still holds at the target utilisation.
        var after = Between(random, policy.UpBand + 0.02, Math.Min(policy.UpBand + 1.0, RoomOnTop(policy, shape, top)));
        var step = ScalerTestData.CpuDemand(shape, after, 0.1);
        var stepAt = at;
        var tau = policy.SmoothingTimeConstant.TotalSeconds;
        var crossing = tau == 0 ? 0 : tau * Math.Log((after - before) / (after - policy.UpBand));
        var latest = stepAt + TimeSpan.FromSeconds(crossing) + policy.UpStabilizationWindow;
        var maxGap = TimeSpan.FromSeconds(1 + random.Next(60));
        var t = stepAt;
        while (true)
        {
            var decision = ScalerTestData.Feed(scaler, scenario, state, step, ScalerResourceZero, t, out state);
            if (decision.IsMove)
            {
                // Never before the window has passed since the step; no later than the window after the smoothed
                // utilisation crossed the band, plus one sample to see the crossing and one to see the window end
                // (and a second of slack for the crossing time's rounding).
                return decision.Action == ScalerAction.MoveUp
                    && decision.TargetShapeIndex > shape
                    && t - stepAt >= policy.UpStabilizationWindow
                    && t <= latest + (2 * maxGap) + TimeSpan.FromSeconds(1);
            }

            if (t > latest + (2 * maxGap) + TimeSpan.FromSeconds(1))
            {
                return false;
            }

            t += TimeSpan.FromTicks(1 + random.NextInt64(maxGap.Ticks));
        }
    }

    [Property]
    public bool Decide_AfterMoveDown_NextDecisionIsNeverMoveUp(ScalerCase scenario)
    {
        var scaler = new HysteresisScaler(ScalerTestData.Ladder, scenario.Policy);
        var random = new Random(scenario.Seed);
        var state = ScalerState.Create(random.Next(ScalerTestData.Ladder.Count));
        var at = ScalerTestData.Start;
        var previous = ScalerAction.Stay;
        foreach (var (used, forecast, gap) in WildStream(random, 600))
        {
            at += gap;
            var decision = ScalerTestData.Feed(scaler, scenario, state, used, forecast, at, out state);
            if (previous == ScalerAction.MoveDown && decision.Action == ScalerAction.MoveUp)
            {
                return false;
            }

            previous = decision.Action;
        }

        return true;
    }

    [Property]
    public bool Decide_AfterMoveDown_SameDemandNeverMovesUp(ScalerCase scenario)
    {
        // The stronger guarantee: the shape a move down lands on keeps the demand that caused it below the up band,
        // however long that demand (and forecast) then lasts.
        var scaler = new HysteresisScaler(ScalerTestData.Ladder, scenario.Policy);
        var random = new Random(scenario.Seed);
        var state = ScalerState.Create(ScalerTestData.Ladder.Count - 1);
        var at = ScalerTestData.Start;
        foreach (var (used, forecast, gap) in WildStream(random, 600))
        {
            at += gap;
            var decision = ScalerTestData.Feed(scaler, scenario, state, used, forecast, at, out state);
            if (decision.Action != ScalerAction.MoveDown)
            {
                continue;
            }

            var hold = state;
            var holdAt = at;
            for (var i = 0; i < 100; i++)
            {
                holdAt += TimeSpan.FromSeconds(random.Next(0, 3600));
                if (ScalerTestData.Feed(scaler, scenario, hold, used, forecast, holdAt, out hold).Action == ScalerAction.MoveUp)
                {
                    return false;
                }
            }
        }

        return true;
    }

    [Property]
    public bool Decide_AnyStream_SwitchesNeverExceedCap(ScalerCase scenario)
    {
        var policy = scenario.Policy;
        var scaler = new HysteresisScaler(ScalerTestData.Ladder, policy);
        var random = new Random(scenario.Seed);
        var state = ScalerState.Create(random.Next(ScalerTestData.Ladder.Count));
        var at = ScalerTestData.Start;
        var moves = new List<DateTimeOffset>();
        foreach (var (used, forecast, gap) in WildStream(random, 1500))
        {
            at += gap;
            if (ScalerTestData.Feed(scaler, scenario, state, used, forecast, at, out state).IsMove)
            {
                moves.Add(at);
                if (moves.Count(m => at - m < policy.SwitchPeriod) > policy.MaxSwitchesPerPeriod)
                {
                    return false;
                }
            }
        }

        return true;
    }

    [Property]
    public bool Decide_NeverChangesTheStateItIsGiven(ScalerCase scenario)
    {
        var scaler = new HysteresisScaler(ScalerTestData.Ladder, scenario.Policy);
        var random = new Random(scenario.Seed);
        var state = ScalerState.Create(random.Next(ScalerTestData.Ladder.Count));
        var at = ScalerTestData.Start;
        foreach (var (used, forecast, gap) in WildStream(random, 200))
        {
            at += gap;
            var before = state;
            var first = ScalerTestData.Feed(scaler, scenario, before, used, forecast, at, out var next1);
            var second = ScalerTestData.Feed(scaler, scenario, before, used, forecast, at, out var next2);
            if (first != second || next1.ToString() != next2.ToString() || before.ToString() != state.ToString())
            {
                return false;
            }

            state = next1;
        }

        return true;
    }

    private static double RoomOnTop(ScalerPolicy policy, int shape, int top) =>
        policy.TargetUtilization * ScalerTestData.Ladder[top].Capacity.CpuCores / ScalerTestData.Ladder[shape].Capacity.CpuCores;

    private static ResourceVector ScalerResourceZero => ResourceVector.Zero;

    private static double Between(Random random, double low, double high) => low + (random.NextDouble() * (high - low));

    /// <summary>Demand that jumps between idle, moderate and far above any shape, at irregular intervals.</summary>
    private static IEnumerable<(ResourceVector Used, ResourceVector Forecast, TimeSpan Gap)> WildStream(Random random, int count)
    {
        var level = 1.0;
        for (var i = 0; i < count; i++)
        {
            if (random.NextDouble() < 0.15)
            {
                level = random.Next(4) switch
                {
                    0 => random.NextDouble() * 0.5,
                    1 => random.NextDouble() * 4,
                    2 => random.NextDouble() * 16,
                    _ => random.NextDouble() * 40,
                };
            }

            var used = new ResourceVector(
                level * (0.8 + (0.4 * random.NextDouble())),
                level * 4 * random.NextDouble(),
                level * 10 * random.NextDouble(),
                level * 0.5 * random.NextDouble());
            var forecast = used.Scale(random.NextDouble() * 1.5);
            var gap = TimeSpan.FromSeconds(random.Next(0, random.NextDouble() < 0.1 ? 3600 : 120));
            yield return (used, forecast, gap);
        }
    }
}
