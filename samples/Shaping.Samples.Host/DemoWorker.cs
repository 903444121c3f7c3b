using System.Globalization;
using Microsoft.Extensions.Hosting;
using Shaping.Core.Capacity;
using Shaping.Core.ControlPlane;
using Shaping.Core.Prediction;
using Shaping.Core.Resources;
using Shaping.Core.Scaling;

namespace Shaping.Samples.Host;

/// <summary>
/// The demo: teaches the predictor yesterday's load, sends a batch of replica requests, ends the outage, watches the
/// hosted adjustment loop for <see cref="DemoSetup.LoopRun"/>, prints a summary, then stops the host.
/// </summary>
internal sealed class DemoWorker(
    DemoSetup setup,
    ReplicaRequestHandler handler,
    ShapeAdjustmentLoop loop,
    ILoadPredictor predictor,
    ICapacityLedger ledger,
    ReplicaInventory inventory,
    TimeProvider time,
    IHostApplicationLifetime lifetime) : BackgroundService
{
    private static readonly TimeSpan Duration = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            PrintSetup();
            LearnYesterday();
            var requests = await SendRequestsAsync(stoppingToken);
            var pricePerHourAfterRequests = PricePerHour();
            foreach (var region in setup.Regions.Where(r => r.Region.IsOutage))
            {
                region.Region.IsOutage = false;
                Print($"{region.Name} is back up.");
            }

            var moves = await WatchLoopAsync(stoppingToken);
            await PrintSummaryAsync(requests, moves, pricePerHourAfterRequests, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            Console.WriteLine("Stopped before the demo finished.");
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            await Console.Error.WriteLineAsync(ex.ToString());
            Environment.ExitCode = 1;
        }
        finally
        {
            lifetime.StopApplication();
        }
    }

    private void PrintSetup()
    {
        Console.WriteLine($"Predictive shaping host demo: {setup.Regions.Count} in-memory regions, one load cycle (\"day\") every {setup.Regions[0].Today.Period.TotalSeconds:0} s.");
        foreach (var r in setup.Regions)
        {
            var faults = r.Region.IsOutage
                ? "OUTAGE"
                : F($"{r.Region.TransientFailureRate:P0} transient failures, {r.Region.LostResponseRate:P0} lost answers");
            Console.WriteLine(F($"  {r.Name,-9} capacity {r.Capacity.CpuCores,3:0} cores / {r.Capacity.MemoryGiB,4:0} GiB; latency {r.Region.Latency.TotalMilliseconds,3:0} ms; {faults}"));
            Console.WriteLine(F($"            load today {r.Today.MeanDemand.CpuCores:0.#} cores ±{r.Today.Amplitude:P0} (yesterday {r.Yesterday.MeanDemand.CpuCores:0.#} cores)"));
        }

        Console.WriteLine();
    }

    // The predictor learns each region's history: 48 samples of yesterday's load over three compressed days.
    private void LearnYesterday()
    {
        var random = new Random(42);
        var day = setup.Regions[0].Today.Period;
        foreach (var r in setup.Regions)
        {
            for (var i = 48; i > 0; i--)
            {
                var at = setup.Start - (day * 3 * i / 48);
                predictor.Observe(r.Name, at, r.Yesterday.DemandAt(at, StandardNormal(random)));
            }
        }
    }

    private async Task<List<(string Label, ReplicaRequest Request, ReplicaResult Result, ReplicaResult? Replay)>> SendRequestsAsync(CancellationToken cancellationToken)
    {
        (string Label, ReplicaRequest Request)[] batch =
        [
            ("web in eu-west ×3 (failover us-east)", new("eu-west", 3, Duration, "web-eu") { FailoverRegions = ["us-east"] }),
            ("web in eu-west ×3 again (same key)", new("eu-west", 3, Duration, "web-eu") { FailoverRegions = ["us-east"] }),
            ("web in us-east ×2", new("us-east", 2, Duration, "web-us")),
            ("cache in us-east ×2 (tradeoff 0.9)", new("us-east", 2, Duration, "cache-us") { Tradeoff = 0.9 }),
            ("batch in us-east ×3 (failover eu-west)", new("us-east", 3, Duration, "batch-us") { FailoverRegions = ["eu-west"] }),
            ("web in ap-south ×2 (failover eu-west)", new("ap-south", 2, Duration, "web-ap") { FailoverRegions = ["eu-west"] }),
            ("jobs in ap-south ×1 (no failover)", new("ap-south", 1, Duration, "jobs-ap")),
            ("web in sa-east ×1 (unknown region)", new("sa-east", 1, Duration, "web-sa")),
        ];

        Print("Requests through ReplicaRequestHandler:");
        var results = new List<(string, ReplicaRequest, ReplicaResult, ReplicaResult?)>();
        foreach (var (label, request) in batch)
        {
            var result = await handler.HandleAsync(request, cancellationToken);
            Console.WriteLine($"  {label,-40} {Describe(request, result)}");
            ReplicaResult? replay = null;
            if (result.IsOutcomeUnknown)
            {
                // The region acted but its answer was lost: replaying with the same key recovers, never doubles.
                replay = await handler.HandleAsync(request, cancellationToken);
                Console.WriteLine($"  {"  ↳ replayed with the same key",-40} {Describe(request, replay)}");
            }

            results.Add((label, request, result, replay));
        }

        Console.WriteLine();
        return results;
    }

    private async Task<List<ShapeMove>> WatchLoopAsync(CancellationToken cancellationToken)
    {
        Print(F($"Watching the adjustment loop for {DemoSetup.LoopRun.TotalSeconds:0} s (a cycle every 250 ms):"));
        var seen = loop.GetRecentMoves().Count;
        var firstMove = seen;
        var until = time.GetUtcNow() + DemoSetup.LoopRun;
        var nextStatus = time.GetUtcNow();
        var lastFailure = new Dictionary<string, (string To, ShapeMoveOutcome Outcome)>(StringComparer.Ordinal);
        while (time.GetUtcNow() < until)
        {
            if (time.GetUtcNow() >= nextStatus)
            {
                PrintLoad();
                nextStatus += TimeSpan.FromSeconds(4);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken);
            var moves = loop.GetRecentMoves();
            for (; seen < moves.Count; seen++)
            {
                var m = moves[seen];
                if (!m.IsApplied && !lastFailure.TryAdd(m.ReplicaId, (m.To.Name, m.Outcome)) && lastFailure[m.ReplicaId] == (m.To.Name, m.Outcome))
                {
                    continue; // the loop retries a refused move every cycle; show it once until something changes
                }

                if (m.IsApplied)
                {
                    lastFailure.Remove(m.ReplicaId);
                }
                else
                {
                    lastFailure[m.ReplicaId] = (m.To.Name, m.Outcome);
                }

                var direction = m.Decision.Action == ScalerAction.MoveUp ? "up  " : "down";
                Console.WriteLine(F(
                    $"  {Offset(m.Timestamp)} {direction} {m.ReplicaId,-11} {m.From.Name,-14} → {m.To.Name,-14} {m.Decision.Reason,-22} {m.Outcome}"));
            }
        }

        Console.WriteLine();
        return [.. loop.GetRecentMoves().Skip(firstMove)];
    }

    private void PrintLoad()
    {
        var now = time.GetUtcNow();
        var replicas = inventory.Snapshot();
        var parts = setup.Regions.Select(r =>
        {
            var mine = replicas.Where(x => x.Region == r.Name).ToList();
            var capacity = mine.Aggregate(ResourceVector.Zero, (sum, x) => sum + x.Shape.Capacity);
            var demand = r.Today.ExpectedDemand(now);
            return F($"{r.Name} {demand.CpuCores,4:0.0}/{capacity.CpuCores,2:0} cores on {mine.Count}");
        });
        Console.WriteLine($"  {Offset(now)} load  {string.Join("; ", parts)}");
    }

    private async Task PrintSummaryAsync(
        List<(string Label, ReplicaRequest Request, ReplicaResult Result, ReplicaResult? Replay)> requests,
        List<ShapeMove> moves,
        double pricePerHourAfterRequests,
        CancellationToken cancellationToken)
    {
        Print("Summary");
        var final = requests.Select(r => r.Replay ?? r.Result).ToList();
        Console.WriteLine(
            $"  Requests: {requests.Count}; " + string.Join(", ", final.GroupBy(r => r.Outcome).Select(g => $"{g.Key} {g.Count()}")) +
            $"; {final.Count(r => r.IsProvisioned && r.Attempts > 1)} after a fallback; {requests.Count(r => r.Replay is not null)} recovered by replaying the key.");

        var applied = moves.Where(m => m.IsApplied).ToList();
        Console.WriteLine(
            $"  Shape switches by the loop: {moves.Count} attempted, {applied.Count} applied " +
            $"({applied.Count(m => m.Decision.Action == ScalerAction.MoveUp)} up, {applied.Count(m => m.Decision.Action == ScalerAction.MoveDown)} down)" +
            string.Concat(moves.Where(m => !m.IsApplied).GroupBy(m => m.Outcome).Select(g => $", {g.Count()} {g.Key}")) +
            F($"; {loop.CompletedCycles} cycles, {loop.FailedCycles} failed."));
        Console.WriteLine(F($"  Price of all replicas: {pricePerHourAfterRequests:0.000}/h after the requests, {PricePerHour():0.000}/h now."));

        Console.WriteLine("  Replicas per region and shape (what the regions run; the inventory agrees: " +
            $"{(InventoryMatchesRegions() ? "yes" : "no")}):");
        foreach (var r in setup.Regions)
        {
            var shapes = r.Region.GetReplicas().GroupBy(x => x.Value.Name).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => $"{g.Count()} × {g.Key}");
            var effects = r.Region.GetProvisionEffects();
            var maxEffects = effects.Count == 0 ? 0 : effects.Values.Max();
            Console.WriteLine($"    {r.Name,-9} {r.Region.ReplicaCount} replicas: {string.Join(", ", shapes)}" +
                $" (provisioning keys {effects.Count}, most effects per key {maxEffects})");
        }

        Console.WriteLine("  Capacity ledger (cores; committed covers the replicas' shapes, and a request's reservation until all its replicas moved off it):");
        var reservations = new HashSet<ReservationId>(inventory.Snapshot().Select(x => x.Reservation));
        foreach (var r in setup.Regions)
        {
            var inUse = inventory.Snapshot().Where(x => x.Region == r.Name).Sum(x => x.Shape.Capacity.CpuCores);
            var free = await ledger.GetFreeCapacityAsync(r.Name, cancellationToken);
            var line = F($"    {r.Name,-9} total {r.Capacity.CpuCores,3:0}, free {free?.CpuCores,5:0.#}, replicas' shapes {inUse,3:0}");
            if (ledger is InMemoryCapacityLedger memory && memory.TryGetRegionCapacity(r.Name, out var capacity))
            {
                line += F($", committed {capacity.Committed.CpuCores,3:0}, held {capacity.Held.CpuCores,2:0}");
            }

            Console.WriteLine(line);
        }

        if (ledger is InMemoryCapacityLedger inMemory)
        {
            Console.WriteLine($"    {reservations.Count} committed reservations account for the replicas; {inMemory.CountHeld()} held (uncommitted) now.");
        }
    }

    private bool InventoryMatchesRegions()
    {
        var tracked = inventory.Snapshot().Select(x => (x.Region, x.ReplicaId, x.Shape.Name)).ToHashSet();
        var running = setup.Regions.SelectMany(r => r.Region.GetReplicas().Select(x => (r.Name, x.Key, x.Value.Name))).ToHashSet();
        return tracked.SetEquals(running);
    }

    private double PricePerHour() => inventory.Snapshot().Sum(x => x.Shape.PricePerHour);

    private static string Describe(ReplicaRequest request, ReplicaResult result)
    {
        if (!result.IsProvisioned)
        {
            return $"{result.Outcome}{(result.IsOutcomeUnknown ? " (outcome unknown)" : string.Empty)} after {result.Attempts} attempt(s): {result.Message}";
        }

        var where = result.Region == request.Region ? result.Region : $"{result.Region} (failover from {request.Region})";
        var text = F($"Provisioned {result.Replicas} × {result.Shape!.Name} in {where}, attempt {result.Attempts}, {result.TotalPricePerHour:0.000}/h");
        return string.IsNullOrEmpty(result.Message) ? text : $"{text}\n  {string.Empty,-40}   note: {result.Message}";
    }

    private string Offset(DateTimeOffset at) => F($"+{(at - setup.Start).TotalSeconds,5:0.0}s");

    private void Print(string heading) => Console.WriteLine($"{Offset(time.GetUtcNow())} {heading}");

    private static double StandardNormal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
