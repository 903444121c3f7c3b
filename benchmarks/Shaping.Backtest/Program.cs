using System.Globalization;
using System.Text;
using System.Text.Json;
using Shaping.Backtest;
using Shaping.Core.Resources;
using Shaping.Core.Shapes;
using Shaping.Simulation;
using Shaping.Simulation.Policies;
using Shaping.Simulation.Reporting;
using Shaping.Simulation.Traces;

// Runs the non-predictive baselines (oracle static peak, HPA-like, VPA-like) on every trace in a folder laid out as
// ../shared/data/traces and prints a markdown report. Usage:
//   dotnet run -c Release --project benchmarks/Shaping.Backtest -- <traces-folder> [<catalog.json>] [--out report.md]
var folder = args.Length > 0 ? args[0] : Path.Combine("..", "shared", "data", "traces");
var catalogPath = args.Length > 1 && !args[1].StartsWith("--", StringComparison.Ordinal)
    ? args[1]
    : Path.Combine("samples", "Shaping.Samples.Simulator", "default-catalog.json");
var outIndex = Array.IndexOf(args, "--out");
var outPath = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : null;

var catalog = LoadCatalog(catalogPath);
var largest = catalog.Shapes.Aggregate(ResourceVector.Zero, (acc, s) => ResourceVector.Max(acc, s.Capacity));
var simulator = new BacktestSimulator(catalog);
var report = new StringBuilder();
report.AppendLine(CultureInfo.InvariantCulture, $"Catalog: {catalogPath} ({catalog.Count} shapes). HPA-like: g-large (4 cores, 16 GiB), target 70 %, tolerance 0.1, scale-down window 300 s. VPA-like: P90 + 15 %, 24 h half-life, replicas fixed per trace so that the oracle peak + 15 % fits the catalog's largest shape.").AppendLine();

foreach (var setup in TraceSetup.All)
{
    var path = Path.Combine(folder, setup.Path);
    if (!File.Exists(path))
    {
        Console.Error.WriteLine($"skip {setup.Path}: not found");
        continue;
    }

    var started = System.Diagnostics.Stopwatch.GetTimestamp();
    var trace = CsvTraceReader.ReadFile(path, setup.Options);
    var demand = setup.Model.Map(trace);
    var replicas = 1;
    for (var d = 0; d < ResourceVector.DimensionCount; d++)
    {
        var cap = largest[(Dimension)d];
        if (cap > 0)
        {
            replicas = Math.Max(replicas, (int)Math.Ceiling(demand.Peak[(Dimension)d] * 1.15 / cap));
        }
    }

    var results = simulator.RunAll(demand,
    [
        StaticPeakPolicy.Oracle(demand),
        StaticPeakPolicy.FromLeadingWindow(demand, TimeSpan.FromDays(2)),
        new ThresholdScalingPolicy("g-large", targetUtilization: 0.7),
        new PercentileRecommenderPolicy(replicas: replicas),
    ]);
    var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
    var title = string.Create(CultureInfo.InvariantCulture,
        $"{setup.Path} ({(setup.DailyCycle ? "daily cycle" : "no daily cycle")}; {trace.Length} slots of {trace.Step.TotalMinutes:0.#} min, {trace.Stats.GapSlots} gap slots, {trace.Stats.MergedSamples} merged; peak {demand.Peak}; VPA replicas {replicas}; {elapsed.TotalSeconds:0.0} s)");
    var table = MarkdownReportWriter.Format(title, results, "vpa-like");
    var vpa = results.Single(r => r.Policy == "vpa-like").Metrics;
    report.Append(table).AppendLine(CultureInfo.InvariantCulture,
        $"\nPredictive must beat: cost ≤ {0.8 * vpa.TotalCost:0.##} (0.8 × VPA-like) with time under-provisioned ≤ {vpa.UnderProvisionedShare:P2}.\n");
    // Shape synthesis on the per-replica demand the VPA-like policy's replicas see (every n-th interval, at most 2000).
    var every = Math.Max(1, demand.Length / 2000);
    var perReplica = demand.Values.Where((_, i) => i % every == 0).Select(v => v.Scale(1.0 / replicas)).ToList();
    var synthesis = ShapeSynthesizer.Synthesize(perReplica, new ShapeSynthesisOptions { ShapeCount = 4, Headroom = 0.15 }, catalog);
    report.AppendLine(CultureInfo.InvariantCulture,
        $"Synthesis (k = 4, headroom 15 %, {perReplica.Count} per-replica demands, price model fitted to the catalog): expected {synthesis.ExpectedCostPerHour:0.###}/h vs T-shirt catalog {synthesis.CatalogExpectedCostPerHour:0.###}/h ({synthesis.CatalogUncoveredDemands} uncovered), saving {synthesis.SavingFraction:P1}; shapes: {string.Join("; ", synthesis.Shapes.Select(s => $"{s.Capacity} at {s.PricePerHour:0.####}/h"))}.\n");
    Console.Error.WriteLine($"done {setup.Path} in {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
}

Console.Write(report.ToString());
if (outPath is not null)
{
    File.WriteAllText(outPath, report.ToString());
}

static ShapeCatalog LoadCatalog(string path)
{
    using var document = JsonDocument.Parse(File.ReadAllText(path));
    var shapes = document.RootElement.GetProperty("shapes").EnumerateArray().Select(e => new ResourceShape(
        e.GetProperty("name").GetString()!,
        new ResourceVector(
            e.GetProperty("cpuCores").GetDouble(), e.GetProperty("memoryGiB").GetDouble(),
            e.GetProperty("storageGiB").GetDouble(), e.GetProperty("networkGbps").GetDouble()),
        new ShapeProfile(
            e.GetProperty("pricePerHour").GetDouble(), e.GetProperty("performanceFactor").GetDouble(),
            Enum.Parse<SizeClass>(e.GetProperty("sizeClass").GetString()!))));
    return new ShapeCatalog(shapes);
}
