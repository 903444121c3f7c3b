using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Shaping.Core.Prediction;
using Shaping.Core.Resources;
using Shaping.Forecasting;
using Shaping.Forecasting.Engine;
using Shaping.Simulation.Demand;

namespace Shaping.Accuracy.EngineReplay;

/// <summary>What one replay of a trace through the engine scored.</summary>
/// <param name="Tallies">One per window and dimension reported.</param>
/// <param name="Refreshes">How many refreshes ran.</param>
/// <param name="FallbackLookups">Lookups (one per refresh and window) the engine answered with its fallback: not scored.</param>
/// <param name="Unscored">Forecast lookups whose window ran past the end of the trace.</param>
/// <param name="Models">The models per dimension at the end.</param>
/// <param name="Elapsed">Wall time of the replay.</param>
internal sealed record ReplayResult(
    IReadOnlyList<WindowTally> Tallies, int Refreshes, int FallbackLookups, int Unscored, IReadOnlyList<string> Models, TimeSpan Elapsed);

/// <summary>
/// Replays a demand series through a real <see cref="PredictiveLoadEngine"/> on a hand-set clock and scores every
/// forecast profile it serves once the profile's window has passed.
/// </summary>
/// <remarks>
/// <para>
/// Every sample is observed at its own timestamp (a sample coarser than the engine's resolution, such as nyc_taxi's
/// 30 minutes, is observed once per engine step it covers: the demand held over the slot, which is what a monitoring
/// system sampling every step would have reported). At each refresh time τ (a multiple of the refresh interval) the
/// replay has observed every sample stamped before τ, sets the clock to τ, runs <see cref="PredictiveLoadEngine.RefreshAsync"/>
/// and looks up each configured window. A forecast profile's window covers the engine steps from τ's step on, as the
/// engine documents; it is scored against the realised step means of those steps (the quantity the engine models:
/// load inside one step is averaged), computed from the same observations the engine saw.
/// </para>
/// </remarks>
internal static class TraceReplay
{
    private const string Region = "replay";

    public static ReplayResult Run(
        DemandSeries demand,
        PredictiveLoadEngineOptions options,
        IForecaster forecaster,
        IReadOnlyList<Dimension> dimensions,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var resolution = options.Resolution;
        var observations = Observations(demand, resolution);
        var firstStep = observations[0].Time.UtcTicks / resolution.Ticks;
        var lastStep = observations[^1].Time.UtcTicks / resolution.Ticks;
        var stepMeans = StepMeans(observations, resolution, firstStep, lastStep);

        var clock = new ManualClock(observations[0].Time);
        var engine = new PredictiveLoadEngine(forecaster, new NoFallback(), options, clock);
        var windows = options.Windows.Distinct().Order().ToArray();
        var tallies = new WindowTally[windows.Length, dimensions.Count];
        for (var w = 0; w < windows.Length; w++)
        {
            for (var d = 0; d < dimensions.Count; d++)
            {
                tallies[w, d] = new WindowTally(windows[w], dimensions[d]);
            }
        }

        var refresh = options.RefreshInterval.Ticks;
        var tick = ((observations[0].Time.UtcTicks / refresh) + 1) * refresh;
        var end = observations[^1].Time.UtcTicks;
        int next = 0, refreshes = 0, fallbacks = 0, unscored = 0;
        for (; tick <= end; tick += refresh)
        {
            cancellationToken.ThrowIfCancellationRequested();
            while (next < observations.Length && observations[next].Time.UtcTicks < tick)
            {
                clock.Now = observations[next].Time;
                engine.Observe(Region, observations[next].Time, observations[next].Demand);
                next++;
            }

            var now = new DateTimeOffset(tick, TimeSpan.Zero);
            clock.Now = now;
            engine.RefreshAsync(cancellationToken).GetAwaiter().GetResult();
            refreshes++;
            var nowStep = tick / resolution.Ticks;
            for (var w = 0; w < windows.Length; w++)
            {
                if (!engine.TryGetProfile(Region, windows[w], out var profile) || profile.IsFallback)
                {
                    fallbacks++;
                    continue;
                }

                var steps = Math.Max(1, (int)Math.Ceiling(windows[w] / resolution));
                var from = nowStep - firstStep;
                if (nowStep + steps - 1 > lastStep)
                {
                    unscored++;
                    continue;
                }

                for (var d = 0; d < dimensions.Count; d++)
                {
                    var series = stepMeans[(int)dimensions[d]];
                    var peak = double.MinValue;
                    var sum = 0.0;
                    for (var s = from; s < from + steps; s++)
                    {
                        peak = Math.Max(peak, series[s]);
                        sum += series[s];
                    }

                    tallies[w, d].Add(profile.Peak(dimensions[d]), profile.Mean(dimensions[d]), peak, sum / steps);
                }
            }
        }

        var models = engine.GetStatus(Region)?.Models ?? [];
        return new ReplayResult(
            [.. tallies.Cast<WindowTally>()], refreshes, fallbacks, unscored, models, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>The samples as the engine observes them: one per slot, or one per engine step for slots longer than a step.</summary>
    private static (DateTimeOffset Time, ResourceVector Demand)[] Observations(DemandSeries demand, TimeSpan resolution)
    {
        var list = new List<(DateTimeOffset, ResourceVector)>(demand.Length);
        var repeats = demand.Step > resolution ? (int)Math.Ceiling(demand.Step / resolution) : 1;
        for (var i = 0; i < demand.Length; i++)
        {
            var time = demand.TimeOf(i);
            for (var j = 0; j < repeats; j++)
            {
                var at = time + (resolution * j);
                if (j > 0 && at >= time + demand.Step)
                {
                    break;
                }

                list.Add((at, demand.Values[i]));
            }
        }

        return [.. list];
    }

    /// <summary>Per dimension, the mean of the observations in each engine step from the first to the last (the
    /// carried-forward value of the step before when a step has none, as the engine's filling does on a daily trace).</summary>
    private static double[][] StepMeans(
        (DateTimeOffset Time, ResourceVector Demand)[] observations, TimeSpan resolution, long firstStep, long lastStep)
    {
        var length = checked((int)(lastStep - firstStep + 1));
        var means = new double[ResourceVector.DimensionCount][];
        var counts = new int[length];
        for (var d = 0; d < means.Length; d++)
        {
            means[d] = new double[length];
        }

        foreach (var (time, value) in observations)
        {
            var s = (int)((time.UtcTicks / resolution.Ticks) - firstStep);
            counts[s]++;
            for (var d = 0; d < means.Length; d++)
            {
                means[d][s] += value[(Dimension)d];
            }
        }

        for (var s = 0; s < length; s++)
        {
            for (var d = 0; d < means.Length; d++)
            {
                means[d][s] = counts[s] > 0 ? means[d][s] / counts[s] : means[d][Math.Max(0, s - 1)];
            }
        }

        return means;
    }

    /// <summary>No fallback: lookups the engine cannot answer with a forecast return false and are counted, not scored.</summary>
    private sealed class NoFallback : ILoadPredictor
    {
        public void Observe(string region, DateTimeOffset timestamp, ResourceVector demand)
        {
        }

        public bool TryGetProfile(string region, TimeSpan window, [NotNullWhen(true)] out LoadProfile? profile)
        {
            profile = null;
            return false;
        }
    }
}
