using System.CommandLine;
using System.Globalization;
using System.CommandLine.Parsing;
using Shaping.Core.Resources;
using Shaping.Samples.Simulator;
using Shaping.Simulation.Traces;

// The README's main command: replay a load trace (by default an embedded NAB trace) through the provisioning
// policies, print them side by side, write a PNG plot and a markdown report. `rank` keeps the selector demo.
var trace = new Option<FileInfo?>("--trace")
{
    Description = "CSV trace to replay (a header row; a timestamp, time or period column, or --step; one column per metric). Default: the embedded NAB trace (taxi demand), whose step and demand model are fixed: the demand-model options (--column to --scale), --step, --timestamp-column, --epoch and --missing-cells apply to --trace and are rejected without it.",
    HelpName = "file.csv",
};
var column = new Option<string?>("--column")
{
    Description = "The metric column (utilisation, request count, or CPU cores for --metric raw). Default: 'value', or the only metric column.",
    HelpName = "name",
};
var metric = new Option<MetricKind>("--metric")
{
    Description = "How the column becomes demand: utilization (the default; share of --machine), requests (count per --count-period, cost --per-request and --baseline) or raw (cores; see --memory-column, --network-column, --scale).",
    HelpName = "utilization|requests|raw",

    // No DefaultValueFactory: help would print the enum's name (Utilization) rather than the spelling the option
    // documents. Absent, the option is default(MetricKind), Utilization.
    CustomParser = ParseMetric,
};
var machine = VectorOption("--machine", SimulationSettings.DefaultMachine, "utilization: the machine the metric is measured against, as cores,GiB,storage GiB,Gbps.");
var fullScale = new Option<double>("--full-scale")
{
    Description = "utilization: the metric value meaning the whole machine (100 for percent, 1 for a fraction).",
    DefaultValueFactory = _ => SimulationSettings.DefaultFullScale,
    CustomParser = result =>
    {
        // A parser rather than a validator: a validator calling GetValueOrDefault throws when the text is not a number.
        if (result.Tokens.Count == 0)
        {
            return SimulationSettings.DefaultFullScale;
        }

        var text = result.Tokens[^1].Value;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value is > 0 and < double.PositiveInfinity)
        {
            return value;
        }

        result.AddError($"--full-scale: '{text}' is not a positive number (100 for percent, 1 for a fraction).");
        return SimulationSettings.DefaultFullScale;
    },
};
var memoryColumn = new Option<string?>("--memory-column")
{
    Description = "utilization: a memory-utilisation column on the same scale; raw: a column of GiB.",
    HelpName = "name",
};
var storageColumn = new Option<string?>("--storage-column") { Description = "raw: a column of storage GiB.", HelpName = "name" };
var networkColumn = new Option<string?>("--network-column") { Description = "raw: a column of Gbps.", HelpName = "name" };
var countPeriod = DurationOption("--count-period", "requests: the period each value counts requests over (e.g. 1m, 5m). Default: the trace's step.");
var perRequest = VectorOption("--per-request", SimulationSettings.DefaultPerRequest, "requests: resources one request per second needs, as cores,GiB,storage GiB,Gbps.");
var baseline = VectorOption("--baseline", SimulationSettings.DefaultBaseline, "requests: resources the service needs with no traffic.");
var scale = VectorOption("--scale", SimulationSettings.DefaultScale, "raw: factors applied to the cpu, memory, storage and network columns.");
var step = DurationOption("--step", "--trace only: the sampling interval, with a unit (e.g. 30s, 5m, 1h, or 00:05:00; a bare number is rejected); required when the trace has no timestamp column, and overrides the detected one. The embedded trace's 30-min step is fixed.");
var days = new Option<int?>("--days")
{
    Description = "Replay only the last N days of the trace; 0 for all of it. Default: all of a --trace, the last "
        + $"{TraceInput.DefaultTraceDays} days of the embedded one (--days 0 replays its 215 days).",
    HelpName = "N",
    CustomParser = result =>
    {
        // A parser rather than a validator: a validator calling GetValueOrDefault throws when the text is not an int.
        if (result.Tokens.Count == 0)
        {
            return null;
        }

        var text = result.Tokens[^1].Value;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0)
        {
            return value;
        }

        result.AddError($"--days: '{text}' is not 0 (all) or a positive whole number of days.");
        return null;
    },
};
var timestampColumn = new Option<string?>("--timestamp-column") { Description = "--trace only: the timestamp column, if it is not called timestamp, time or period.", HelpName = "name" };
var epoch = new Option<TimestampEpoch>("--epoch")
{
    Description = "--trace only: what numeric timestamps count seconds from: 2000 (2000-01-01 UTC, the default, for seconds from the trace's start) or unix (1970-01-01 UTC, Unix time). Text timestamps are unaffected.",
    HelpName = "2000|unix",

    // No DefaultValueFactory: help would print the enum's name (Year2000), which the option rejects. Absent, the
    // option is default(TimestampEpoch), Year2000.
    CustomParser = result =>
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value.ToLowerInvariant() : "2000";
        switch (text)
        {
            case "2000":
                return TimestampEpoch.Year2000;
            case "unix" or "1970":
                return TimestampEpoch.Unix;
            default:
                result.AddError($"--epoch: '{text}' is not one of 2000, unix.");
                return default;
        }
    },
};
var missingCells = new Option<MissingCellHandling>("--missing-cells")
{
    Description = "--trace only: what a metric cell that is empty, NaN, null or - (a missed scrape in a monitoring export) does: error (the default) stops with the file, line and column; gap reads the row as a missing sample, so its interval repeats the previous one's values in every column (the gap rule for skipped timestamps), counted in the warnings and in --format json. Other non-numbers stay errors.",
    HelpName = "error|gap",

    // No DefaultValueFactory: help would print the enum's name (Error). Absent, the option is default(MissingCellHandling), Error.
    CustomParser = result =>
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value.ToLowerInvariant() : "error";
        switch (text)
        {
            case "error":
                return MissingCellHandling.Error;
            case "gap" or "gaps":
                return MissingCellHandling.Gap;
            default:
                result.AddError($"--missing-cells: '{result.Tokens[^1].Value}' is not one of error, gap.");
                return default;
        }
    },
};
var catalog = new Option<FileInfo?>("--catalog")
{
    Description = "Shape catalog JSON ({\"shapes\": [{\"name\", \"cpuCores\", \"memoryGiB\", \"storageGiB\", \"networkGbps\", \"pricePerHour\", ...}]}). Default: the embedded T-shirt catalog.",
    HelpName = "file.json",
    Recursive = true,
};
var output = new Option<DirectoryInfo>("--out")
{
    Description = "Folder for the plot (simulation-plot.png) and the report (simulation-report.md).",
    HelpName = "dir",
    DefaultValueFactory = _ => new DirectoryInfo("simulation-output"),
};
var format = new Option<OutputFormat>("--format")
{
    Description = "text (the default): a table; json: only the per-policy metrics as JSON on standard output.",
    HelpName = "text|json",

    // A parser rather than the enum's: that one accepts any number ("--format 5" ran as text). Absent, the option is
    // default(OutputFormat), Text.
    CustomParser = result =>
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value.ToLowerInvariant() : "text";
        switch (text)
        {
            case "text":
                return OutputFormat.Text;
            case "json":
                return OutputFormat.Json;
            default:
                result.AddError($"--format: '{result.Tokens[^1].Value}' is not one of text, json.");
                return default;
        }
    },
};
var jsonOut = new Option<FileInfo?>("--json-out")
{
    Description = "Also write the JSON document of --format json to this file, whatever --format says (written only when the run succeeds). Safer for scripts than a pipe when started with dotnet run, which prints any build warnings on standard output.",
    HelpName = "file.json",
};
var noPlot = new Option<bool>("--no-plot") { Description = "Skip the PNG (quicker in scripts)." };
var hpaShape = new Option<string?>("--hpa-shape")
{
    Description = "The shape the HPA-like policy scales out. Default: g-large, or the catalog's median-priced shape.",
    HelpName = "name",
};
var rank = new Command("rank", "The selector demo: rank the catalog's shapes for a few representative load profiles at three trade-offs.");
rank.SetAction(parse => RankCommand.Run(parse.GetValue(catalog)));

