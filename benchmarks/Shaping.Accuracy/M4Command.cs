using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Shaping.Forecasting;
using Shaping.Forecasting.Evaluation;

namespace Shaping.Accuracy;

/// <summary>The <c>m4</c> command: load the data, run the methods, print and write the report.</summary>
internal static class M4Command
{
    public static int Run(M4Settings settings, CancellationToken cancellationToken)
    {
        var registry = MethodRegistry.Create();
        List<string> keys;
        if (string.IsNullOrWhiteSpace(settings.Methods))
        {
            keys = [.. registry.Keys];
        }
        else
        {
            keys = [.. settings.Methods.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Distinct(StringComparer.OrdinalIgnoreCase)];
            var unknown = keys.Where(k => !registry.ContainsKey(k)).ToList();
            if (unknown.Count > 0)
            {
                Console.Error.WriteLine(
                    $"error: unknown method(s) {string.Join(", ", unknown)}; known: {string.Join(", ", registry.Keys)}.");
                return 2;
            }
        }

        if (!settings.Data.Exists)
        {
            Console.Error.WriteLine($"error: --data folder '{settings.Data.FullName}' does not exist.");
            return 2;
        }

        var train = FindOne(settings.Data, "*-train.csv");
        var test = FindOne(settings.Data, "*-test.csv");
        if (train is null || test is null)
        {
            Console.Error.WriteLine(
                $"error: --data folder '{settings.Data.FullName}' must hold exactly one *-train.csv and one *-test.csv file.");
            return 2;
        }

        var all = M4CsvReader.ReadFiles(train.FullName, test.FullName);
        var selected = all.Where((_, i) => i % settings.Every == 0).Take(settings.SeriesLimit ?? int.MaxValue)
            .Select(s => settings.Scale == 1 ? s : s with { Train = Scaled(s.Train, settings.Scale), Test = Scaled(s.Test, settings.Scale) })
            .ToList();
        if (selected.Count == 0)
        {
            Console.Error.WriteLine("error: no series selected.");
            return 2;
        }

        // MASE scales by the in-sample seasonal naive error at lag m, so every training part needs more than m values.
        var tooShort = selected.FirstOrDefault(s => s.Train.Length <= settings.SeasonalPeriod);
        if (tooShort is not null)
        {
            Console.Error.WriteLine(
                $"error: --period {settings.SeasonalPeriod} needs more than {settings.SeasonalPeriod} training values per series; {tooShort.Id} has {tooShort.Train.Length}.");
            return 2;
        }

        string? forecastsDirectory = null;
        if (settings.Forecasts is not null)
        {
            settings.Forecasts.Create();
            forecastsDirectory = settings.Forecasts.FullName;
        }

        Console.WriteLine(
            $"M4 data: {train.Name} + {test.Name}, {selected.Count} of {all.Count} series, horizon {selected[0].Test.Length}, m = {settings.SeasonalPeriod}, {settings.Parallelism} in parallel.");
        var progress = new ProgressLine();
        var results = new List<MethodResult>();
        foreach (var key in keys)
        {
            results.Add(M4Runner.Run(
                key, registry[key], selected, settings.SeasonalPeriod,
                settings.Parallelism, progress, forecastsDirectory, cancellationToken));
        }

        var command = "dotnet run -c Release --project benchmarks/Shaping.Accuracy -- " + string.Join(' ', settings.Arguments);
        var report = Report(results, selected, all.Count, settings.SeasonalPeriod, settings.Scale, command);
        Console.WriteLine();
        Console.WriteLine(report.Table);
        foreach (var note in report.Notes)
        {
            Console.WriteLine(note);
        }

        var outPath = settings.Output?.FullName ?? DefaultOutput();
        Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
        File.WriteAllText(outPath, report.Markdown);
        Console.WriteLine($"Wrote {outPath}");
        if (forecastsDirectory is not null)
        {
            Console.WriteLine($"Wrote forecasts to {forecastsDirectory}");
        }

        return 0;
    }

    private static double[] Scaled(double[] values, double factor) => [.. values.Select(v => v * factor)];

    private static FileInfo? FindOne(DirectoryInfo folder, string pattern)
    {
        var files = folder.GetFiles(pattern, new EnumerationOptions { MatchCasing = MatchCasing.CaseInsensitive });
        return files.Length == 1 ? files[0] : null;
    }

