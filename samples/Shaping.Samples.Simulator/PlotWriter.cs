using System.Globalization;
using ScottPlot;
using Shaping.Core.Resources;
using Shaping.Simulation;

namespace Shaping.Samples.Simulator;

/// <summary>
/// Draws demand against provisioned capacity over time, one row per policy: the whole trace on the left and a
/// 7-day close-up on the right (the week in which the policies were short most often), with the intervals in
/// which a policy was short shaded red. Saves it as a PNG.
/// </summary>
internal static class PlotWriter
{
    private const int Width = 2000;
    private const int RowHeight = 340;
    private static readonly TimeSpan ZoomWindow = TimeSpan.FromDays(7);

    /// <summary>
    /// The earliest start the plot's date axis can show: it counts in OLE Automation dates, which begin at 0100-01-01
    /// (.NET refuses an earlier date with an <see cref="OverflowException"/>, or reads one within the first day of year 1 as 1899).
    /// </summary>
    internal static readonly DateTimeOffset EarliestStart = new(100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Why a series starting at <paramref name="start"/> cannot be plotted, or <see langword="null"/> when it can.</summary>
    internal static string? CannotPlot(DateTimeOffset start) => start < EarliestStart
        ? string.Create(CultureInfo.InvariantCulture, $"the trace starts at {start:yyyy-MM-dd HH:mm:ss}, before the plot's date axis begins (year 100), so no plot is drawn; the report and the JSON are written")
        : null;

    /// <summary>Writes the plot of one dimension (CPU by default) to <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException">There are no results, or they start before <see cref="EarliestStart"/>.</exception>
    public static void Write(
        string path, string traceName, IReadOnlyList<BacktestResult> results, string baselinePolicy, Dimension dimension = Dimension.Cpu)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count == 0)
        {
            throw new ArgumentException("There is nothing to plot.", nameof(results));
        }

        var steps = results[0].Steps;
        if (CannotPlot(steps[0].Time) is { } reason)
        {
            throw new ArgumentException(reason, nameof(results));
        }

        var (label, unit) = Describe(dimension);
        var start = steps[0].Time.UtcDateTime.ToOADate();
        var period = results[0].Step.TotalDays;
        var xs = new double[steps.Length];
        var demand = new double[steps.Length];
        for (var t = 0; t < steps.Length; t++)
        {
            xs[t] = start + (t * period);
            demand[t] = steps[t].Demand[dimension];
        }

        var (zoomFrom, zoomTo, zoomReason) = ZoomRange(results);
        var yMax = results.Max(r => r.Steps.Max(s => Math.Max(s.Demand[dimension], s.Provisioned[dimension])));
        var zoomMax = results.Max(r => Enumerable.Range(zoomFrom, zoomTo - zoomFrom)
            .Max(t => Math.Max(r.Steps[t].Demand[dimension], r.Steps[t].Provisioned[dimension])));
        var baselineCost = results.FirstOrDefault(r => r.Policy == baselinePolicy)?.Metrics.TotalCost;
        var palette = new ScottPlot.Palettes.Category10();

        var multiplot = new Multiplot();
        multiplot.AddPlots(results.Count * 2);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(results.Count, 2);
        var plots = multiplot.GetPlots();
        for (var i = 0; i < results.Count; i++)
        {
            var result = results[i];
            var provisioned = result.Steps.Select(s => s.Provisioned[dimension]).ToArray();
            var m = result.Metrics;
            var versus = baselineCost is > 0 && result.Policy != baselinePolicy
                ? string.Create(CultureInfo.InvariantCulture, $" = {m.TotalCost / baselineCost.Value:0.00}x {baselinePolicy}")
                : string.Empty;
            var heading = string.Create(
                CultureInfo.InvariantCulture,
                $"{result.Policy}: cost {m.TotalCost:0}{versus}; short {m.UnderProvisionedShare:P2} of the time (worst {m.WorstShortfall:P0}); avg slack {m.AverageSlack:P0}");
            var overview = plots[2 * i];
            var zoom = plots[(2 * i) + 1];
            Draw(overview, xs, demand, provisioned, palette.GetColor(i), result.Policy, unit);
            Draw(zoom, xs[zoomFrom..zoomTo], demand[zoomFrom..zoomTo], provisioned[zoomFrom..zoomTo], palette.GetColor(i), result.Policy, unit);

            overview.Title(i == 0 ? $"{label} demand vs provisioned capacity, whole replay: {traceName}\n{heading}" : heading, size: 15);
            zoom.Title(string.Create(
                CultureInfo.InvariantCulture,
                $"{(i == 0 ? $"close-up: {DateTime.FromOADate(xs[zoomFrom]):yyyy-MM-dd} to {DateTime.FromOADate(xs[zoomTo - 1]):yyyy-MM-dd} ({zoomReason})\n" : string.Empty)}{result.Policy}"), size: 15);
            foreach (var (plot, limit, from, to) in new[] { (overview, yMax, 0, xs.Length), (zoom, zoomMax, zoomFrom, zoomTo) })
            {
                plot.YLabel($"{label} ({unit})");
                plot.XLabel(i == results.Count - 1 ? "time (UTC, as recorded in the trace)" : string.Empty);
                plot.Axes.DateTimeTicksBottom();
                plot.Axes.SetLimits(xs[from], xs[to - 1] + period, 0, limit * 1.12);
                plot.ShowLegend(Alignment.UpperLeft);
            }

            // Only the left column carries a legend; the right one has the same series.
            zoom.HideLegend();
        }

