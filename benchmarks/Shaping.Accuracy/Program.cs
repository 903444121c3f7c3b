using System.CommandLine;
using System.Globalization;
using Shaping.Accuracy;
using Shaping.Accuracy.Backtest;
using Shaping.Accuracy.EngineReplay;

var data = new Option<DirectoryInfo>("--data")
{
    Description = "Folder with the M4-format training and test CSVs (one file ending in -train.csv, one in -test.csv).",
    Required = true,
};
var methods = new Option<string?>("--methods")
{
    Description = "Comma-separated methods to run (" + string.Join(", ", MethodRegistry.Create().Keys) + "); default: all.",
};
var output = new Option<FileInfo?>("--out")
{
    Description = "Markdown report to write; default docs/accuracy.md under the repository root (found by walking up to Shaping.Core.sln).",
};
var forecasts = new Option<DirectoryInfo?>("--forecasts")
{
    Description = "Also write each method's point forecasts to DIR/<method>.csv in the M4 submission format (id,F1,...,Fh), and its 95 % interval bounds to DIR/<method>-lo95.csv and DIR/<method>-hi95.csv.",
};
var seriesLimit = new Option<int?>("--series") { Description = "Run only the first N series (after --every)." };
var every = new Option<int>("--every")
{
    Description = "Run every K-th series (K = 4: H1, H5, H9, ...).",
    DefaultValueFactory = _ => 1,
};
var period = new Option<int>("--period")
{
    Description = "Seasonal period m for the methods and the MASE scale.",
    DefaultValueFactory = _ => 24,
};
var parallelism = new Option<int>("--parallel")
{
    Description = "Series fitted in parallel.",
    DefaultValueFactory = _ => 2,
};
var scale = new Option<double>("--scale")
{
    Description = "Multiply every training and test value by this factor first (sMAPE, MASE and OWA are unit-free, so a method that does not depend on the series' units scores the same at any factor).",
    DefaultValueFactory = _ => 1,
};
scale.CustomParser = result =>
{
    if (result.Tokens.Count == 0)
    {
        return 1;
    }

    var text = result.Tokens[^1].Value;
    if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && double.IsFinite(value))
    {
        return value;
    }

    result.AddError($"{scale.Name}: '{text}' is not a positive finite number (for example 0.001 or 1e6).");
    return 1;
};
PositiveInt(seriesLimit);
PositiveInt(every);
PositiveInt(period);
PositiveInt(parallelism);

var m4 = new Command("m4", "Score forecasters on an M4-format data set: sMAPE, MASE, OWA, the 95 % interval's MSIS and coverage, 80 % coverage and fit time per series.")
{
    data, methods, output, forecasts, seriesLimit, every, period, parallelism, scale,
};
m4.SetAction((parse, cancellationToken) => Task.FromResult(M4Command.Run(
    new M4Settings(
        parse.GetValue(data)!,
        parse.GetValue(methods),
        parse.GetValue(output),
        parse.GetValue(forecasts),
        parse.GetValue(seriesLimit),
        parse.GetValue(every),
        parse.GetValue(period),
        parse.GetValue(parallelism),
        parse.GetValue(scale),
        Environment.GetCommandLineArgs().Length > 1 ? args : []),
    cancellationToken)));

var trace = new Option<FileInfo>("--trace") { Description = "A timestamp,value CSV trace (for example nab/nyc_taxi.csv).", Required = true };
var stepMinutes = new Option<int>("--step-minutes") { Description = "Step length the trace is averaged into, in minutes.", DefaultValueFactory = _ => 60 };
var tuneDays = new Option<int>("--tune-days") { Description = "Days scored while tuning (before the held-out days).", DefaultValueFactory = _ => 28 };
var testDays = new Option<int>("--test-days") { Description = "Held-out days at the end of the trace, scored before and after tuning.", DefaultValueFactory = _ => 28 };
var evaluations = new Option<int>("--evaluations") { Description = "Backtests the Bayesian optimiser may spend.", DefaultValueFactory = _ => 30 };
var seed = new Option<int>("--seed") { Description = "The optimiser's seed.", DefaultValueFactory = _ => 1 };
PositiveInt(stepMinutes);
PositiveInt(tuneDays);
PositiveInt(testDays);
PositiveInt(evaluations);
var tune = new Command("tune", "Tune the engine's hyperparameters on a trace and print the backtest cost before and after.")
{
    trace, stepMinutes, tuneDays, testDays, evaluations, seed,
};
tune.SetAction((parse, cancellationToken) => Task.FromResult(TuneCommand.Run(
    parse.GetValue(trace)!, parse.GetValue(stepMinutes), parse.GetValue(tuneDays), parse.GetValue(testDays),
    parse.GetValue(evaluations), parse.GetValue(seed), cancellationToken)));


