using System.Globalization;
using Shaping.Core.Resources;
using Shaping.Simulation.Demand;
using Shaping.Simulation.Traces;

namespace Shaping.Samples.Simulator;

/// <summary>A trace read from disk or from the embedded default, turned into demand.</summary>
/// <param name="Trace">The trace as read (grid, gaps, stats).</param>
/// <param name="Demand">The whole-service demand per interval.</param>
/// <param name="Source">Where the trace came from, for the report.</param>
/// <param name="DemandModel">The demand model in words, for the report.</param>
/// <param name="Attribution">The data's attribution when it must travel with it; <see langword="null"/> for the user's own data.</param>
/// <param name="Window">Which part of the trace <paramref name="Demand"/> replays, in words ("all 215 days", "the last 56 of 215 days").</param>
internal sealed record TraceInput(LoadTrace Trace, DemandSeries Demand, string Source, string DemandModel, string? Attribution, string Window)
{
    /// <summary>
    /// Gets the most the demand can reach, when the demand model knows it (a utilisation metric cannot exceed its
    /// machine); <see langword="null"/> otherwise. The policies are given it as their ceiling.
    /// </summary>
    public ResourceVector? Ceiling { get; init; }

    /// <summary>
    /// How many days of the embedded trace the default run replays: its last 8 weeks (2014-12-07 to 2015-01-31, with
    /// Christmas, New Year and a snowstorm). This keeps the default run, predictive policy included, well under a
    /// minute; <c>--days 0</c> replays all 215 days.
    /// </summary>
    public const int DefaultTraceDays = 56;

    /// <summary>The embedded default trace's resource name (a copy of NAB's file, MIT-licensed).</summary>
    public const string DefaultTraceResource = "nyc_taxi.csv";

    /// <summary>The attribution printed and written whenever the default trace is used.</summary>
    public const string NabAttribution =
        "Default trace: nyc_taxi.csv (NYC taxi passengers per 30 min, 2014-07-01 to 2015-01-31, aggregated from NYC TLC trip records) "
        + "from the Numenta Anomaly Benchmark (NAB, github.com/numenta/NAB, commit ea702d7), Copyright 2014-2024 Numenta Inc., "
        + "MIT licence (embedded, and written next to the report as NAB-LICENSE.txt). "
        + "Ahmad, Lavin, Purdy & Agha (2017), Unsupervised real-time anomaly detection for streaming data, Neurocomputing, "
        + "doi:10.1016/j.neucom.2017.04.070.";

    /// <summary>Reads the trace the settings name (or the embedded default) and applies the demand model.</summary>
    /// <exception cref="TraceFormatException">A row, the header or the timestamps are malformed.</exception>
    /// <exception cref="ArgumentException">The demand model does not fit the trace (a missing column, a negative value).</exception>
    public static TraceInput Load(SimulationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Trace is null)
        {
            return LoadDefault(settings);
        }

