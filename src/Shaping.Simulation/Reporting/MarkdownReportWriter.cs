using System.Globalization;
using System.Text;

namespace Shaping.Simulation.Reporting;

/// <summary>Writes backtest results as a markdown table, one row per policy, side by side.</summary>
public static class MarkdownReportWriter
{
    /// <summary>Formats a table of results of policies run on the same series.</summary>
    /// <param name="title">A heading, such as the trace name; <see langword="null"/> for none. Line breaks become spaces.</param>
    /// <param name="results">The results, one row each, in the given order.</param>
    /// <param name="baselinePolicy">
    /// A policy name, one of the results', to express every cost relative to; <see langword="null"/> for none. The ratio
    /// reads n/a when the baseline's total cost is 0.
    /// </param>
    /// <returns>
    /// The markdown text. In policy names, <c>|</c> is escaped as <c>\|</c> and line breaks become spaces, so a row
    /// stays one row of the table's cells.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="results"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="baselinePolicy"/> is not the policy of any result.</exception>
    public static string Format(string? title, IEnumerable<BacktestResult> results, string? baselinePolicy = null)
    {
        ArgumentNullException.ThrowIfNull(results);
        var rows = results.ToList();
        var baseline = baselinePolicy is null ? null : rows.Find(r => r.Policy == baselinePolicy)
            ?? throw new ArgumentException(
                $"The baseline policy '{baselinePolicy}' is not among the results (policies: {string.Join(", ", rows.Select(r => r.Policy))}).",
                nameof(baselinePolicy));
        var text = new StringBuilder();
        if (!string.IsNullOrWhiteSpace(title))
        {
            // A line break would end the heading and start a paragraph (or a table row) with the rest.
            text.Append("### ").AppendLine(title.ReplaceLineEndings(" ")).AppendLine();
        }

        text.Append("| policy | total cost | ");
        if (baseline is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"cost vs {Cell(baseline.Policy)} | ");
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
            text.Append(CultureInfo.InvariantCulture, $"| {Cell(row.Policy)} | {m.TotalCost:0.##} | ");
            if (baseline is not null)
            {
                text.Append(baseline.Metrics.TotalCost > 0
                    ? string.Create(CultureInfo.InvariantCulture, $"{m.TotalCost / baseline.Metrics.TotalCost:0.###}× | ")
                    : "n/a | ");
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
    /// <exception cref="ArgumentException"><paramref name="baselinePolicy"/> is not the policy of any result.</exception>
    public static void Write(TextWriter writer, string? title, IEnumerable<BacktestResult> results, string? baselinePolicy = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(Format(title, results, baselinePolicy));
    }

    /// <summary>Text as one table cell: a pipe would end the cell and a line break the row.</summary>
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
}