    private static string DefaultOutput()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Shaping.Core.sln")))
                {
                    return Path.Combine(dir.FullName, "docs", "accuracy.md");
                }
            }
        }

        return Path.Combine(Directory.GetCurrentDirectory(), "docs", "accuracy.md");
    }

    private static (string Table, List<string> Notes, string Markdown) Report(
        List<MethodResult> results, List<M4Series> selected, int totalSeries, int m, double scale, string command)
    {
        var inv = CultureInfo.InvariantCulture;
        var table = new StringBuilder();
        table.AppendLine("| Method | Forecaster | sMAPE | MASE | OWA | MSIS | 95 % coverage | above 97.5 % | 80 % coverage | Total wall (s) | Fit median (ms) | Fit mean (ms) | Fit max (ms) | Series |");
        table.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in results)
        {
            table.AppendLine(string.Create(inv,
                $"| {r.Key} | {r.Name} | {r.Smape:F3} | {r.Mase:F3} | {r.Owa:F3} | {r.Msis:F3} | {100 * r.Coverage95:F1} % | {100 * r.Above95:F1} % | {100 * r.Coverage80:F1} % | {r.TotalSeconds:F2} | {r.FitMedianMs:F3} | {r.FitMeanMs:F3} | {r.FitMaxMs:F3} | {r.SeriesCount} |"));
        }

        var notes = new List<string>();
        var naive2 = results.FirstOrDefault(r => r.Key.Equals("naive2", StringComparison.OrdinalIgnoreCase));
        if (naive2 is not null && selected.Count == totalSeries)
        {
            notes.Add(string.Create(inv,
                $"Naive2 check: sMAPE {naive2.Smape:F3} vs published {ForecastMetrics.M4HourlyNaive2Smape} ({Deviation(naive2.Smape, ForecastMetrics.M4HourlyNaive2Smape)}), MASE {naive2.Mase:F3} vs published {ForecastMetrics.M4HourlyNaive2Mase} ({Deviation(naive2.Mase, ForecastMetrics.M4HourlyNaive2Mase)})."));
        }

        foreach (var r in results.Where(r => r.ModelCounts.Count > 1))
        {
            notes.Add($"{r.Key} chose per series: {string.Join(", ", r.ModelCounts.Select(p => $"{p.Key} {p.Value}"))}.");
        }

        var subset = selected.Count == totalSeries
            ? $"all {totalSeries} series"
            : $"{selected.Count} of {totalSeries} series ({selected[0].Id}, {(selected.Count > 1 ? selected[1].Id + ", …, " : "")}{selected[^1].Id})";
        if (scale != 1)
        {
            subset += string.Create(inv, $", every value multiplied by {scale:R}");
        }
        var machine = MachineLine();
        var markdown = new StringBuilder();
        markdown.AppendLine("# Forecast accuracy on M4 data");
        markdown.AppendLine();
        markdown.AppendLine("Generated by the accuracy console (`benchmarks/Shaping.Accuracy`); rerun it to refresh this file:");
        markdown.AppendLine();
        markdown.AppendLine("```");
        markdown.AppendLine(command);
        markdown.AppendLine("```");
        markdown.AppendLine();
        markdown.AppendLine(string.Create(inv,
            $"Data: {subset}, horizon {selected[0].Test.Length}, seasonal period m = {m}. sMAPE (percent) and MASE (scaled by the in-sample seasonal naive error, lag m) are the M4 definitions, averaged over the series; OWA = ½(sMAPE / {ForecastMetrics.M4HourlyNaive2Smape} + MASE / {ForecastMetrics.M4HourlyNaive2Mase}), against the published M4 hourly Naive2 figures. Intervals: each method's 0.025, 0.1, 0.9 and 0.975 quantiles from `Forecast(h, levels)` of the fitted model; MSIS is M4's mean scaled interval score of the 95 % interval (α = 0.05, the same scale as MASE), averaged over the series; coverage is the share of all {selected.Sum(s => s.Test.Length)} outcomes inside the 95 % (nominal 95 %) and 80 % (nominal 80 %) intervals, and \"above 97.5 %\" the share above the 95 % interval's upper bound (nominal 2.5 %: the misses that would under-provision). Fit time is fit + {selected[0].Test.Length}-step point forecast of one series; total wall time is for all series of one method, run in parallel."));
        markdown.AppendLine();
        markdown.Append(table);
        markdown.AppendLine();
        foreach (var note in notes)
        {
            markdown.AppendLine("- " + note);
        }

        if (notes.Count > 0)
        {
            markdown.AppendLine();
        }

        markdown.AppendLine(machine);
        return (table.ToString(), notes, markdown.ToString());
    }

    private static string Deviation(double value, double reference) =>
        string.Create(CultureInfo.InvariantCulture, $"{100 * (value - reference) / reference:+0.00;-0.00;0.00} %");

    private static string MachineLine()
    {
        var cpu = "unknown CPU";
        if (File.Exists("/proc/cpuinfo"))
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null)
            {
                cpu = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
            }
        }

        var now = TimeProvider.System.GetUtcNow();
        return string.Create(CultureInfo.InvariantCulture,
            $"Machine: {RuntimeInformation.OSDescription}, {cpu}, {Environment.ProcessorCount} logical cores, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.ProcessArchitecture}; run {now:yyyy-MM-dd HH:mm} UTC.");
    }
}