var root = new RootCommand(
    "Shaping backtest simulator: replays a load trace through static-peak, HPA-like and VPA-like provisioning policies "
    + "(and predictive shaping), prints them side by side, and writes a PNG plot and a markdown report.\n"
    + "Examples:\n"
    + "  dotnet run -c Release --project samples/Shaping.Samples.Simulator\n"
    + "  ... -- --trace cpu.csv --machine 8,32 --out results\n"
    + "  ... -- --trace requests.csv --metric requests --count-period 1m --per-request 0.005,0.01\n"
    + "  ... -- --trace usage.csv --metric raw --column cores --memory-column mem_gib --step 5m --format json\n"
    + "  ... -- --trace grafana.csv --column cpu --missing-cells gap --json-out results.json")
{
    trace, column, metric, machine, fullScale, memoryColumn, storageColumn, networkColumn, countPeriod, perRequest,
    baseline, scale, step, days, timestampColumn, epoch, missingCells, catalog, output, format, jsonOut, noPlot, hpaShape,
    rank,
};
root.SetAction(parse => SimulateCommand.Run(new SimulationSettings
{
    Trace = parse.GetValue(trace),
    Column = parse.GetValue(column),
    Metric = parse.GetValue(metric),
    Machine = parse.GetValue(machine) ?? SimulationSettings.DefaultMachine,
    FullScale = parse.GetValue(fullScale),
    MemoryColumn = parse.GetValue(memoryColumn),
    StorageColumn = parse.GetValue(storageColumn),
    NetworkColumn = parse.GetValue(networkColumn),
    CountPeriod = parse.GetValue(countPeriod),
    PerRequest = parse.GetValue(perRequest) ?? SimulationSettings.DefaultPerRequest,
    Baseline = parse.GetValue(baseline) ?? SimulationSettings.DefaultBaseline,
    Scale = parse.GetValue(scale) ?? SimulationSettings.DefaultScale,
    Step = parse.GetValue(step),
    Days = parse.GetValue(days),
    TimestampColumn = parse.GetValue(timestampColumn),
    Epoch = parse.GetValue(epoch),
    MissingCells = parse.GetValue(missingCells),
    Catalog = parse.GetValue(catalog),
    Out = parse.GetValue(output)!,
    Format = parse.GetValue(format),
    JsonOut = parse.GetValue(jsonOut),
    NoPlot = parse.GetValue(noPlot),
    HpaShape = parse.GetValue(hpaShape),
}));

