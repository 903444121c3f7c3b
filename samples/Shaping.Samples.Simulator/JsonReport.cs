using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Shaping.Simulation;

namespace Shaping.Samples.Simulator;

/// <summary>The document <c>--format json</c> prints: the run's inputs, one entry per policy, and the files written.</summary>
internal sealed record JsonReport(
    JsonTrace Trace,
    string Catalog,
    string Baseline,
    IReadOnlyList<JsonPolicy> Policies,
    string? Plot,
    string? Report)
{
    /// <summary>Builds the document from the results.</summary>
    public static JsonReport Create(
        TraceInput input, string catalog, IReadOnlyList<BacktestResult> results, string baseline, string? plot, string? report)
    {
        var trace = input.Trace;
        var demand = input.Demand;
        var baselineCost = results.FirstOrDefault(r => r.Policy == baseline)?.Metrics.TotalCost;
        return new JsonReport(
            new JsonTrace(
                input.Source,
                input.Window,
                demand.Start,
                demand.Step.TotalSeconds,
                demand.Length,
                trace.Stats.GapSlots,
                trace.Stats.MergedSamples,
                trace.Stats.MissingSamples,
                input.DemandModel,
                new JsonVector(demand.Peak.CpuCores, demand.Peak.MemoryGiB, demand.Peak.StorageGiB, demand.Peak.NetworkGbps),
                input.Attribution),
            catalog,
            baseline,
            [.. results.Select(r => new JsonPolicy(
                r.Policy,
                r.Metrics.TotalCost,
                baselineCost is > 0 ? r.Metrics.TotalCost / baselineCost.Value : null,
                r.Metrics.AverageSlack,
                r.Metrics.UnderProvisionedShare,
                r.Metrics.WorstShortfall,
                r.Metrics.ShapeSwitchesPerReplicaDay,
                double.IsNaN(r.Metrics.ForecastCoverage) ? null : r.Metrics.ForecastCoverage,
                r.Metrics.ReplicaHours,
                r.Metrics.MeanReplicas,
                r.Metrics.Intervals))],
            plot,
            report);
    }

    /// <summary>Serialises the document, indented, with camelCase names.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Context.JsonReport);

    // Relaxed escaping keeps quotes and '+' readable in the text fields; the output goes to scripts, not to HTML.
    private static readonly JsonReportContext Context = new(new JsonSerializerOptions
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}

/// <summary>The trace a run replayed.</summary>
internal sealed record JsonTrace(
    string Source,
    string Window,
    DateTimeOffset Start,
    double StepSeconds,
    int Intervals,
    int GapIntervalsInFile,
    int MergedSamplesInFile,
    int MissingSamplesInFile,
    string DemandModel,
    JsonVector PeakDemand,
    string? Attribution);

/// <summary>A resource vector: cores, GiB, GiB, Gbps.</summary>
internal sealed record JsonVector(double CpuCores, double MemoryGiB, double StorageGiB, double NetworkGbps);

/// <summary>One policy's metrics; shares are fractions in [0, 1], costs in the catalog's currency.</summary>
internal sealed record JsonPolicy(
    string Name,
    double TotalCost,
    double? CostVsBaseline,
    double AverageSlack,
    double UnderProvisionedShare,
    double WorstShortfall,
    double ShapeSwitchesPerReplicaDay,
    double? ForecastCoverage,
    double ReplicaHours,
    double MeanReplicas,
    int Intervals);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(JsonReport))]
internal sealed partial class JsonReportContext : JsonSerializerContext;
