using Shaping.Core.Resources;
using Shaping.Simulation.Traces;

namespace Shaping.Samples.Simulator;

/// <summary>How a trace's metric becomes resource demand.</summary>
internal enum MetricKind
{
    /// <summary>Utilisation of a known machine (percent by default): share × machine capacity.</summary>
    Utilization,

    /// <summary>A request count per period: baseline + per-request/s cost × requests per second.</summary>
    Requests,

    /// <summary>Columns that already hold demand (cores, GiB, GiB, Gbps), optionally scaled.</summary>
    Raw,
}

/// <summary>What the console prints on standard output; the first value, <see cref="Text"/>, is the option's default.</summary>
internal enum OutputFormat
{
    /// <summary>A readable table and the paths written.</summary>
    Text,

    /// <summary>Only a JSON document with the per-policy metrics, for scripts.</summary>
    Json,
}

/// <summary>What a trace's numeric timestamps count seconds from (--epoch); the first value, <see cref="Year2000"/>, is the option's default.</summary>
internal enum TimestampEpoch
{
    /// <summary>2000-01-01 UTC, <see cref="Shaping.Simulation.Traces.TraceReadOptions.Origin"/>'s default (seconds from the trace's start land in 2000).</summary>
    Year2000,

    /// <summary>1970-01-01 UTC: Unix time.</summary>
    Unix,
}

/// <summary>Everything the simulate command was asked to do, parsed from the command line.</summary>
internal sealed record SimulationSettings
{
    /// <summary>The default machine a utilisation trace is measured against: 16 cores, 64 GiB, 12.5 Gbps (as the backtest console).</summary>
    public static readonly ResourceVector DefaultMachine = new(16, 64, 0, 12.5);

    /// <summary>The default cost of one request per second: 0.01 cores, 0.02 GiB, 0.0005 Gbps.</summary>
    public static readonly ResourceVector DefaultPerRequest = new(0.01, 0.02, 0, 0.0005);

    /// <summary>The default demand of a service with no traffic: 0.5 cores and 1 GiB (as the backtest console).</summary>
    public static readonly ResourceVector DefaultBaseline = new(0.5, 1, 0, 0);

    /// <summary>The default raw-column scale: the columns are used as they are.</summary>
    public static readonly ResourceVector DefaultScale = new(1, 1, 1, 1);

    /// <summary>The default utilisation full scale: the metric is in percent.</summary>
    public const double DefaultFullScale = 100;

    public FileInfo? Trace { get; init; }

    public string? Column { get; init; }

    public MetricKind Metric { get; init; } = MetricKind.Utilization;

    public ResourceVector Machine { get; init; } = DefaultMachine;

    public double FullScale { get; init; } = DefaultFullScale;

    public string? MemoryColumn { get; init; }

    public string? StorageColumn { get; init; }

    public string? NetworkColumn { get; init; }

    public TimeSpan? CountPeriod { get; init; }

    public ResourceVector PerRequest { get; init; } = DefaultPerRequest;

    public ResourceVector Baseline { get; init; } = DefaultBaseline;

    public ResourceVector Scale { get; init; } = DefaultScale;

    public TimeSpan? Step { get; init; }

    /// <summary>Replay only the last N days; 0 for all; <see langword="null"/> for the default (all of a user's trace, <see cref="TraceInput.DefaultTraceDays"/> of the embedded one).</summary>
    public int? Days { get; init; }

    public string? TimestampColumn { get; init; }

    /// <summary>What numeric timestamps count seconds from.</summary>
    public TimestampEpoch Epoch { get; init; } = TimestampEpoch.Year2000;

    /// <summary>What an empty, NaN, null or - metric cell does (--missing-cells): stop with an error, or make its sample a gap.</summary>
    public MissingCellHandling MissingCells { get; init; } = MissingCellHandling.Error;

    public FileInfo? Catalog { get; init; }

    public DirectoryInfo Out { get; init; } = new("simulation-output");

    public OutputFormat Format { get; init; } = OutputFormat.Text;

    /// <summary>A file to write the JSON document to as well (--json-out), whatever <see cref="Format"/> says; <see langword="null"/> for none.</summary>
    public FileInfo? JsonOut { get; init; }

    public bool NoPlot { get; init; }

    public string? HpaShape { get; init; }
}
