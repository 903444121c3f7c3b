using System.Globalization;
using System.Text;
using Shaping.Accuracy.Backtest;
using Shaping.Core.Resources;
using Shaping.Forecasting.Engine;
using Shaping.Forecasting.Models;
using Shaping.Forecasting.Selection;
using Shaping.Simulation.Demand;
using Shaping.Simulation.Traces;

namespace Shaping.Accuracy.EngineReplay;

/// <summary>
/// The <c>engine</c> command: replays real traces through the <see cref="PredictiveLoadEngine"/> as the DI package
/// configures it (default options, validated selection between seasonal naive and AutoEts) and reports how well the
/// profiles it served covered what came.
/// </summary>
internal static class EngineCommand
{
    public static int Run(DirectoryInfo data, string? traces, int refreshMinutes, bool? calibratePeaks, int parallelism, FileInfo? output, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        if (!data.Exists)
        {
            Console.Error.WriteLine($"error: --data folder '{data.FullName}' does not exist.");
            return 2;
        }

        var filters = traces?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var setups = TraceSetup.All
            .Where(s => filters is null ? s.DailyCycle : filters.Any(f => s.Path.Contains(f, StringComparison.OrdinalIgnoreCase)))
            .ToList();
        if (setups.Count == 0)
        {
            Console.Error.WriteLine($"error: --traces '{traces}' matches none of: {string.Join(", ", TraceSetup.All.Select(t => t.Path))}.");
            return 2;
        }

        var options = new PredictiveLoadEngineOptions();
        options.CalibratePeaks = calibratePeaks ?? options.CalibratePeaks;
        options.RefreshInterval = TimeSpan.FromMinutes(refreshMinutes);
        options.StaleAfter = options.RefreshInterval > options.StaleAfter ? options.RefreshInterval : options.StaleAfter;

        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException exception)
        {
            Console.Error.WriteLine($"error: {exception.Message}");
            return 2;
        }

        var found = new List<(TraceSetup Setup, string Path)>();
        foreach (var setup in setups)
        {
            var path = Path.Combine(data.FullName, setup.Path);
            if (File.Exists(path))
            {
                found.Add((setup, path));
            }
            else
            {
                Console.Error.WriteLine($"skip {setup.Path}: not found");
            }
        }

        // Traces are independent: replay them side by side, and print the sections in TraceSetup's order.
        var sectionTexts = new string[found.Count];
        Parallel.For(
            0,
            found.Count,
            new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            i =>
            {
                var (setup, path) = found[i];
                var demand = setup.Model.Map(CsvTraceReader.ReadFile(path, setup.Options));
                var dimensions = Reported(demand);

                // The DI package's default forecaster (ForecastingShapingBuilderExtensions.AddForecasting).
                var forecaster = new TimedForecaster(new ValidatedSelectionForecaster([new SeasonalNaiveForecaster(), new AutoEtsForecaster()]));
                var result = TraceReplay.Run(demand, options, forecaster, dimensions, cancellationToken);
                sectionTexts[i] = Section(setup, demand, result, forecaster);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{setup.Path}: {result.Refreshes} refreshes, {result.FallbackLookups} fallback lookups, {result.Elapsed.TotalSeconds:0.0} s ({forecaster.Fits} fits {forecaster.FitTime.TotalSeconds:0.0} s)"));
            });
        var sections = new StringBuilder();
        foreach (var section in sectionTexts)
        {
            sections.Append(section).AppendLine();
        }

        var ran = found.Count;
        if (ran == 0)
        {
            Console.Error.WriteLine($"error: --data folder '{data.FullName}' holds none of the selected traces; nothing written.");
            return 2;
        }

        var report = new StringBuilder()
            .AppendLine("# The engine's served profiles on real traces").AppendLine()
            .AppendLine("```")
            .AppendLine(("dotnet run -c Release --project benchmarks/Shaping.Accuracy -- engine " + string.Join(' ', arguments.Skip(1))).TrimEnd())
            .AppendLine("```").AppendLine()
            .AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"Engine options: resolution {options.Resolution}, windows {string.Join(", ", options.Windows)}, refit every {options.RefitInterval}, refresh every {options.RefreshInterval}, history {options.MaximumHistory} steps, {options.PathCount} paths, peak calibration {(options.CalibratePeaks ? $"on ({options.PeakCalibrationScores} scores, learning rate {options.PeakCalibrationLearningRate})" : "off")}; forecaster: validated selection of seasonal naive and AutoEts (the DI default)."))
            .AppendLine()
            .Append(sections)
            .ToString();
        if (output is not null)
        {
            Directory.CreateDirectory(output.DirectoryName!);
            File.WriteAllText(output.FullName, report);
            Console.Error.WriteLine($"wrote {output.FullName}");
        }

        Console.WriteLine(report);
        return 0;
    }

    private static string Section(TraceSetup setup, DemandSeries demand, ReplayResult result, TimedForecaster forecaster)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"## {setup.Path}").AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{demand.Length} samples of {demand.Step.TotalMinutes:0.#} min ({(demand.Step * demand.Length).TotalDays:0.#} days); {result.Refreshes} refreshes, {result.FallbackLookups} fallback lookups (not scored: before two days of history, or a failed fit), {result.Unscored} windows past the end of the trace; final models: {string.Join(", ", result.Models)}; replay {result.Elapsed.TotalSeconds:0} s, of which {forecaster.Fits} fits {forecaster.FitTime.TotalSeconds:0} s.");
        text.AppendLine();
        text.AppendLine(WindowTally.Header);
        foreach (var tally in result.Tallies)
        {
            text.AppendLine(tally.Row(Label(tally.Window)));
        }

        return text.ToString();
    }

    /// <summary>The CPU and every other dimension that varies and is not an affine function of one already reported
    /// (the demand models derive memory and network from the same column for most traces: the same forecast, scaled).</summary>
    private static List<Dimension> Reported(DemandSeries demand)
    {
        var reported = new List<Dimension>();
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            var values = demand.Values.Select(v => v[(Dimension)d]).ToArray();
            if (values.Max() == values.Min())
            {
                continue;
            }

            if (!reported.Any(r => Affine(demand.Values.Select(v => v[r]).ToArray(), values)))
            {
                reported.Add((Dimension)d);
            }
        }

        return reported;
    }

    private static bool Affine(double[] x, double[] y)
    {
        var (i, j) = (Array.IndexOf(x, x.Min()), Array.IndexOf(x, x.Max()));
        var slope = (y[j] - y[i]) / (x[j] - x[i]);
        var intercept = y[i] - (slope * x[i]);
        var scale = y.Max(Math.Abs);
        return x.Zip(y).All(p => Math.Abs(intercept + (slope * p.First) - p.Second) <= 1e-9 * scale);
    }

    private static string Label(TimeSpan window) =>
        window.TotalDays >= 1 && window.TotalDays % 1 == 0 ? $"{window.TotalDays:0} d"
        : window.TotalHours >= 1 && window.TotalHours % 1 == 0 ? $"{window.TotalHours:0} h"
        : $"{window.TotalMinutes:0.#} min";
}
