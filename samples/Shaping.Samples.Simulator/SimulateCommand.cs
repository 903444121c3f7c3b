using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Shaping.Core.Shapes;
using Shaping.Simulation;
using Shaping.Simulation.Traces;

namespace Shaping.Samples.Simulator;

/// <summary>
/// The main job: replay a trace (the embedded NAB default or the user's CSV) through every policy of
/// <see cref="PolicyLineup"/>, print the side-by-side table (or JSON), and write a PNG plot and a markdown report.
/// </summary>
internal static class SimulateCommand
{
    /// <summary>The plot's file name inside the output folder.</summary>
    public const string PlotFileName = "simulation-plot.png";

    /// <summary>The report's file name inside the output folder.</summary>
    public const string ReportFileName = "simulation-report.md";

    /// <summary>
    /// How the console and the report write the peak demand: 6 significant digits, so a tiny demand does not read as
    /// 0 (<see cref="Shaping.Core.Resources.ResourceVector.ToString"/> rounds to 3 decimals) and a computed one is not 17 digits long.
    /// </summary>
    public const string PeakFormat = "G6";

    /// <summary>
    /// What reading the trace changed that a user should know before trusting the table: samples averaged into a
    /// shared interval (two hosts' rows at one timestamp are averaged, not added), rows read as missing under
    /// <c>--missing-cells gap</c>, and gaps filled with the previous value when they are more than 1 % of the
    /// intervals; <see langword="null"/> when none.
    /// </summary>
    internal static string? ReadingWarning(LoadTrace trace)
    {
        var stats = trace.Stats;
        var parts = new List<string>();
        if (stats.MergedSamples > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture,
                $"{stats.MergedSamples} samples shared an interval with another and were averaged into it (rows of several hosts at one timestamp are averaged, not added: sum them first if they are parts of one load)"));
        }

        if (stats.MissingSamples > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture,
                $"{stats.MissingSamples} of {stats.Rows} rows had a missing value (empty, NaN, null or -) and were read as gaps (--missing-cells gap: each such interval repeats the previous one's values, in every column; such rows before the first or after the last complete row were dropped)"));
        }

        if (stats.GapSlots > trace.Length / 100.0)
        {
            // Gaps that missing cells explain need no hint about the step or the dates. Count only the gaps they explain:
            // missing rows dropped at the edges of the trace explain none (comparing with every missing row hid the hint).
            // The hint asks only when the unexplained gaps alone pass the same 1 %: one odd gap among many explained
            // ones says nothing about the step.
            var unexplained = stats.GapSlots - stats.GapSlotsFromMissingSamples;
            var hint = unexplained > trace.Length / 100.0 ? " (is the step or the date format right?)" : string.Empty;
            parts.Add(string.Create(CultureInfo.InvariantCulture,
                $"{stats.GapSlots} of {trace.Length} intervals ({(double)stats.GapSlots / trace.Length:P0}) had no sample and repeat the previous value{hint}"));
        }

        return parts.Count == 0 ? null : string.Join("; ", parts) + ".";
    }

    /// <summary>Runs the simulation; returns the process exit code (0 on success, 1 when the input is unusable).</summary>
    public static int Run(SimulationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return ReportingInputErrors(() => RunCore(settings));
    }

    /// <summary>
    /// Runs a command, turning the expected input problems (a malformed trace or catalog, a missing file, an option
    /// the data rejects) into one line on standard error and exit code 1 instead of a stack trace.
    /// </summary>
    public static int ReportingInputErrors(Func<int> command)
    {
        ArgumentNullException.ThrowIfNull(command);
        try
        {
            return command();
        }
        catch (Exception exception) when (exception is TraceFormatException or ArgumentException or FileNotFoundException
            or DirectoryNotFoundException or InvalidDataException or JsonException or IOException or UnauthorizedAccessException)
        {
            // One line naming the file (and line and column for trace rows) or the option, no stack trace.
            Console.Error.WriteLine($"error: {OneLine(exception)}");
            return 1;
        }
    }

    /// <summary>An exception's message on one line, without .NET's "(Parameter 'x')" suffix and "Actual value was" line.</summary>
    internal static string OneLine(Exception exception)
    {
        var message = exception.Message;
        var newline = message.IndexOf('\n', StringComparison.Ordinal);
        if (newline >= 0)
        {
            message = message[..newline].TrimEnd('\r');
        }

        return exception is ArgumentException { ParamName: { } name }
            ? message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal)
            : message;
    }

    private static int RunCore(SimulationSettings settings)
    {
        var started = Stopwatch.GetTimestamp();
        var json = settings.Format == OutputFormat.Json;
        var catalog = LoadCatalog(settings.Catalog);
        var catalogSource = settings.Catalog?.ToString() ?? "embedded default-catalog.json";
        var input = TraceInput.Load(settings);
        var demand = input.Demand;
        var policies = PolicyLineup.Create(demand, catalog, settings.HpaShape, input.Ceiling);
        if (PolicyLineup.ReplicaCapWarning(demand, catalog) is { } capWarning)
        {
            Console.Error.WriteLine($"warning: {capWarning}");
        }

        if (PolicyLineup.CeilingWarning(demand, input.Ceiling) is { } ceilingWarning)
        {
            Console.Error.WriteLine($"warning: {ceilingWarning}");
        }

        if (ReadingWarning(input.Trace) is { } readingWarning)
        {
            Console.Error.WriteLine($"warning: {input.Source}: {readingWarning}");
        }

        // Before the replay, so a folder that cannot be created fails at once rather than after minutes of work.
        var outDir = settings.Out.FullName;
        try
        {
            Directory.CreateDirectory(outDir);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"--out: cannot create the folder '{settings.Out}': {exception.Message}", exception);
        }

        var jsonOut = settings.JsonOut is null ? null : PrepareJsonOut(settings.JsonOut);

        if (!json)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Shaping backtest simulator: {input.Source}, {input.Window}: {demand.Length} intervals of {demand.Step.TotalMinutes:0.##} min from {demand.Start:yyyy-MM-dd HH:mm}, peak {demand.Peak.ToString(PeakFormat, CultureInfo.InvariantCulture)}"));
            Console.WriteLine($"Demand model: {input.DemandModel}");
            Console.WriteLine($"Catalog: {catalogSource} ({catalog.Count} shapes); policies: {string.Join(", ", policies.Select(p => p.Name))}");
            if (input.Attribution is not null)
            {
                Console.WriteLine(input.Attribution);
            }

            Console.WriteLine();
        }

        var simulator = new BacktestSimulator(catalog);
        var progress = new StderrProgress();
        var results = new List<BacktestResult>(policies.Count);
        for (var i = 0; i < policies.Count; i++)
        {
            results.Add(simulator.Run(demand, policies[i], progress.For(policies[i].Name, i, policies.Count, demand.Length)));
        }

        progress.Finish();

        string? plotPath = null;
        if (!settings.NoPlot && PlotWriter.CannotPlot(demand.Start) is { } noPlot)
        {
            Console.Error.WriteLine($"warning: {input.Source}: {noPlot}.");
        }
        else if (!settings.NoPlot)
        {
            plotPath = Path.Combine(outDir, PlotFileName);
            PlotWriter.Write(plotPath, input.Source, results, PolicyLineup.BaselinePolicy);
        }

        var reportPath = Path.Combine(outDir, ReportFileName);
        File.WriteAllText(reportPath, MarkdownReport.Format(
            input, catalogSource, catalog.Count, policies, results, PolicyLineup.BaselinePolicy,
            plotPath is null ? null : PlotFileName, PolicyLineup.VpaReplicas(demand, catalog)));
        if (input.Attribution is not null)
        {
            File.WriteAllText(Path.Combine(outDir, "NAB-LICENSE.txt"), TraceInput.ReadNabLicense());
        }

        var document = json || jsonOut is not null
            ? JsonReport.Create(input, catalogSource, results, PolicyLineup.BaselinePolicy, plotPath, reportPath).ToJson()
            : null;
        if (jsonOut is not null)
        {
            File.WriteAllText(jsonOut, document + Environment.NewLine);
        }

        if (json)
        {
            Console.WriteLine(document);
            return 0;
        }

        Console.Write(ConsoleTable.Format(results, PolicyLineup.BaselinePolicy));
        Console.WriteLine();
        if (plotPath is not null)
        {
            Console.WriteLine($"Plot:   {plotPath}");
        }

        Console.WriteLine($"Report: {reportPath}");
        if (jsonOut is not null)
        {
            Console.WriteLine($"JSON:   {jsonOut}");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Done in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s."));
        return 0;
    }

    /// <summary>
    /// Checks <c>--json-out</c> before the replay (not a folder; its folder created), so a bad path fails at once rather
    /// than after minutes of work; returns the full path. The file itself is written only when the run succeeds.
    /// </summary>
    private static string PrepareJsonOut(FileInfo file)
    {
        var path = file.FullName;
        if (Directory.Exists(path))
        {
            throw new IOException($"--json-out: '{file}' is a folder; give a file name, such as {Path.Combine(file.ToString(), "result.json")}.");
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!); // a full path always has a folder
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"--json-out: cannot create the folder of '{file}': {exception.Message}", exception);
        }

        return path;
    }

    /// <summary>Loads a catalog for the rank command and the simulator alike.</summary>
    public static ShapeCatalog LoadCatalog(FileInfo? file) =>
        file is null ? CatalogFile.LoadDefault() : CatalogFile.Load(file.FullName);
}
