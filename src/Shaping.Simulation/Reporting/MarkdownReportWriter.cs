using System.Globalization;
using System.Text;

namespace Shaping.Simulation.Reporting;

/// <summary>Writes backtest results as a markdown table, one row per policy, side by side.</summary>
public static class MarkdownReportWriter
{
    /// <summary>Formats a table of results of policies run on the same series.</summary>
    /// <param name="title">A heading, such as the trace name; <see langword="null"/> for none.</param>
    /// <param name="results">The results, one row each, in the given order.</param>
    /// <param name="baselinePolicy">A policy name to express every cost relative to; <see langword="null"/> for none.</param>
    /// <returns>The markdown text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="results"/> is <see langword="null"/>.</exception>
    public static string Format(string? title, IEnumerable<BacktestResult> results, string? baselinePolicy = null)
    {
        ArgumentNullException.ThrowIfNull(results);
        var rows = results.ToList();
        var baseline = baselinePolicy is null ? null : rows.Find(r => r.Policy == baselinePolicy);
        var text = new StringBuilder();
        if (!string.IsNullOrWhiteSpace(title))
        {
            text.Append("### ").AppendLine(title).AppendLine();
        }

        text.Append("| policy | total cost | ");
        if (baseline is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"cost vs {baseline.Policy} | ");
        }

        text.AppendLine("avg slack | time under-provisioned | worst shortfall | switches / replica-day | mean replicas | forecast coverage |");
        text.Append("|---|---:|");
        if (baseline is not null)
        {
            text.Append("---:|");
        }

        text.AppendLine("---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            var m = row.Metrics;
            text.Append(CultureInfo.InvariantCulture, $"| {row.Policy} | {m.TotalCost:0.##} | ");
            if (baseline is not null)
            {
                var relative = baseline.Metrics.TotalCost > 0 ? m.TotalCost / baseline.Metrics.TotalCost : double.NaN;
                text.Append(CultureInfo.InvariantCulture, $"{relative:0.###}× | ");
            }

            var coverage = double.IsNaN(m.ForecastCoverage) ? "n/a" : m.ForecastCoverage.ToString("P1", CultureInfo.InvariantCulture);
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{m.AverageSlack:P1} | {m.UnderProvisionedShare:P2} | {m.WorstShortfall:P1} | {m.ShapeSwitchesPerReplicaDay:0.###} | {m.MeanReplicas:0.##} | {coverage} |");
        }

        return text.ToString();
    }

    /// <summary>Writes a table of results to a writer.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="title">A heading; <see langword="null"/> for none.</param>
    /// <param name="results">The results.</param>
    /// <param name="baselinePolicy">A policy name to express every cost relative to; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> or <paramref name="results"/> is <see langword="null"/>.</exception>
    public static void Write(TextWriter writer, string? title, IEnumerable<BacktestResult> results, string? baselinePolicy = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(Format(title, results, baselinePolicy));
    }
}