        multiplot.SavePng(path, Width, (RowHeight * results.Count) + 40);
    }

    /// <summary>
    /// The close-up: the 7-day window with the most under-provisioned intervals summed over the policies, or the
    /// last 7 days when no policy was ever short (or the trace is shorter than that, the whole trace).
    /// </summary>
    internal static (int From, int To, string Reason) ZoomRange(IReadOnlyList<BacktestResult> results)
    {
        var steps = results[0].Steps;
        var window = (int)Math.Clamp(Math.Round(ZoomWindow / results[0].Step), Math.Min(2, steps.Length), steps.Length);
        var shortCount = new int[steps.Length];
        foreach (var result in results)
        {
            for (var t = 0; t < steps.Length; t++)
            {
                if (IsShort(result.Steps[t]))
                {
                    shortCount[t]++;
                }
            }
        }

        var sum = shortCount.Take(window).Sum();
        var best = sum;
        var bestFrom = 0;
        for (var from = 1; from + window <= steps.Length; from++)
        {
            sum += shortCount[from + window - 1] - shortCount[from - 1];
            if (sum > best)
            {
                best = sum;
                bestFrom = from;
            }
        }

        if (best == 0)
        {
            return (steps.Length - window, steps.Length, "the last 7 days; no policy was short");
        }

        // Centre the close-up on the short intervals of that week, so that none sits on its edge.
        double weighted = 0;
        for (var t = bestFrom; t < bestFrom + window; t++)
        {
            weighted += (double)t * shortCount[t];
        }

        var centre = (int)Math.Round(weighted / best);
        var start = Math.Clamp(centre - (window / 2), 0, steps.Length - window);
        return (start, start + window, "the week with the most under-provisioning");
    }

    // Short as the simulator's metrics count it (BacktestSimulator's tolerance): the close-up and the shading must not
    // find under-provisioning in rounding noise that the table reports as 0.00 %.
    private static bool IsShort(BacktestStep step)
    {
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            if (IsShort(step.Demand[(Dimension)d], step.Provisioned[(Dimension)d]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsShort(double demand, double provisioned) => demand > (provisioned * (1 + ShortTolerance)) + ShortTolerance;

    private const double ShortTolerance = 1e-9;

    private static void Draw(Plot plot, double[] xs, double[] demand, double[] provisioned, Color color, string policy, string unit)
    {
        // Shade every run of intervals in which demand exceeded capacity, at least 0.3 % of the panel wide so that a
        // single short interval stays visible on a 200-day axis.
        var step = xs.Length > 1 ? xs[1] - xs[0] : 1;
        var minimumWidth = (xs[^1] - xs[0] + step) * 0.003;
        var labelled = false;
        for (var t = 0; t < xs.Length; t++)
        {
            if (!IsShort(demand[t], provisioned[t]))
            {
                continue;
            }

            var end = t;
            while (end + 1 < xs.Length && IsShort(demand[end + 1], provisioned[end + 1]))
            {
                end++;
            }

            var x1 = xs[t];
            var x2 = Math.Max(xs[end] + step, x1 + minimumWidth);
            var span = plot.Add.HorizontalSpan(x1, x2, Colors.Red.WithAlpha(0.3));
            span.LineWidth = 0;
            span.LegendText = labelled ? string.Empty : "intervals short of capacity";
            labelled = true;
            t = end;
        }

        var demandLine = plot.Add.Scatter(xs, demand, Colors.DimGray);
        demandLine.MarkerSize = 0;
        demandLine.LineWidth = 1;
        demandLine.LegendText = $"demand ({unit})";

        var capacity = plot.Add.Scatter(xs, provisioned, color);
        capacity.ConnectStyle = ConnectStyle.StepHorizontal;
        capacity.MarkerSize = 0;
        capacity.LineWidth = 2;
        capacity.LegendText = $"provisioned by {policy} ({unit})";
    }

    private static (string Label, string Unit) Describe(Dimension dimension) => dimension switch
    {
        Dimension.Cpu => ("CPU", "cores"),
        Dimension.Memory => ("Memory", "GiB"),
        Dimension.Storage => ("Storage", "GiB"),
        _ => ("Network", "Gbps"),
    };
}
