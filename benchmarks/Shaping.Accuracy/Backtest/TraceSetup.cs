using Shaping.Core.Resources;
using Shaping.Simulation.Demand;
using Shaping.Simulation.Traces;

namespace Shaping.Accuracy.Backtest;

/// <summary>One trace of ../shared/data/traces with the demand model that turns it into resource demand.</summary>
/// <param name="Path">The file, relative to the traces folder.</param>
/// <param name="DailyCycle">Whether the traces README lists it as having a clear daily cycle.</param>
/// <param name="Options">How to read it.</param>
/// <param name="Model">The demand model (an explicit assumption, documented in <see cref="All"/>).</param>
internal sealed record TraceSetup(string Path, bool DailyCycle, TraceReadOptions Options, IDemandModel Model)
{
    /// <summary>
    /// Gets where the trace's regimes begin for the <see cref="BurstStartBound"/> reference row, which is shown only
    /// for traces that set this (empty: one regime).
    /// </summary>
    public IReadOnlyList<DateTimeOffset>? BoundRegimes { get; init; }

    /// <summary>
    /// The traces and their demand models. CPU-percent traces are read as utilisation of a 16-core, 64 GiB,
    /// 12.5 Gbps machine (memory and network in proportion); request counts as 0.5 cores + 1 GiB baseline plus a
    /// per-request-per-second cost; the Google aggregate as fractions of a 64-core, 256 GiB machine with its own
    /// memory column; the Azure aggregate's undocumented units scaled to tens of cores and hundreds of GiB.
    /// </summary>
    public static IReadOnlyList<TraceSetup> All { get; } =
    [
        // The bound's second regime is NAB's labelled misconfiguration window (the traces README: 07-10 12:29 on).
        Cpu("nab/cpu_utilization_asg_misconfiguration.csv", daily: true) with
        {
            BoundRegimes = [new DateTimeOffset(2014, 7, 10, 12, 29, 0, TimeSpan.Zero)],
        },
        Cpu("nab/ec2_cpu_utilization_53ea38.csv", daily: true),
        Requests("nab/nyc_taxi.csv", "value", TimeSpan.FromMinutes(30), new ResourceVector(0.5, 1, 0, 0.02), daily: true),
        Requests("worldcup98/invocation_count.csv", "count", TimeSpan.FromMinutes(1), new ResourceVector(0.004, 0.008, 0, 0.0002), daily: true),
        new("dctraces/google2019/instance_usage_grouped_300_seconds_month.csv", true,
            new TraceReadOptions { Step = TimeSpan.FromMinutes(5), Columns = ["avg_cpu", "avg_mem"] },
            new UtilizationDemandModel("avg_cpu", new ResourceVector(64, 256, 0, 10), fullScale: 1, memoryColumn: "avg_mem")),
        new("dctraces/azure_v2/vm_cpu_readings_month_aggregated_cpu_mem.csv", true,
            new TraceReadOptions(),
            new ColumnDemandModel("cpu_usage", "assigned_mem", scale: new ResourceVector(1e-5, 1e-4, 1, 1))),
        Cpu("nab/ec2_cpu_utilization_5f5533.csv", daily: false),
        Cpu("nab/ec2_cpu_utilization_825cc2.csv", daily: false),
        Cpu("nab/rds_cpu_utilization_e47b3b.csv", daily: false),
        Requests("nab/elb_request_count_8c0756.csv", "value", TimeSpan.FromMinutes(5), new ResourceVector(0.05, 0.1, 0, 0.005), daily: false),
        new("nab/ec2_network_in_257a54.csv", false, new TraceReadOptions(),
            new ColumnDemandModel(null, networkColumn: "value", scale: new ResourceVector(1, 1, 1, 8 / 300.0 / 1e9))),
    ];

    private static TraceSetup Cpu(string path, bool daily) =>
        new(path, daily, new TraceReadOptions(), new UtilizationDemandModel("value", new ResourceVector(16, 64, 0, 12.5)));

    private static TraceSetup Requests(string path, string column, TimeSpan period, ResourceVector perRps, bool daily) =>
        new(path, daily, new TraceReadOptions(), new RequestRateDemandModel(column, period, perRps, new ResourceVector(0.5, 1, 0, 0)));
}
