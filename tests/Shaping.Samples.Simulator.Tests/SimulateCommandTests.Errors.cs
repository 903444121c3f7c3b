using System.Text.Json;
using Shaping.Core.Resources;

namespace Shaping.Samples.Simulator.Tests;

/// <summary>Bad options and inputs: one line naming the option or file, a non-zero exit code, no stack trace.</summary>
public sealed partial class SimulateCommandTests
{
    private static void AssertNoStackTrace(string stderr)
    {
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter '", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Actual value was", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--days", "abc")]
    [InlineData("--days", "1.5")]
    [InlineData("--days", "99999999999")]
    [InlineData("--days", "-1")]
    [InlineData("--full-scale", "abc")]
    [InlineData("--full-scale", "0")]
    [InlineData("--step", "300")] // a bare number used to be read as 300 days
    [InlineData("--count-period", "1.5")]
    [InlineData("--epoch", "1970-01-01")]
    [InlineData("--format", "5")] // an enum's number used to be accepted and run as text
    [InlineData("--format", "-1")]
    [InlineData("--format", "yaml")]
    [InlineData("--missing-cells", "skip")]
    public void Main_InvalidOptionValue_ExitsNonZeroNamingTheOption(string option, string value)
    {
        var (code, _, stderr) = RunMain(option, value, "--out", _folder, "--no-plot");

        Assert.NotEqual(0, code);
        Assert.Contains($"{option}: '{value}'", stderr, StringComparison.Ordinal);
        AssertNoStackTrace(stderr);
    }

    [Fact]
    public void Main_BareNumberStep_SaysTheUnitIsMissing()
    {
        var (_, _, stderr) = RunMain("--trace", WriteTrace(CpuTrace(3, _ => "50")), "--step", "300");
        Assert.Contains("--step: '300' has no unit", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Main_HelpForStep_SaysTheUnitIsRequiredAndOnlyWithTrace()
    {
        var (code, stdout, _) = RunMain("--help");

        Assert.Equal(0, code);
        Assert.Contains("a bare number is rejected", stdout, StringComparison.Ordinal);
        Assert.Contains("--epoch", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Main_Help_ShowsDefaultsSpelledAsTheOptionsAcceptThem()
    {
        var (code, stdout, _) = RunMain("--help");

        Assert.Equal(0, code);
        // --epoch used to show "[default: Year2000]", a value it rejects, and --format "[default: Text]".
        Assert.DoesNotContain("Year2000", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("[default: Text]", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("[default: Utilization]", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("json", true)]
    [InlineData("JSON", true)]
    [InlineData("text", false)]
    public void Main_FormatOption_AcceptsItsNamesInAnyCase(string value, bool json)
    {
        var path = WriteTrace(CpuTrace(12, _ => "50"));

        var (code, stdout, _) = RunMain("--trace", path, "--format", value, "--out", _folder, "--no-plot");

        Assert.Equal(0, code);
        Assert.Equal(json, stdout.TrimStart().StartsWith('{'));
    }

    [Fact]
    public void Run_StepWithoutTrace_IsRejected()
    {
        var (code, stdout, stderr) = Capture(new SimulationSettings { Step = TimeSpan.FromMinutes(5), Out = new DirectoryInfo(_folder), NoPlot = true });

        Assert.Equal(1, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("error: --step applies to --trace", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Main_ScaleOverflowsTheDemand_NamesTheColumnAndTheRowsTime()
    {
        var path = WriteTrace(CpuTrace(3, i => i == 1 ? "1e308" : "1"));

        var (code, _, stderr) = RunMain("--trace", path, "--metric", "raw", "--scale", "10", "--out", _folder, "--no-plot");

        Assert.Equal(1, code);
        Assert.Contains("column 'value' holds 1E+308 at slot 1 (2024-01-01 00:05:00Z)", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        AssertNoStackTrace(stderr);
    }

    [Theory]
    [InlineData("--column", "cpu")]
    [InlineData("--metric", "raw")]
    [InlineData("--machine", "8,32")]
    [InlineData("--full-scale", "1")]
    [InlineData("--memory-column", "mem")]
    [InlineData("--storage-column", "disk")]
    [InlineData("--network-column", "net")]
    [InlineData("--count-period", "1m")]
    [InlineData("--per-request", "0.005,0.01")]
    [InlineData("--baseline", "1,2")]
    [InlineData("--scale", "2")]
    [InlineData("--step", "5m")]
    [InlineData("--timestamp-column", "ts")]
    [InlineData("--epoch", "unix")]
    [InlineData("--missing-cells", "gap")]
    public void Main_TraceOnlyOptionWithoutTrace_IsRejectedNamingIt(string option, string value)
    {
        // The demand-model options used to be ignored silently: the embedded trace's demand model is fixed.
        var (code, stdout, stderr) = RunMain(option, value, "--out", _folder, "--no-plot");

        Assert.Equal(1, code);
        Assert.Equal(string.Empty, stdout);
        Assert.StartsWith($"error: {option} applies to --trace", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        AssertNoStackTrace(stderr);
    }

    [Theory]
    [InlineData("{ \"shapes\": [] }", "the catalog needs a non-empty \"shapes\" array")]
    [InlineData("not json", "not a valid catalog JSON document")]
    [InlineData("""{"shapes":[{"name":"a","cpuCores":4,"memoryGiB":16,"storageGiB":0,"networkGbps":1,"pricePerHour":0.1},{"name":"a","cpuCores":8,"memoryGiB":32,"storageGiB":0,"networkGbps":1,"pricePerHour":0.2}]}""", "'a' appears more than once")]
    [InlineData("""{"shapes":[{"name":"a","cpuCores":4,"memoryGiB":16,"storageGiB":0,"networkGbps":1,"pricePerHour":-0.1}]}""", "shape 'a' is invalid")]
    public void Rank_BadCatalog_ExitsOneNamingTheFile(string json, string problem)
    {
        var catalog = Path.Combine(_folder, "catalog.json");
        File.WriteAllText(catalog, json);

        var (code, _, stderr) = Capture(() => RankCommand.Run(new FileInfo(catalog)));

        Assert.Equal(1, code);
        Assert.StartsWith($"error: {catalog}: ", stderr, StringComparison.Ordinal);
        Assert.Contains(problem, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        AssertNoStackTrace(stderr);
    }

    [Fact]
    public void Rank_MissingCatalog_ExitsOneNamingTheFile()
    {
        var catalog = Path.Combine(_folder, "missing.json");

        var (code, _, stderr) = Capture(() => RankCommand.Run(new FileInfo(catalog)));

        Assert.Equal(1, code);
        Assert.Contains(catalog, stderr, StringComparison.Ordinal);
        AssertNoStackTrace(stderr);
    }

    [Theory]
    [InlineData("not json", "not a valid catalog JSON document")]
    [InlineData("""{"shapes":[{"name":"a","cpuCores":4,"memoryGiB":16,"storageGiB":0,"networkGbps":1,"pricePerHour":0.1},{"name":"a","cpuCores":8,"memoryGiB":32,"storageGiB":0,"networkGbps":1,"pricePerHour":0.2}]}""", "'a' appears more than once")]
    public void Run_BadCatalog_NamesTheFileOnOneLine(string json, string problem)
    {
        var catalog = Path.Combine(_folder, "catalog.json");
        File.WriteAllText(catalog, json);

        var (code, _, stderr) = Capture(new SimulationSettings { Catalog = new FileInfo(catalog), Out = new DirectoryInfo(_folder), NoPlot = true });

        Assert.Equal(1, code);
        Assert.StartsWith($"error: {catalog}: ", stderr, StringComparison.Ordinal);
        Assert.Contains(problem, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd().Split('\n'));
    }

    [Fact]
    public void Run_ZeroCoreMachine_NamesTheOptionWithoutDotNetWording()
    {
        var path = WriteTrace(CpuTrace(3, _ => "50"));

        var (code, _, stderr) = Capture(new SimulationSettings { Trace = new FileInfo(path), Machine = ResourceVector.Zero, Out = new DirectoryInfo(_folder) });

        Assert.Equal(1, code);
        Assert.StartsWith("error: --machine: ", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        AssertNoStackTrace(stderr);
    }

    [Fact]
    public void Run_UnknownHpaShape_HasNoParameterSuffix()
    {
        var (code, _, stderr) = Capture(new SimulationSettings { HpaShape = "nope", Out = new DirectoryInfo(_folder), NoPlot = true });

        Assert.Equal(1, code);
        Assert.StartsWith("error: --hpa-shape: the catalog has no shape 'nope'", stderr, StringComparison.Ordinal);
        AssertNoStackTrace(stderr);
    }

    [Fact]
    public void Run_OneRowTrace_AsksForStepOption()
    {
        var path = WriteTrace(CpuTrace(1, _ => "50"));

        var (code, _, stderr) = Capture(new SimulationSettings { Trace = new FileInfo(path), Out = new DirectoryInfo(_folder) });

        Assert.Equal(1, code);
        Assert.Contains("--step", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("TraceReadOptions", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_UncreatableOutFolder_FailsBeforeTheReplay()
    {
        var path = WriteTrace(CpuTrace(3, _ => "50"));
        var blocker = Path.Combine(_folder, "a-file");
        File.WriteAllText(blocker, "not a folder");

        var (code, stdout, stderr) = Capture(new SimulationSettings { Trace = new FileInfo(path), Out = new DirectoryInfo(Path.Combine(blocker, "out")) });

        Assert.Equal(1, code);
        Assert.Equal(string.Empty, stdout); // not even the header: nothing was replayed
        Assert.StartsWith("error: --out: cannot create the folder", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, "2024-01-01T00:00:00", false)]
    [InlineData(false, "2053-12-31T00:00:00", true)]
    public void Run_UnixSecondsTimestamps_FollowEpochAndWarnWhenReadFrom2000(bool unix, string start, bool warns)
    {
        var epoch = unix ? TimestampEpoch.Unix : TimestampEpoch.Year2000;
        // 1704067200 is 2024-01-01 in Unix time; from 2000-01-01 it is 2053-12-31.
        var path = WriteTrace("timestamp,value\n" + string.Concat(Enumerable.Range(0, 3).Select(i => $"{1_704_067_200 + (300 * i)},50\n")));

        var (code, stdout, stderr) = Capture(new SimulationSettings
        {
            Trace = new FileInfo(path), Epoch = epoch, Out = new DirectoryInfo(_folder), Format = OutputFormat.Json, NoPlot = true,
        });

        Assert.Equal(0, code);
        using var document = JsonDocument.Parse(stdout);
        Assert.Equal(DateTimeOffset.Parse(start + "Z", System.Globalization.CultureInfo.InvariantCulture), document.RootElement.GetProperty("trace").GetProperty("start").GetDateTimeOffset());
        Assert.Equal(warns, stderr.Contains("warning:", StringComparison.Ordinal) && stderr.Contains("--epoch unix", StringComparison.Ordinal));
    }

    [Fact]
    public void Run_PeakBeyond256LargestShapes_PredictiveIsNotCappedAndShort()
    {
        // 2000 to 4000 cores over a day: more than 256 × 16 cores of the largest default shape. The predictive policy
        // used to be capped at 256 replicas and short about a third of the time.
        var path = WriteTrace(CpuTrace(3 * 288, i => (3000 + (1000 * Math.Sin(i * Math.PI / 144))).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)));

        var (code, stdout, stderr) = Capture(new SimulationSettings
        {
            Trace = new FileInfo(path), Metric = MetricKind.Raw, Out = new DirectoryInfo(_folder), Format = OutputFormat.Json, NoPlot = true,
        });

        Assert.Equal(0, code);
        Assert.DoesNotContain("warning:", stderr, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(stdout);
        var predictive = document.RootElement.GetProperty("policies").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "predictive");
        Assert.True(predictive.GetProperty("underProvisionedShare").GetDouble() < 0.01, predictive.ToString());
    }

    [Theory]
    [InlineData(100)]
    [InlineData(120)]
    public void Run_UtilisationNearTheMachine_PoliciesAreCappedAtItAndAWrongFullScaleWarns(double top)
    {
        // CPU between 76 % and the top of the range over three days, on the default 16-core machine. At 100 % the
        // machine is the ceiling: the VPA-like policy's P90 + 15 % would take two 16-core replicas for demand that
        // cannot pass 16 cores; capped per replica (maxAllowed) it runs the machine itself, as the hindsight static
        // peak does. Above 100 % the trace exceeds the full scale it was read with, and the run says so.
        var path = WriteTrace(CpuTrace(3 * 288, i => Math.Min(top, 88 + (12 * Math.Sin(i * Math.PI / 144)) * (top / 100)).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)));

        var (code, stdout, stderr) = Capture(new SimulationSettings
        {
            Trace = new FileInfo(path), Out = new DirectoryInfo(_folder), Format = OutputFormat.Json, NoPlot = true,
        });

        Assert.Equal(0, code);
        using var document = JsonDocument.Parse(stdout);
        var policies = document.RootElement.GetProperty("policies").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        if (top == 100)
        {
            Assert.DoesNotContain("warning:", stderr, StringComparison.Ordinal);
            Assert.InRange(policies["static-peak (oracle)"].GetProperty("costVsBaseline").GetDouble(), 0.99, 1.01);
            Assert.Equal(0, policies["vpa-like"].GetProperty("underProvisionedShare").GetDouble());

            // The HPA-like policy's 70 % target would want six 4-core g-large replicas at 100 %; four hold the machine.
            Assert.InRange(policies["hpa-like"].GetProperty("meanReplicas").GetDouble(), 1, 4);
        }
        else
        {
            Assert.Contains("goes above the machine the metric is a share of", stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Run_RequestsModel_DescribesThePerRequestCostUnrounded()
    {
        // The default per-request network cost is 0.0005 Gbps; the report and JSON used to say 0.001 (rounded to 3 decimals).
        var path = WriteTrace(CpuTrace(12, _ => "600"));

        var (code, stdout, _) = Capture(new SimulationSettings
        {
            Trace = new FileInfo(path), Metric = MetricKind.Requests, Out = new DirectoryInfo(_folder), Format = OutputFormat.Json, NoPlot = true,
        });

        Assert.Equal(0, code);
        using var document = JsonDocument.Parse(stdout);
        var model = document.RootElement.GetProperty("trace").GetProperty("demandModel").GetString();
        Assert.Contains("0.01 cores, 0.02 GiB, 0 GiB disk, 0.0005 Gbps per request/s", model, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("timestamp\n2024-01-01 00:00:00\n2024-01-01 00:05:00\n", null)]
    [InlineData("value\n50\n60\n", "value")]
    public void Run_TraceWithOnlyATimestampColumn_SaysThereIsNoMetricColumn(string csv, string? timestampColumn)
    {
        // It used to say "the trace has several metric columns (); choose one with --column".
        var path = WriteTrace(csv);

        var (code, _, stderr) = Capture(new SimulationSettings
        {
            Trace = new FileInfo(path), TimestampColumn = timestampColumn, Step = TimeSpan.FromMinutes(5), Out = new DirectoryInfo(_folder), NoPlot = true,
        });

        Assert.Equal(1, code);
        Assert.Contains($"{path}:line 1: the header has no metric column besides the timestamp", stderr, StringComparison.Ordinal);
        AssertNoStackTrace(stderr);
    }
}
