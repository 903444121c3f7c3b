using System.Globalization;
using System.Text;
using Shaping.Simulation;

namespace Shaping.Samples.Simulator;

/// <summary>Formats backtest results side by side as a fixed-width text table, one row per policy.</summary>
internal static class ConsoleTable
{
    private static readonly string[] Headers =
    [
        "policy", "total cost", "cost vs {0}", "avg slack", "time under", "worst shortfall", "switches/replica-day", "mean replicas", "forecast coverage",
    ];

    /// <summary>Formats the table; the cost ratio column is relative to <paramref name="baselinePolicy"/> when it is among the results.</summary>
    public static string Format(IReadOnlyList<BacktestResult> results, string baselinePolicy)
    {
        ArgumentNullException.ThrowIfNull(results);
        var baseline = results.FirstOrDefault(r => r.Policy == baselinePolicy);
        var rows = new List<string[]>
        {
            Headers.Select(h => string.Format(CultureInfo.InvariantCulture, h, baselinePolicy)).ToArray(),
        };
        foreach (var result in results)
        {
            var m = result.Metrics;
            var ratio = baseline is null || baseline.Metrics.TotalCost <= 0 ? "n/a" : Invariant($"{m.TotalCost / baseline.Metrics.TotalCost:0.000}x");
            rows.Add(
            [
                result.Policy,
                Invariant($"{m.TotalCost:0.00}"),
                ratio,
                Invariant($"{m.AverageSlack:P1}"),
                Invariant($"{m.UnderProvisionedShare:P2}"),
                Invariant($"{m.WorstShortfall:P1}"),
                Invariant($"{m.ShapeSwitchesPerReplicaDay:0.000}"),
                Invariant($"{m.MeanReplicas:0.00}"),
                double.IsNaN(m.ForecastCoverage) ? "n/a" : Invariant($"{m.ForecastCoverage:P1}"),
            ]);
        }

        var widths = Enumerable.Range(0, Headers.Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        for (var r = 0; r < rows.Count; r++)
        {
            for (var c = 0; c < widths.Length; c++)
            {
                // The policy name is left-aligned, the numbers right-aligned.
                var cell = c == 0 ? rows[r][c].PadRight(widths[c]) : rows[r][c].PadLeft(widths[c]);
                text.Append(c == 0 ? string.Empty : "  ").Append(cell);
            }

            text.AppendLine();
            if (r == 0)
            {
                text.AppendLine(new string('-', widths.Sum() + (2 * (widths.Length - 1))));
            }
        }

        return text.ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