return root.Parse(args).Invoke();

static MetricKind ParseMetric(ArgumentResult result)
{
    var text = result.Tokens.Count > 0 ? result.Tokens[0].Value.ToLowerInvariant() : string.Empty;
    switch (text)
    {
        case "utilization" or "utilisation" or "util":
            return MetricKind.Utilization;
        case "requests" or "request" or "rate":
            return MetricKind.Requests;
        case "raw" or "columns":
            return MetricKind.Raw;
        default:
            result.AddError($"--metric: '{text}' is not one of utilization, requests, raw.");
            return default;
    }
}

// The default goes into the description in the same compact form the option takes, not through DefaultValueFactory
// (whose help text would print the vector's ToString); the caller falls back to it when the option is absent.
static Option<ResourceVector?> VectorOption(string name, ResourceVector defaultValue, string description) => new(name)
{
    Description = description + string.Create(
        CultureInfo.InvariantCulture, $" Default: {defaultValue.CpuCores},{defaultValue.MemoryGiB},{defaultValue.StorageGiB},{defaultValue.NetworkGbps}."),
    HelpName = "cpu,mem,storage,net",
    CustomParser = result =>
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
        if (ValueParsers.TryParseVector(text, out var value))
        {
            return value;
        }

        result.AddError($"{name}: '{text}' is not a resource vector: up to four non-negative numbers cores,GiB,storage GiB,Gbps (e.g. 16,64,0,12.5).");
        return null;
    },
};

static Option<TimeSpan?> DurationOption(string name, string description) => new(name)
{
    Description = description,
    HelpName = "duration",
    CustomParser = result =>
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
        if (ValueParsers.TryParseDuration(text, out var value))
        {
            return value;
        }

        result.AddError(ValueParsers.IsBareNumber(text)
            ? $"{name}: '{text}' has no unit; write it with one (e.g. {text}s, {text}m, {text}h) or as hh:mm:ss."
            : $"{name}: '{text}' is not a positive duration (e.g. 30s, 5m, 1h, 00:05:00).");
        return null;
    },
};
