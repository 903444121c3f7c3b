using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Shaping.Core.Prediction;
using Shaping.Core.Resources;
using Shaping.Core.Scaling;
using Shaping.Core.Selection;
using Shaping.Core.Shapes;
using Shaping.DependencyInjection;

namespace Shaping.Samples.Host;

/// <summary>The demo: selection for a few predicted loads, then a day of demand through the scaler; then it stops the host.</summary>
internal sealed class DemoWorker(
    ShapeCatalog catalog,
    ShapeSelector selector,
    HysteresisScaler scaler,
    IOptions<ShapingOptions> options,
    IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var policy = options.Value.ToScoringPolicy();
            Console.WriteLine($"Catalog: {catalog}; scoring: {policy}; scaler: {scaler.Policy}");
            Console.WriteLine();
            var start = RankShapes(policy);
            Console.WriteLine();
            ReplayDay(start, stoppingToken);
        }
        finally
        {
            lifetime.StopApplication();
        }

        return Task.CompletedTask;
    }

    private int RankShapes(ScoringPolicy policy)
    {
        var window = options.Value.PlanningWindow;
        (string Name, LoadProfile Profile)[] loads =
        [
            ("small steady service", LoadProfile.Exact(new ResourceVector(1.2, 3, 20, 0.3), new ResourceVector(1.5, 4, 20, 0.5), window)),
            ("memory-heavy cache", LoadProfile.Exact(new ResourceVector(1.5, 18, 40, 1), new ResourceVector(2, 24, 40, 2), window)),
            ("peaky API", LoadProfile.Exact(new ResourceVector(3, 6, 30, 2), new ResourceVector(6.5, 10, 30, 6), window)),
        ];

        Span<ScoredShape> ranking = stackalloc ScoredShape[3];
        var chosen = 0;
        foreach (var (name, profile) in loads)
        {
            var result = selector.Select(catalog, profile, policy, ranking);
            Console.WriteLine($"{name}: {result}");
            for (var i = 0; i < result.Count; i++)
            {
                Console.WriteLine($"  {i + 1}. {catalog[ranking[i].Index].Name,-16} {ranking[i]}");
            }

            if (result.Count > 0)
            {
                chosen = ranking[0].Index;
            }
        }

        return chosen;
    }

    private void ReplayDay(int startShape, CancellationToken cancellationToken)
    {
        // One replica, one observation a minute for a day: a daily wave, noise, and a two-hour surge at 18:00.
        var random = new Random(2026);
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var state = ScalerState.Create(startShape);
        var cost = 0.0;
        var moves = 0;
        Console.WriteLine($"Replaying a day for one replica starting on {catalog[startShape].Name}:");
        for (var minute = 0; minute < 24 * 60 && !cancellationToken.IsCancellationRequested; minute++)
        {
            var wave = 3 + (2.5 * Math.Sin(2 * Math.PI * (minute - 360) / (24 * 60)));
            var surge = minute is >= 18 * 60 and < 20 * 60 ? 6 : 0;
            var cores = Math.Max(0.1, wave + surge + (0.3 * (random.NextDouble() - 0.5)));
            var used = new ResourceVector(cores, cores * 2.5, 20, cores * 0.3);
            var before = state.ShapeIndex;
            var decision = scaler.Decide(state, used, at, out state);
            cost += catalog[before].PricePerHour / 60;
            if (decision.IsMove)
            {
                moves++;
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"  {at:HH:mm} {decision.Action,-8} {catalog[before].Name,-16} -> {catalog[decision.TargetShapeIndex].Name,-16} ({decision.Reason}; demand {used.CpuCores:0.0} cores)"));
            }

            at += TimeSpan.FromMinutes(1);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{moves} switches in a day; cost {cost:0.00} (currency) for the replica."));
    }
}