var traces = new Option<DirectoryInfo>("--data")
{
    Description = "Folder laid out as ../shared/data/traces (nab/, worldcup98/, dctraces/).",
    Required = true,
};
var catalogOption = new Option<FileInfo?>("--catalog")
{
    Description = "Shape catalog JSON; default samples/Shaping.Samples.Simulator/default-catalog.json under the repository root.",
};
var backtestOutput = new Option<FileInfo?>("--out")
{
    Description = "Markdown report to write; default docs/backtest.md under the repository root.",
};
var only = new Option<string?>("--only") { Description = "Run only the traces whose path contains this text." };
var backtest = new Command("backtest", "Run static peak, HPA-like, VPA-like and predictive shaping on every trace in a folder and write docs/backtest.md.")
{
    traces, catalogOption, backtestOutput, only,
};
backtest.SetAction((parse, _) => Task.FromResult(BacktestCommand.Run(
    parse.GetValue(traces)!,
    parse.GetValue(catalogOption),
    parse.GetValue(backtestOutput),
    parse.GetValue(only),
    Environment.GetCommandLineArgs().Length > 1 ? args : [])));

var engineData = new Option<DirectoryInfo>("--data")
{
    Description = "Folder laid out as ../shared/data/traces (nab/, worldcup98/, dctraces/).",
    Required = true,
};
var engineTraces = new Option<string?>("--traces")
{
    Description = "Comma-separated texts; run the traces whose path contains one of them (default: the traces with a daily cycle).",
};
var refreshMinutes = new Option<int>("--refresh-minutes")
{
    Description = "The engine's RefreshInterval in the replay, in minutes: it refreshes and the replay scores every N minutes. The engine's own default is 5; the replay's is 60, twelve times fewer refreshes, so a run of every daily trace takes minutes, not an hour.",
    DefaultValueFactory = _ => 60,
};
var engineOutput = new Option<FileInfo?>("--out") { Description = "Also write the markdown report to this file." };
var calibration = new Option<string?>("--calibration")
{
    Description = "on or off: PredictiveLoadEngineOptions.CalibratePeaks in the replay (default: the engine's default).",
};
calibration.AcceptOnlyFromAmong("on", "off");
var engineParallel = new Option<int>("--parallel") { Description = "Traces replayed in parallel.", DefaultValueFactory = _ => 2 };
PositiveInt(refreshMinutes);
PositiveInt(engineParallel);
var engine = new Command("engine", "Replay traces through the PredictiveLoadEngine (DI defaults) on a hand-set clock and score the coverage of the profiles it served.")
{
    engineData, engineTraces, refreshMinutes, calibration, engineParallel, engineOutput,
};
engine.SetAction((parse, cancellationToken) => Task.FromResult(EngineCommand.Run(
    parse.GetValue(engineData)!,
    parse.GetValue(engineTraces),
    parse.GetValue(refreshMinutes),
    parse.GetValue(calibration) is { } calibrate ? calibrate == "on" : null,
    parse.GetValue(engineParallel),
    parse.GetValue(engineOutput),
    Environment.GetCommandLineArgs().Length > 1 ? args : [],
    cancellationToken)));

var root = new RootCommand("Shaping forecast accuracy and backtest console.") { m4, tune, backtest, engine };
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);

// A parser rather than a validator: a validator calling GetValueOrDefault throws (exit 134, a stack trace) when the
// text is not an int, before it could report anything. Works for Option<int> and Option<int?>.
static void PositiveInt<T>(Option<T> option) =>
    option.CustomParser = result =>
    {
        if (result.Tokens.Count == 0)
        {
            // Not given: the default (DefaultValueFactory's, or null for an Option<int?>).
            return option.DefaultValueFactory is { } factory ? factory(result) : default!;
        }

        var text = result.Tokens[^1].Value;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 1)
        {
            return (T)(object)value;
        }

        result.AddError($"{option.Name}: '{text}' is not a whole number of at least 1.");
        return default!;
    };
