using System.Diagnostics;
using System.Globalization;
using System.Text;
using Shaping.Core.Resources;
using Shaping.Core.Shapes;
using Shaping.Simulation;
using Shaping.Simulation.Catalogs;
using Shaping.Simulation.Demand;
using Shaping.Simulation.Policies;
using Shaping.Simulation.Reporting;
using Shaping.Simulation.Traces;

namespace Shaping.Accuracy.Backtest;

/// <summary>
/// The <c>backtest</c> command: runs static peak, HPA-like, VPA-like and predictive shaping on every trace of a
/// folder laid out as ../shared/data/traces, checks the predictive target on the daily-cycle traces, reports the
/// shape-synthesis saving, and writes docs/backtest.md.
/// </summary>
internal static class BacktestCommand
{
    private const double TargetRatio = 0.8;

    public static int Run(DirectoryInfo data, FileInfo? catalogFile, FileInfo? output, string? only, IReadOnlyList<string> arguments)
    {
        if (!data.Exists)
        {
            Console.Error.WriteLine($"error: --data folder '{data.FullName}' does not exist.");
            return 2;
        }

        var root = RepositoryRoot();
        var catalogPath = catalogFile?.FullName ?? Path.Combine(root, "samples", "Shaping.Samples.Simulator", "default-catalog.json");
        if (!File.Exists(catalogPath))
        {
            Console.Error.WriteLine($"error: catalog '{catalogPath}' not found; pass --catalog.");
            return 2;
        }

        ShapeCatalog catalog;
        try
        {
            // The simulator's loader, so a catalog one accepts the other accepts too.
            catalog = ShapeCatalogJson.Load(catalogPath);
        }
        catch (Exception exception) when (exception is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: --catalog: {exception.Message}");
            return 2;
        }

        var hpaShape = HpaShape(catalog);
        var largest = catalog.Shapes.Aggregate(ResourceVector.Zero, (acc, s) => ResourceVector.Max(acc, s.Capacity));
        var simulator = new BacktestSimulator(catalog);
        var sections = new StringBuilder();
        var summary = new List<string>();
        var failures = 0;
        var ran = 0;
        foreach (var setup in TraceSetup.All)
        {
            if (only is not null && !setup.Path.Contains(only, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var path = Path.Combine(data.FullName, setup.Path);
            if (!File.Exists(path))
            {
                Console.Error.WriteLine($"skip {setup.Path}: not found");
                continue;
            }

            ran++;
            var trace = CsvTraceReader.ReadFile(path, setup.Options);
            var demand = setup.Model.Map(trace);
            var replicas = VpaReplicas(demand, largest);
            var dearest = catalog.Shapes[^1];

            // The replica cap follows the trace's peak, as in the simulator (PolicyLineup), instead of a silent 256.
            var maxReplicas = ReplicaSizing.PredictiveMaxReplicas(catalog, demand.Peak);
            if (!ReplicaSizing.CoversPeak(catalog, demand.Peak, maxReplicas))
            {
                Console.Error.WriteLine(
                    $"warning: {setup.Path}: the peak ({demand.Peak}) needs more than {maxReplicas} replicas of any catalog shape (PredictiveShapingOptions.MaxReplicasLimit); predictive shaping will be short at the peak.");
            }

            // A utilisation metric cannot exceed its machine: every policy that adds a margin is told so (the VPA-like
            // ones as maxAllowed per replica, the HPA-like one as maxReplicas), the same knowledge for each.
            var ceiling = (setup.Model as UtilizationDemandModel)?.FullScaleDemand;
            var maxAllowed = ceiling?.Scale(1.0 / replicas);
            var hpaMaxReplicas = ReplicaSizing.ThresholdMaxReplicas(catalog.Shapes.Single(s => s.Name == hpaShape), ceiling);
            var predictive = new PredictiveShapingPolicy(
                new PredictiveShapingOptions { MaxReplicas = maxReplicas, DemandCeiling = ceiling }, initialCapacity: dearest.Capacity.Scale(replicas));
            var trailingDay = new TrailingPeakPolicy(TimeSpan.FromDays(1), margin: 0.1, ceiling: ceiling);

            // A reference row, not the target's baseline: the VPA-like policy aggregating as Kubernetes' recommender
            // does, memory as one peak per 24 h and CPU samples weighted by the request in force.
            var vpaKubernetes = new PercentileRecommenderPolicy(
                replicas: replicas, memoryPeakInterval: TimeSpan.FromDays(1), weightCpuByRequest: true, maxAllowed: maxAllowed)
            {
                Name = "vpa-like, Kubernetes aggregation",
            };
            var results = new List<BacktestResult>();
            var times = new Dictionary<string, TimeSpan>();
            foreach (IProvisioningPolicy policy in (IProvisioningPolicy[])[
                StaticPeakPolicy.Oracle(demand),
                new ThresholdScalingPolicy(hpaShape, targetUtilization: 0.7, maxReplicas: hpaMaxReplicas),
                new PercentileRecommenderPolicy(replicas: replicas, maxAllowed: maxAllowed),
                vpaKubernetes,
                trailingDay,
                new TrailingPeakPolicy(TimeSpan.FromDays(7), margin: 0.1, ceiling: ceiling),
                predictive])
            {
                var started = Stopwatch.GetTimestamp();
                results.Add(simulator.Run(demand, policy));
                times[policy.Name] = Stopwatch.GetElapsedTime(started);
            }

            var boundNote = "";
            if (setup.BoundRegimes is { } regimes)
            {
                var bound = new BurstStartBound(demand, TimeSpan.FromHours(1), regimes);
                results.Add(simulator.Run(demand, bound));
                boundNote = BoundNote(bound, demand);
            }

            var dump = Environment.GetEnvironmentVariable("SHAPING_BACKTEST_DUMP");
            if (!string.IsNullOrEmpty(dump))
            {
                // Debugging aid: every interval of the predictive and VPA-like runs as CSV.
                var lines = new List<string> { "t,demand_cpu,demand_mem,pred_cpu,pred_mem,pred_shape,pred_replicas,vpa_cpu" };
                var p = results.Single(r => r.Policy == predictive.Name).Steps;
                var v = results.Single(r => r.Policy == "vpa-like").Steps;
                for (var i = 0; i < p.Length; i++)
                {
                    lines.Add(string.Create(CultureInfo.InvariantCulture,
                        $"{i},{p[i].Demand.CpuCores:0.####},{p[i].Demand.MemoryGiB:0.####},{p[i].Provisioned.CpuCores:0.####},{p[i].Provisioned.MemoryGiB:0.####},{p[i].ShapeName},{p[i].Replicas},{v[i].Provisioned.CpuCores:0.####}"));
                }

                File.WriteAllLines(Path.Combine(dump, Path.GetFileNameWithoutExtension(setup.Path) + ".csv"), lines);
            }

            var vpa = results.Single(r => r.Policy == "vpa-like").Metrics;
            var trailing = results.Single(r => r.Policy == trailingDay.Name).Metrics;
            var kubernetes = results.Single(r => r.Policy == vpaKubernetes.Name).Metrics;
            var pred = results.Single(r => r.Policy == predictive.Name).Metrics;
            var ratio = pred.TotalCost / vpa.TotalCost;
            var underOk = pred.UnderProvisionedShare <= vpa.UnderProvisionedShare;
            var pass = ratio <= TargetRatio && underOk;
            string verdict;
            if (setup.DailyCycle)
            {
                verdict = pass ? "PASS" : "FAIL";
                failures += pass ? 0 : 1;
            }
            else
            {
                verdict = pass ? "meets it (not required)" : "misses it (not required)";
            }

            var title = string.Create(CultureInfo.InvariantCulture,
                $"{setup.Path} ({(setup.DailyCycle ? "daily cycle" : "no daily cycle")}; {trace.Length} intervals of {trace.Step.TotalMinutes:0.#} min; peak {demand.Peak:G6}; VPA-like replicas {replicas}; predictive ran in {times[predictive.Name].TotalSeconds:0.0} s)");
            sections.Append(MarkdownReportWriter.Format(title, results, "vpa-like"));
            sections.AppendLine().AppendLine(CultureInfo.InvariantCulture,
                $"Target (cost ≤ {TargetRatio:0.0} × VPA-like, time under-provisioned ≤ VPA-like's): predictive costs {ratio:0.###} × VPA-like ({pred.TotalCost:0.##} vs {vpa.TotalCost:0.##}), under-provisioned {pred.UnderProvisionedShare:P2} vs {vpa.UnderProvisionedShare:P2}: **{verdict}**.");
            if (boundNote.Length > 0)
            {
                sections.AppendLine().AppendLine(boundNote);
            }

            var synthesis = Synthesis(demand, replicas, catalog);
            sections.AppendLine().AppendLine(synthesis).AppendLine();
            summary.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {setup.Path} | {(setup.DailyCycle ? "yes" : "no")} | {pred.TotalCost:0.##} | {vpa.TotalCost:0.##} | {ratio:0.###} | {pred.UnderProvisionedShare:P2} | {vpa.UnderProvisionedShare:P2} | {pred.WorstShortfall:P1} | {(double.IsNaN(pred.ForecastCoverage) ? "n/a" : pred.ForecastCoverage.ToString("P1", CultureInfo.InvariantCulture))} | {verdict} | {trailing.TotalCost / vpa.TotalCost:0.###}, {trailing.UnderProvisionedShare:P2} | {pred.TotalCost / kubernetes.TotalCost:0.###}, {kubernetes.UnderProvisionedShare:P2} |"));
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{setup.Path}: predictive {ratio:0.###} × VPA-like, under {pred.UnderProvisionedShare:P2} vs {vpa.UnderProvisionedShare:P2}, worst {pred.WorstShortfall:P1}, switches {pred.ShapeSwitchesPerReplicaDay:0.###}, coverage {pred.ForecastCoverage:P1}, {times[predictive.Name].TotalSeconds:0.0} s: {verdict}"));
        }

        if (ran == 0)
        {
            // Nothing ran: do not overwrite the report with an empty one.
            Console.Error.WriteLine(only is null
                ? $"error: --data folder '{data.FullName}' holds none of the traces ({string.Join(", ", TraceSetup.All.Select(t => t.Path))}); nothing written."
                : $"error: no trace found for --only '{only}' in --data folder '{data.FullName}' (traces: {string.Join(", ", TraceSetup.All.Select(t => t.Path))}); nothing written.");
            return 2;
        }

        var report = Compose(catalogPath, root, hpaShape, summary, sections.ToString(), arguments);
        var outPath = output?.FullName ?? Path.Combine(root, "docs", "backtest.md");
        Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
        File.WriteAllText(outPath, report);
        Console.WriteLine(report);
        Console.Error.WriteLine($"wrote {outPath}");
        return failures == 0 ? 0 : 1;
    }

    private static string Compose(string catalogPath, string root, string hpaShape, List<string> summary, string sections, IReadOnlyList<string> arguments)
    {
        var text = new StringBuilder();
        var catalogShown = Path.GetRelativePath(root, catalogPath);
        text.AppendLine("# Backtest: predictive shaping against static, HPA-like and VPA-like provisioning").AppendLine();
        text.AppendLine("Written by the accuracy console's `backtest` command. Reproduce from the repository root with:").AppendLine();
        text.AppendLine("```")
            .AppendLine(("dotnet run -c Release --project benchmarks/Shaping.Accuracy -- backtest " + string.Join(' ', arguments.Skip(1))).TrimEnd())
            .AppendLine("```").AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Catalog: `{catalogShown}`. Demand models: `benchmarks/Shaping.Accuracy/Backtest/TraceSetup.cs` (unchanged from the simulation work). ");
        text.AppendLine("Policies: **static-peak (oracle)** sized for the whole trace's peak (it knows the future); **hpa-like** on " + hpaShape + ", target 70 %, tolerance 0.1, scale-down stabilisation 300 s; **vpa-like** P90 + 15 % over a decaying histogram (24 h half-life), replica count fixed per trace so that the oracle peak + 15 % fits the catalog's largest shape, every interval one sample per dimension with weight 1 (the target's baseline); **vpa-like, Kubernetes aggregation** (a reference row, not the target's baseline: the same recommender aggregating as Kubernetes' VPA recommender does, memory as one peak per 24 h and CPU samples weighted by the request in force, at least 0.1 core; see the notes); **trailing-peak** (two reference rows, not contenders: the cheapest cover of the highest demand of the last 1 or 7 days + 10 %, the simplest rule that sees only the past; they show what capacity a past-only policy must hold to be short almost never); on the ASG trace only, **bound: foresight except burst starts** (a reference that reads the whole trace; see its note); **predictive** (`PredictiveShapingPolicy` with its default options, the same for every trace, except a replica cap sized to the trace's peak (`ReplicaSizing.PredictiveMaxReplicas`: enough replicas for any catalog shape to cover the peak + 50 %, at least the default 256); it starts from the same capacity as the VPA-like policy, the dearest shape × the VPA-like replica count, and then sees only the past). On the utilisation traces (the NAB CPU traces and the Google aggregate) every policy that adds a margin knows that demand cannot exceed the machine the metric is a share of (`UtilizationDemandModel.FullScaleDemand`): the HPA-like row as the HPA's `maxReplicas`, the replicas of its shape that hold the machine; the VPA-like rows as the VPA's `maxAllowed`, the machine ÷ the replica count; the trailing-peak rows and predictive shaping as a ceiling on what they ask for (`PredictiveShapingOptions.DemandCeiling`).").AppendLine();
        text.AppendLine("The must-show target (issue #6): on every trace with a daily cycle, predictive cost ≤ 0.8 × VPA-like with a share of time under-provisioned no higher than VPA-like's. On the traces without a daily cycle the result is reported, not required.").AppendLine();
        text.AppendLine("## Summary").AppendLine();
        text.AppendLine("| trace | daily cycle | predictive cost | VPA-like cost | ratio | predictive under-provisioned | VPA-like under-provisioned | predictive worst shortfall | forecast coverage | target | reference: trailing-peak (1 d, +10 %) ratio, under-provisioned | reference: predictive ÷ VPA-like with Kubernetes' aggregation, its under-provisioned |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|");
        foreach (var row in summary)
        {
            text.AppendLine(row);
        }

        text.AppendLine().AppendLine("## Notes").AppendLine();
        text.AppendLine(Notes);
        text.AppendLine().AppendLine("## Per trace").AppendLine();
        text.AppendLine("Costs in catalog currency over the whole trace. Slack = unused share of provisioned capacity; switches count replicas that changed shape, per replica-day; forecast coverage = share of intervals (after warm-up) whose demand fell inside the policy's stated interval in every dimension: the forecast base (bucket-peak forecast × the step's share of the peak) times the 5 % and the calibrated upper quantile of recent demand ÷ base ratios at that step position (the upper one capped at the last day's peak + the learned cap margin, at most 25 %). Predictive shaping is designed to over-cover (its floor and headroom add to the upper bound), so coverage is informative, not a target.").AppendLine();
        text.Append(sections);
        return text.ToString();
    }

    // Analysis of the results, written by hand from the traces themselves (the numbers in it were computed on the raw
    // series, in percent of the 16-core machine, not through the catalog).
    private const string Notes = """
        - **One configuration.** Every trace runs `PredictiveShapingPolicy` with its default options (only the first interval's starting capacity is given, the same as the VPA-like policy's) (forecast quantile 0.99, floor margin at most 15 % (the 99 % quantile of recent one-step rises when smaller; after a rise from non-zero demand that beats the step profile's expectation by over 15 %, the same rise once more up to the last week's peak), headroom 5 %, cap at the last day's peak + the 99 % quantile of how far the week's hourly peaks rose above the day before them, or the same hour's rise a week before if larger (at most 25 %), down band 0.9 for 10 min, lead time 15 min, weekly refits of a validated selection between seasonal naive and AutoEts at a day, joined by seasonal naive at a week once it can be validated, on hourly peaks; conformal ratios calibrated apart for low and high forecast bases; a warm-up margin that follows the one-step rises seen, at most 25 %). The defaults were chosen on these traces (that is the tuning a reader should discount for); no trace gets its own setting and the policy never sees a later interval.
        - **Why predictive shaping is cheaper.** It changes the replica count every few intervals along the daily cycle and lets the selector pick shape and count together (for example 51 g-micro replicas instead of 2 × g-xlarge), so it follows demand at fine granularity; the VPA-like policy keeps a fixed replica count and can only step between catalog sizes that double.
        - **`cpu_utilization_asg_misconfiguration` (FAIL).** The VPA-like policy's 0 % is the static peak: its 2 × 8 cores equal the 16-core machine's 100 %, which the trace reaches (its cost, 1001.23, is the oracle static peak's, 1001.17). The trace sits near 30 % with a spike to 65–100 % at the same minute of every hour, whose height changes from day to day (it climbs by about 1.5 cores a day over cycles of about ten days); on about one day in four a burst goes to 73 % and then 100 % at another minute and a time of day that does not repeat; and the last five days are NAB's labelled misconfiguration (values jumping between 20 % and 100 % at random). Predictive shaping costs 0.773 × the VPA-like policy, which meets the cost half of the target, with 17 of 18,050 intervals short (0.09 %), which fails the other half, all in memory (the demand model gives memory the CPU's share of the machine, and the cheapest configurations have 2 GiB per core against the 4 GiB per core demanded): 8 are the first step of a burst, 6 at or just after an hourly spike that came higher than the policy's bound there (by 3–14 %; five in the first two weeks, one on day 23, the day the peak returned to 100 % after two days below 75 %), 2 in the misconfiguration and 1 a 1 % miss (counted before ETS fits became independent of the series' units, on 2026-11-29; the total is the same since, and the demand ceiling below left the same 17 intervals short). The **bound** row measures what the target leaves: told every interval's demand except the 14 bursts' first steps (it reads the whole trace), with no headroom, it must still hold 11.85 cores (47.4 GiB) at every interval to be never short, and costs 0.757 ×. Predictive shaping is within 1.6 points of it on cost; what it lacks is the bound's guard, and holding 47.4 GiB at every interval on top of its own decisions (an offline check on the per-interval dump, with the demand ceiling) costs about 0.86 ×. A past-only policy must also guess each hour's spike height (it holds the last day's peak + headroom, or the machine, where the bound holds the actual 65–100 %), the misconfiguration's start and its own warm-up. The lead time trades cost against short intervals here (measured before that ETS change and the demand ceiling): with 5 minutes (one step; the default is 15) predictive shaping costs 0.755 × but is short in 0.16 % of intervals, with 10 minutes 0.772 × and 0.14 %, because growing ahead of each hourly spike also covers the bursts that start just before it. The trailing-peak rows show the same wall from the other side: holding the last week's peak + 10 % (at most the machine) at every step costs 0.999 × and is still short in 0.01 % of intervals. The memory assumption is not what fails the trace (measured before the demand ceiling): read as CPU only (a 16-core machine with no memory or network demand, the issue's example mapping), predictive shaping costs 0.408 × the VPA-like policy and is still short in 0.09 % of intervals against its 0.00 % (and ec2_53ea38, whose demand is tiny, then costs 1.168 ×), so the CPU traces keep the machine's per-core memory and network. No setting tried reaches both halves of the target, and no past-only rule that would is known to me: zero short intervals here needs a guess of when bursts start.
        - **How faithful the baselines are (audited against Kubernetes' source).** The HPA-like policy computes ceil(replicas × utilisation ÷ target), keeps the count inside the 0.1 tolerance, takes the highest count over the dimensions and applies the 300 s scale-down stabilisation as the HPA controller does; it does not truncate utilisation to a whole percent (doing so makes it 0–1.4 % cheaper) nor model scale-up rate limits (they cannot bind at 5-minute steps). The VPA-like policy has the recommender's histogram (buckets growing by 1.05, 24 h half-life, target P90 × 1.15) but, as the target's baseline, adds every dimension of every interval with weight 1, while Kubernetes' recommender keeps memory as one peak per 24 h and weights CPU samples by the request in force. The reference column "VPA-like with Kubernetes' aggregation" runs that variant: it costs more on worldcup98 (+29.8 %, short 1.07 % against 1.20 %) and rds (+29.5 %), up to 2.2 % more or 0.7 % less elsewhere, and predictive shaping would cost 0.376 × and 0.638 × of it on those two. On ASG it cost 1493.28 before the demand ceiling (two replicas of a 36.8 GiB daily peak need r-xlarge); capped at the machine ÷ 2 (`maxAllowed`) it runs the same 2 × g-xlarge as the plain VPA-like policy (1001.23). The target stays against the plain VPA-like policy, the cheaper and so the stricter baseline; the ASG trace fails against either, on its short intervals (0.09 % against 0.00 %).
        - **What the saving is made of (read this before quoting the ratios).** The trailing-peak (1 d, +10 %) row, a rule with no forecast at all, is still cheaper than predictive shaping on ec2_53ea38 (0.502 × against 0.544 ×: the warm-up's 25 % margin on a 1.7 GiB demand needs a third g-micro replica for two days), the only daily-cycle trace where it is (of the others it is also cheaper on ec2_5f5533, elb and the network trace). Predictive shaping is ahead on nyc_taxi (0.277 × against 0.323 ×, with 0.05 % of intervals short against 0.07 %), worldcup98 (0.488 × against 0.609 ×), the Google aggregate (0.547 × against 0.555 ×, where the rule has intervals short and predictive none), the Azure aggregate (0.569 × against 0.584 ×) and the ASG trace (0.773 × against 0.942 ×, though with more intervals short: 0.09 % against 0.04 %). So a good part of the saving over the VPA-like policy comes from choosing shape and replica count together at fine granularity (many small replicas instead of one or two large ones), which both rules do; the forecasts add to it where demand has a daily and weekly shape, by 14–20 % on nyc_taxi and worldcup98.
        - **Changes on 2026-11-29 and what each is worth.** Each row turns one change off (a temporary switch, not kept), on this report's traces; cost as × VPA-like, with the share of intervals short where it moved. Rows (1)–(6) were measured on 2026-11-29 in the configuration before (7), whose own row is the report before it; all rows were measured before the demand ceiling (next-but-one note), so the ASG and ec2_825cc2 columns read against the baselines of then:

          | turned off | ASG | nyc_taxi | worldcup98 | Google | Azure | ec2_5f5533 | ec2_825cc2 | rds |
          |---|---:|---:|---:|---:|---:|---:|---:|---:|
          | nothing (the report before the ETS change below) | 0.807, 0.09 % | 0.277, 0.05 % | 0.458 | 0.547 | 0.569 | 0.628 | 0.55 | 0.824 |
          | (7) the cap's margin learned from how far hourly peaks rose above the day before them (was: always 25 %) | 0.827, 0.08 % | 0.285, 0.04 % | 0.459 | 0.555 | 0.578 | 0.634 | 0.593 | 0.877 |
          | (1) two-step floor: after a one-step rise that beats the step profile's expectation by over 15 %, the same rise once more, up to the week's peak | 0.822, 0.14 % | 0.285, **0.13 %** | 0.459 | 0.555 | 0.578 | 0.629 | 0.593 | 0.877 |
          | (2) seasonal naive at a week as a third forecast candidate, once 193 hourly buckets can validate it | 0.827 | 0.32, 0.02 % | 0.516 | 0.555 | 0.578 | 0.634 | 0.593 | 0.877 |
          | (3) replica cap that lets every shape cover the peak + 50 % (was: the largest shape) | 0.827 | 0.285 | 0.459 | 0.555 | 0.579 | 0.634 | 0.593 | 0.877 |
          | (4) Mondrian calibration: ratios of forecast bases below half the last day's peak kept apart (a level alone once the week holds the 100 of its ratios a 99 % quantile needs; the other level pooled) | 0.831 | 0.305, 0.03 % | 0.464 | 0.555 | 0.578 | 0.634 | 0.594 | 0.879 |
          | (5) warm-up margin following the one-step rises seen (was: always 25 %) | 0.827 | 0.285 | 0.459 | 0.561 | 0.589 | 0.634 | 0.609 | 0.885 |
          | (6) down band 0.9 (was 0.85) | 0.832 | 0.289 | 0.462 | 0.56 | 0.589 | 0.658 | 0.594 | 0.895 |

          (7) is 0.1–5.3 points cheaper on every trace in the table; on ASG it leaves 2 more intervals short (an hourly spike on day 23 that rose 22 % over the day before, above the 7.5 % margin the week had shown, and one in the misconfiguration), on nyc_taxi 1 more (still below the VPA-like policy's 0.08 %). Learning that margin at the 95 % quantile instead of 99 % (measured before the same hour's rise a week before joined it, which moves no ratio here at three decimals) would save more (ASG 0.783 ×, rds 0.81 ×, worldcup98 0.431 ×) but leaves ASG short in 0.18 % of intervals; taking the week's largest rise (100 %) gives ASG 0.814 × and rds 0.877 ×. Calibrating the ratios by day instead (each day's largest ratio counts once, and the bound is the daily maximum a 99 % quantile of hourly ratios implies, the second largest of seven, so one holiday cannot set it alone) was tried and left out: nyc_taxi 0.271 ×, worldcup98 0.428 ×, Google 0.543 ×, but ASG short in 0.13 % of intervals, because a burst day is one day too (interpolating between the largest and second-largest day instead gave ASG 0.849 ×). Without (1) nyc_taxi would be short more often than the VPA-like policy (0.13 % against 0.08 %) and fail. (3) now changes almost nothing (Azure 0.579 × without it): it mattered while the warm-up held a fixed 25 %, when the Azure warm-up needed more than 256 g-micro replicas and ran larger shapes at up to 1.8 × the memory demanded (0.619 × → 0.598 × then). (4) saves nyc_taxi 2 points and worldcup98 0.5; while a level was calibrated on its own from a dozen samples (its 99 % quantile then being its largest ratio), it cost worldcup98 1.2 points instead, and giving each level its own ring of a week's count of samples (so a level that fills half the day also reaches 100, over two weeks) made nyc_taxi 0.301 × and worldcup98 0.493 ×, so the levels share the week's window. A review of these changes found that the weekly candidate was first validated as plain naive (it falls back to naive on less than a week of training) and deployed as weekly; that a late dimension's 0 → 0 steps counted as rises, leaving it no warm-up margin; and that the two-step floor was eased by the profile; all three are fixed above, with tests. A second review found that the weekly candidate then joined only at the third fit (day 16, not day 9); it now joins once a week + 25 buckets allow validating it on what is left after a week + 1 of training (nyc_taxi 0.287 × → 0.286 ×, nothing else moved). Offering plain naive as a candidate as well was tried (with the down band still at 0.85) and left out: ASG 0.863 × with 0.12 % short, though rds 0.817 ×. Earlier the same day, before these changes, a fixed warm-up margin of 10 % had cost 0.1–6.4 % less on every trace but left a unit test whose late dimension is uniform noise short on its fourth step (change 5 keeps 25 % for jumpy demand like that), and without the 5 % headroom nyc_taxi was short in 0.14 % of intervals.
        - **ETS fits independent of the series' units (2026-11-29, later the same day).** ETS now fits on the history rescaled to mean 1,000 (docs/accuracy.md: AutoEts OWA 0.845 → 0.829 on the 414 M4 hourly series, and the same model at any unit). The policy's validated selection between seasonal naive and AutoEts then chose differently on some traces: ASG 0.807 → 0.806 ×, worldcup98 0.458 → 0.488 ×, rds 0.824 → 0.826 ×; nyc_taxi, ec2_53ea38, Google, Azure and the other non-daily traces are unchanged to three decimals, and no verdict moved. I kept it: a forecast that changes with the unit a metric is reported in is a bug, and the M4 accuracy improved.
        - **A demand ceiling for utilisation traces (2026-11-29, a later session).** A CPU-utilisation metric cannot exceed its machine, so the policies that add a margin are now told so, each the same way a user would configure it: the HPA-like policy gets the HPA's `maxReplicas` (the 4 g-large replicas that hold the 16-core machine), the VPA-like policies the VPA's `maxAllowed` (the machine ÷ the replica count), the trailing-peak rows and predictive shaping a ceiling on what they ask for, headroom included (if demand ever passed it, the highest demand seen would take its place). Effect, all else unchanged: ASG predictive 808.34 → 773.57 (0.806 × → 0.773 ×, the same 17 intervals short), its VPA-like 1002.28 → 1001.23 and the Kubernetes-aggregation row 1493.28 → 1001.23; ec2_825cc2's VPA-like 447.51 → 223.81 and its predictive 246.28 → 221.22 (0.55 × → 0.988 ×); the HPA-like policy costs less on ASG (611.64 → 587.75), ec2_825cc2 (301.56 → 220.13) and rds (70.1 → 70.08), with the same intervals short; nothing else moved (ec2_53ea38, ec2_5f5533, rds and the Google aggregate run far below their machines; nyc_taxi, worldcup98, Azure, elb and the network trace have no ceiling). On ec2_825cc2, which runs at about 90 % of its machine, the VPA-like policy's P90 + 15 % used to take two 16-core replicas for demand that cannot pass 16 cores: it now runs the machine, as the hindsight static peak does (both 1.0 ×), so no policy can save much there.
        - **Traces without a daily cycle.** Reported, not required. Predictive shaping is 17–49 % cheaper on three of them (ec2_5f5533, rds, elb) with 0–0.05 % of intervals under-provisioned (the VPA-like policy has 0 % on two of those three); on `ec2_cpu_utilization_825cc2` it saves 1.2 % (see the note above) and is short in 0.02 % of intervals against 0 %; on `ec2_network_in_257a54` the demand is so small that both policies run the smallest shape and predictive pays slightly more during warm-up.
        """;

    private static string BoundNote(BurstStartBound bound, DemandSeries demand)
    {
        var regimes = string.Join("; ", bound.Regimes.Select(r => string.Create(CultureInfo.InvariantCulture,
            $"from {demand.TimeOf(r.Start):yyyy-MM-dd HH:mm}: {r.BurstStarts} burst starts, guard {r.Guard}")));
        return string.Create(CultureInfo.InvariantCulture,
            $"The \"{bound.Name}\" row is a reference that reads the whole trace: it is told every interval's demand except where a burst starts (a rise of more than {BurstStartBound.Jump:P0} over both the previous interval and the highest demand at the same minute of the hour over the previous day), holds exactly that demand with no headroom, and, to be never short, at least a constant guard per regime, the highest burst start's demand ({regimes}). A policy that sees only the past knows less, so on this trace it cannot expect to be never short for less than this row's cost unless it guesses when bursts start.");
    }

    private static string Synthesis(DemandSeries demand, int replicas, ShapeCatalog catalog)
    {
        // On the per-replica demand the VPA-like replicas see (every n-th interval, at most about 2000).
        var every = Math.Max(1, demand.Length / 2000);
        var perReplica = demand.Values.Where((_, i) => i % every == 0).Select(v => v.Scale(1.0 / replicas)).ToList();
        var synthesis = ShapeSynthesizer.Synthesize(perReplica, new ShapeSynthesisOptions { ShapeCount = 4, Headroom = 0.15 }, catalog);
        return string.Create(CultureInfo.InvariantCulture,
            $"Synthesis (k = 4, headroom 15 %, {perReplica.Count} per-replica demands, price model fitted to the catalog): expected {synthesis.ExpectedCostPerHour:0.###}/h vs T-shirt catalog {synthesis.CatalogExpectedCostPerHour:0.###}/h ({synthesis.CatalogUncoveredDemands} uncovered), saving {synthesis.SavingFraction:P1}; shapes: {string.Join("; ", synthesis.Shapes.Select(s => $"{(synthesis.NewShapes.Contains(s) ? "" : $"{s.Name} (kept) ")}{s.Capacity} at {s.PricePerHour:0.####}/h"))}.");
    }

    private static int VpaReplicas(DemandSeries demand, ResourceVector largest)
    {
        var replicas = 1;
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            var cap = largest[(Dimension)d];
            if (cap > 0)
            {
                replicas = Math.Max(replicas, (int)Math.Ceiling(demand.Peak[(Dimension)d] * 1.15 / cap));
            }
        }

        return replicas;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Shaping.Core.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }

    /// <summary>The HPA-like policy's shape, chosen as the simulator's PolicyLineup does: g-large if the catalog has it, else the median-priced shape.</summary>
    private static string HpaShape(ShapeCatalog catalog)
    {
        const string Preferred = "g-large";
        if (catalog.TryGetShape(Preferred, out _))
        {
            return Preferred;
        }

        var byPrice = catalog.Shapes.OrderBy(s => s.PricePerHour).ToList();
        return byPrice[byPrice.Count / 2].Name;
    }
}