        var path = settings.Trace.FullName;
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The trace file '{settings.Trace}' does not exist.", path);
        }

        var (header, headerLine) = ReadHeader(path);
        var column = settings.Column ?? DefaultColumn(header, headerLine, settings, path);
        var (model, columns, description) = BuildModel(settings, column);
        var options = new TraceReadOptions
        {
            Columns = columns,
            Step = settings.Step,
            TimestampColumn = settings.TimestampColumn,
            Origin = settings.Epoch == TimestampEpoch.Unix ? DateTimeOffset.UnixEpoch : new TraceReadOptions().Origin,
            MissingCells = settings.MissingCells,
        };
        if (settings.Step is null && settings.TimestampColumn is null && !HasTimestamp(header))
        {
            throw new TraceFormatException(path, headerLine, null, string.Create(CultureInfo.InvariantCulture,
                $"the header has no column named timestamp, time or period (it has {string.Join(", ", header.Select(h => $"'{h}'"))}); name yours with --timestamp-column NAME, or give the sampling interval with --step (e.g. --step 5m) to lay the rows out in file order."));
        }

        if (settings.Step is not null && settings.TimestampColumn is null && !HasTimestamp(header))
        {
            // --step lays the rows out in file order: a time column it leaves unread would not reorder or space them
            // (a newest-first export would be replayed backwards), so say so.
            foreach (var name in header.Where(h => LooksLikeTime(h) && !columns.Contains(h, StringComparer.OrdinalIgnoreCase)))
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"warning: {settings.Trace}: column '{name}' looks like a timestamp, but --step lays the rows out in file order and ignores it; pass --timestamp-column {name} to use it."));
            }
        }

        LoadTrace trace;
        try
        {
            trace = CsvTraceReader.ReadFile(settings.Trace.ToString(), options);
        }
        catch (TraceFormatException exception) when (exception.Message.Contains("TraceReadOptions.", StringComparison.Ordinal))
        {
            // The library names its own options; on the command line they are --step and --missing-cells.
            throw new TraceFormatException(
                exception.Message.Replace("set TraceReadOptions.Step", "give the sampling interval with --step (e.g. --step 5m)", StringComparison.Ordinal)
                    .Replace("TraceReadOptions.Step", "--step", StringComparison.Ordinal)
                    .Replace("set TraceReadOptions.MissingCells to Gap", "pass --missing-cells gap", StringComparison.Ordinal),
                exception);
        }

        if (settings.Epoch == TimestampEpoch.Year2000 && trace.Start.Year >= 2030 && FirstTimestampIsNumeric(path, header, settings.TimestampColumn))
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"warning: {settings.Trace}: numeric timestamps are read as seconds since 2000-01-01 (--epoch 2000), which puts the trace at {trace.Start:yyyy-MM-dd}; if they are Unix time, pass --epoch unix."));
        }

        var (demand, window) = LastDays(model.Map(trace), settings.Days ?? 0);
        return new TraceInput(trace, demand, settings.Trace.ToString(), description, null, window)
        {
            Ceiling = (model as UtilizationDemandModel)?.FullScaleDemand,
        };
    }

    /// <summary>Opens the embedded licence notice of the default trace.</summary>
    public static string ReadNabLicense() => ReadResource("NAB-LICENSE.txt");

    private static TraceInput LoadDefault(SimulationSettings settings)
    {
        // Options that say how to read a CSV, or how its metric becomes demand, have nothing to act on without one (the
        // embedded trace's step and demand model are fixed); reject them rather than ignore them. They are told from
        // absent ones by their value, so one given with its default value passes.
        const string FixedModel = "; the embedded trace's demand model is fixed.";
        (bool Given, string Message)[] traceOnly =
        [
            (settings.Column is not null, "--column applies to --trace" + FixedModel),
            (settings.Metric != MetricKind.Utilization, "--metric applies to --trace" + FixedModel),
            (settings.Machine != SimulationSettings.DefaultMachine, "--machine applies to --trace" + FixedModel),
            (settings.FullScale != SimulationSettings.DefaultFullScale, "--full-scale applies to --trace" + FixedModel),
            (settings.MemoryColumn is not null, "--memory-column applies to --trace" + FixedModel),
            (settings.StorageColumn is not null, "--storage-column applies to --trace" + FixedModel),
            (settings.NetworkColumn is not null, "--network-column applies to --trace" + FixedModel),
            (settings.CountPeriod is not null, "--count-period applies to --trace" + FixedModel),
            (settings.PerRequest != SimulationSettings.DefaultPerRequest, "--per-request applies to --trace" + FixedModel),
            (settings.Baseline != SimulationSettings.DefaultBaseline, "--baseline applies to --trace" + FixedModel),
            (settings.Scale != SimulationSettings.DefaultScale, "--scale applies to --trace" + FixedModel),
            (settings.Step is not null, "--step applies to --trace; the embedded trace's 30-min step is fixed."),
            (settings.TimestampColumn is not null, "--timestamp-column applies to --trace."),
            (settings.Epoch != TimestampEpoch.Year2000, "--epoch applies to --trace."),
            (settings.MissingCells != MissingCellHandling.Error, "--missing-cells applies to --trace; the embedded trace has no missing cells."),
        ];
        foreach (var (given, message) in traceOnly)
        {
            if (given)
            {
                throw new ArgumentException(message);
            }
        }

        // The default trace counts taxi passengers per 30 minutes: a daily and weekly cycle with holidays and a
        // snowstorm. It is read as requests per 30 min, each passenger/s needing 0.5 cores, 1 GiB and 0.02 Gbps on a
        // 0.5-core, 1 GiB baseline: the same demand model the backtest console (TraceSetup) uses for this file.
        var defaults = settings with
        {
            Metric = MetricKind.Requests,
            CountPeriod = TimeSpan.FromMinutes(30),
            PerRequest = new ResourceVector(0.5, 1, 0, 0.02),
            Baseline = new ResourceVector(0.5, 1, 0, 0),
        };
        var (model, columns, description) = BuildModel(defaults, "value");
        using var reader = new StringReader(ReadResource(DefaultTraceResource));
        var trace = CsvTraceReader.Read(reader, DefaultTraceResource, new TraceReadOptions { Columns = columns });
        var (demand, window) = LastDays(model.Map(trace), settings.Days ?? DefaultTraceDays);
        return new TraceInput(trace, demand, $"{DefaultTraceResource} (embedded NAB trace)", description, NabAttribution, window);
    }

    /// <summary>
    /// Keeps the last <paramref name="days"/> days of a series (all of it for 0, or when it is no longer than that),
    /// and says in words which part was kept.
    /// </summary>
    internal static (DemandSeries Demand, string Window) LastDays(DemandSeries demand, int days)
    {
        ArgumentNullException.ThrowIfNull(demand);
        ArgumentOutOfRangeException.ThrowIfNegative(days);
        var span = demand.Step * demand.Length;
        var total = span.TotalDays;
        // In doubles: a number of days beyond TimeSpan's range simply means "all of it".
        var keep = days == 0 ? demand.Length : Math.Ceiling(days * 86_400.0 / demand.Step.TotalSeconds);
        if (keep >= demand.Length)
        {
            // A trace shorter than a day is described in hours or minutes: "all 0 days" said nothing.
            return (demand, total >= 1 ? Invariant($"all {total:0.#} days")
                : span.TotalHours >= 1 ? Invariant($"all {span.TotalHours:0.#} h")
                : Invariant($"all {span.TotalMinutes:0.#} min"));
        }

        var skip = demand.Length - (int)keep;
        var kept = new DemandSeries(demand.Name, demand.TimeOf(skip), demand.Step, demand.Values.Skip(skip));
        return (kept, Invariant($"the last {days} of {total:0.#} days"));
    }

    private static (IDemandModel Model, IReadOnlyList<string> Columns, string Description) BuildModel(SimulationSettings s, string column)
    {
        if (s.Metric == MetricKind.Utilization && !(s.Machine.CpuCores > 0))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"--machine: the machine needs a positive number of CPU cores (the first value); got {s.Machine.CpuCores}."));
        }

        try
        {
            return BuildModelCore(s, column);
        }
        catch (ArgumentException exception) when (exception.ParamName is { } name && OptionFor(name) is { } option)
        {
            // The demand models name their parameters (machine, fullScale, ...); on the command line those are options.
            throw new ArgumentException($"{option}: {SimulateCommand.OneLine(exception)}", exception);
        }
    }

    private static string? OptionFor(string parameter) => parameter switch
    {
        "machine" => "--machine",
        "fullScale" => "--full-scale",
        "countPeriod" => "--count-period",
        "perRequestPerSecond" => "--per-request",
        "baseline" => "--baseline",
        "scale" => "--scale",
        _ => null,
    };

    private static (IDemandModel Model, IReadOnlyList<string> Columns, string Description) BuildModelCore(SimulationSettings s, string column)
    {
        switch (s.Metric)
        {
            case MetricKind.Utilization:
            {
                var model = new UtilizationDemandModel(column, s.Machine, s.FullScale, s.MemoryColumn);
                var memory = s.MemoryColumn is null ? "memory and network in the machine's proportion" : $"memory utilisation from '{s.MemoryColumn}'";
                return (model, Columns(column, s.MemoryColumn), Invariant(
                    $"'{column}' is utilisation (full scale {s.FullScale:0.###}) of a machine of {s.Machine:G}; demand = share × machine, {memory}"));
            }

            case MetricKind.Requests:
            {
                var period = s.CountPeriod ?? s.Step;
                var model = new DeferredRequestModel(column, period, s.PerRequest, s.Baseline);
                return (model, Columns(column), Invariant(
                    $"'{column}' counts requests per {(period is { } p ? Describe(p) : "interval")}; demand = {s.Baseline:G} + {s.PerRequest:G} per request/s"));
            }

            case MetricKind.Raw:
            {
                var model = new ColumnDemandModel(column, s.MemoryColumn, s.StorageColumn, s.NetworkColumn, s.Scale);
                return (model, Columns(column, s.MemoryColumn, s.StorageColumn, s.NetworkColumn), Invariant(
                    $"raw demand columns (cpu '{column}', memory '{s.MemoryColumn ?? "-"}', storage '{s.StorageColumn ?? "-"}', network '{s.NetworkColumn ?? "-"}') scaled by {s.Scale:G}"));
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(s), s.Metric, "Unknown metric kind.");
        }
    }

    private static string[] Columns(params string?[] names) =>
        [.. names.OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase)];

    /// <summary>The header's fields and its 1-based line (blank lines before it are skipped, as the reader does).</summary>
    private static (string[] Header, int Line) ReadHeader(string path)
    {
        using var reader = new StreamReader(path);
        string? line;
        var number = 0;
        while ((line = reader.ReadLine()) is not null && string.IsNullOrWhiteSpace(line))
        {
            number++;
        }

        if (line is null)
        {
            throw new TraceFormatException(path, 0, null, "the file is empty; a header row is required.");
        }

        var header = CsvTraceReader.SplitFields(line);
        if (CsvTraceReader.NotCommaSeparated(line) is { } separator)
        {
            throw new TraceFormatException(path, number + 1, null, separator);
        }

        return (header, number + 1);
    }

    /// <summary>Whether the first data row's timestamp field is a plain number (read as seconds from the origin).</summary>
    private static bool FirstTimestampIsNumeric(string path, string[] header, string? timestampColumn)
    {
        var index = Array.FindIndex(header, h => timestampColumn is null
            ? IsTimestampName(h)
            : h.Equals(timestampColumn, StringComparison.OrdinalIgnoreCase));
        if (index < 0)
        {
            return false;
        }

        var line = File.ReadLines(path).Where(l => !string.IsNullOrWhiteSpace(l)).Skip(1).FirstOrDefault();
        var row = line is null ? null : CsvTraceReader.SplitFields(line);
        return row is not null && index < row.Length && ValueParsers.IsBareNumber(row[index]);
    }

    // A header name that suggests timestamps (Timestamps, Date, DateTime, time_utc, ...).
    private static bool LooksLikeTime(string name) =>
        name.Contains("time", StringComparison.OrdinalIgnoreCase) || name.Contains("date", StringComparison.OrdinalIgnoreCase);

    private static bool HasTimestamp(string[] header) => header.Any(IsTimestampName);

    // The names the reader takes as the timestamp column without --timestamp-column.
    private static bool IsTimestampName(string name) =>
        name.Equals("timestamp", StringComparison.OrdinalIgnoreCase)
        || name.Equals("time", StringComparison.OrdinalIgnoreCase)
        || name.Equals("period", StringComparison.OrdinalIgnoreCase);

    private static string DefaultColumn(string[] header, int headerLine, SimulationSettings settings, string path)
    {
        var metrics = header
            .Where(h => !h.Equals(settings.TimestampColumn ?? "timestamp", StringComparison.OrdinalIgnoreCase)
                && !h.Equals("time", StringComparison.OrdinalIgnoreCase)
                && !h.Equals("period", StringComparison.OrdinalIgnoreCase))
            .ToList();
        var value = metrics.Find(h => h.Equals("value", StringComparison.OrdinalIgnoreCase));
        if (value is not null)
        {
            return value;
        }

        return metrics.Count switch
        {
            1 => metrics[0],
            0 => throw new TraceFormatException(path, headerLine, null, "the header has no metric column besides the timestamp."),
            _ => throw new TraceFormatException(path, headerLine, null,
                $"the trace has several metric columns ({string.Join(", ", metrics)}); choose one with --column."),
        };
    }

    private static string ReadResource(string name)
    {
        using var stream = typeof(TraceInput).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded resource '{name}' is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static string Describe(TimeSpan period) =>
        period.TotalHours >= 1 && period.TotalHours % 1 == 0 ? Invariant($"{period.TotalHours:0} h")
        : period.TotalMinutes >= 1 && period.TotalMinutes % 1 == 0 ? Invariant($"{period.TotalMinutes:0} min")
        : Invariant($"{period.TotalSeconds:0.###} s");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>A request-rate model whose count period defaults to the trace's own step, known only once it is read.</summary>
    private sealed class DeferredRequestModel(string column, TimeSpan? period, ResourceVector perRequest, ResourceVector baseline) : IDemandModel
    {
        public DemandSeries Map(LoadTrace trace) =>
            new RequestRateDemandModel(column, period ?? trace.Step, perRequest, baseline).Map(trace);
    }
}
