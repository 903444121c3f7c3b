using System.Globalization;
using System.Text;
using Shaping.Simulation;
using Shaping.Simulation.Policies;
using Shaping.Simulation.Reporting;

namespace Shaping.Samples.Simulator;

/// <summary>The markdown report the simulator writes next to the plot: inputs, the table, the plot, the definitions.</summary>
internal static class MarkdownReport
{
    /// <summary>Formats the report; <paramref name="plotFile"/> is the plot's file name relative to the report, if one was written.</summary>
    public static string Format(
        TraceInput input, string catalogSource, int catalogCount, IReadOnlyList<IProvisioningPolicy> policies,
        IReadOnlyList<BacktestResult> results, string baseline, string? plotFile, int vpaReplicas)
    {
        var trace = input.Trace;
        var text = new StringBuilder();
        text.AppendLine("# Shaping backtest simulator report").AppendLine();
        var demand = input.Demand;
        text.AppendLine(CultureInfo.InvariantCulture, $"- Trace: {input.Source}, {input.Window}: {demand.Length} intervals of {demand.Step.TotalMinutes:0.##} min from {demand.Start:u}. The file has {trace.Length} intervals, {trace.Stats.GapSlots} of them gaps (filled with the previous value), and {trace.Stats.MergedSamples} samples merged into a shared interval{(trace.Stats.MissingSamples > 0 ? $"; {trace.Stats.MissingSamples} rows had a missing value and were read as gaps (--missing-cells gap)" : string.Empty)}.");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Demand model: {input.DemandModel}. Peak demand: {demand.Peak.ToString(SimulateCommand.PeakFormat, CultureInfo.InvariantCulture)}.");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Catalog: {catalogSource} ({catalogCount} shapes).");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Policies, in order: {string.Join(", ", policies.Select(p => p.Name))}. The VPA-like policy runs {vpaReplicas} replica(s), the fewest for which the trace's peak + 15 % fits the catalog's largest shape.");
        if (input.Attribution is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {input.Attribution}");
        }

        text.AppendLine();
        text.Append(MarkdownReportWriter.Format("Results", results, baseline));
        text.AppendLine();
        if (plotFile is not null)
        {
            text.AppendLine("### Demand against provisioned capacity (CPU)").AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"![CPU demand against provisioned capacity, one panel per policy]({plotFile})").AppendLine();
        }

        text.AppendLine("### Definitions").AppendLine();
        text.AppendLine("Each interval, a policy decides a shape and a replica count seeing only the demand before the interval; the decision holds for the whole interval (no start-up delay).");
        text.AppendLine("- **total cost**: Σ replicas × shape price per hour × interval hours, in the catalog's currency.");
        text.AppendLine("- **avg slack**: mean over intervals and demanded dimensions of (provisioned − used) / provisioned.");
        text.AppendLine("- **time under-provisioned**: share of intervals where demand exceeded capacity in some dimension.");
        text.AppendLine("- **worst shortfall**: the largest (demand − capacity) / demand over intervals and dimensions.");
        text.AppendLine("- **switches / replica-day**: replicas moved to a different shape, per replica-day run.");
        text.AppendLine("- **forecast coverage**: share of intervals whose demand fell inside the policy's forecast interval (n/a for policies that do not forecast).");
        return text.ToString();
    }
}
