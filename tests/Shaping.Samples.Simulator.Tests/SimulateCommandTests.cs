using System.Text.Json;

namespace Shaping.Samples.Simulator.Tests;

/// <summary>End-to-end runs of the main command (and of the command line and <c>rank</c>). They redirect the process's console, so they live in one class (xunit runs a class's tests one after another).</summary>
public sealed partial class SimulateCommandTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"shaping-sim-{Guid.NewGuid():N}");

    public SimulateCommandTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string WriteTrace(string text)
    {
        var path = Path.Combine(_folder, "trace.csv");
        File.WriteAllText(path, text);
        return path;
    }

    private static (int Code, string Out, string Error) Capture(SimulationSettings settings) =>
        Capture(() => SimulateCommand.Run(settings));

    private static (int Code, string Out, string Error) Capture(Func<int> run)
    {
        var (stdout, stderr) = (Console.Out, Console.Error);
        using var output = new StringWriter();
        using var error = new StringWriter();
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            var code = run();
            return (code, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
    }

    /// <summary>Runs the program's entry point (the top-level statements of Program.cs) with a command line.</summary>
    private static (int Code, string Out, string Error) RunMain(params string[] args) =>
        Capture(() => (int)typeof(SimulateCommand).Assembly.EntryPoint!.Invoke(null, [args])!);

    private static string CpuTrace(int rows, Func<int, string> value) =>
        "timestamp,value\n" + string.Concat(Enumerable.Range(0, rows).Select(i =>
            $"{new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(5 * i):yyyy-MM-dd HH:mm:ss},{value(i)}\n"));

    [Fact]
    public void Run_MalformedRow_ExitsNonZeroWithFileLineAndColumnAndNoStackTrace()
    {
        var path = WriteTrace(CpuTrace(3, i => i == 1 ? "abc" : "50"));

        var (code, stdout, stderr) = Capture(new SimulationSettings { Trace = new FileInfo(path), Out = new DirectoryInfo(_folder) });

        Assert.Equal(1, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains($"{path}:line 3, column 'value': 'abc' is not a finite number.", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"description\": \"no shapes\" }")]
    [InlineData("{ \"shapes\": [] }")]
    public void Run_CatalogWithoutShapes_ExitsNonZeroNamingTheFile(string json)
    {
        var catalog = Path.Combine(_folder, "catalog.json");
        File.WriteAllText(catalog, json);

        var (code, _, stderr) = Capture(new SimulationSettings { Catalog = new FileInfo(catalog), Out = new DirectoryInfo(_folder), NoPlot = true });

        Assert.Equal(1, code);
        Assert.Contains($"{catalog}: the catalog needs a non-empty \"shapes\" array.", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_NoTimestampAndNoStep_AsksForStep()
    {
        var path = WriteTrace("value\n1\n2\n");

        var (code, _, stderr) = Capture(new SimulationSettings { Trace = new FileInfo(path), Out = new DirectoryInfo(_folder) });

        Assert.Equal(1, code);
        Assert.Contains("--step", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\n\nvalue\n1\n2\n", "--step")] // no timestamp column
    [InlineData("\n\ntimestamp,cpu,mem\n0,1,2\n", "--column")] // several metric columns
    public void Run_HeaderAfterBlankLines_ErrorNamesTheHeadersLine(string csv, string hint)
    {
        // Blank lines before the header are skipped; the header errors used to name line 1.
        var path = WriteTrace(csv);

        var (code, _, stderr) = Capture(new SimulationSettings { Trace = new FileInfo(path), Out = new DirectoryInfo(_folder), NoPlot = true });

        Assert.Equal(1, code);
        Assert.Contains($"{path}:line 3", stderr, StringComparison.Ordinal);
        Assert.Contains(hint, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_JsonFormat_PrintsOnlyJsonWithEveryPolicyAndWritesTheFiles()
    {
        var path = WriteTrace(CpuTrace(2 * 288, i => (20 + (15 * Math.Sin(i * Math.PI / 144))).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)));
        var outDir = Path.Combine(_folder, "out");

        var (code, stdout, _) = Capture(new SimulationSettings
        {
            Trace = new FileInfo(path), Out = new DirectoryInfo(outDir), Format = OutputFormat.Json, Machine = new(4, 16, 0, 1),
        });

        Assert.Equal(0, code);
        using var document = JsonDocument.Parse(stdout); // throws if anything but JSON is on stdout
        var policies = document.RootElement.GetProperty("policies").EnumerateArray().ToList();
        Assert.Equal(["static-peak (oracle)", "hpa-like", "vpa-like", "predictive"], policies.Select(p => p.GetProperty("name").GetString()));
        Assert.All(policies, p => Assert.True(p.GetProperty("totalCost").GetDouble() > 0));

        // Only the predictive policy forecasts; on two days of trace it may not have scored a forecast yet.
        Assert.All(policies.Take(3), p => Assert.Equal(JsonValueKind.Null, p.GetProperty("forecastCoverage").ValueKind));
        var coverage = policies[3].GetProperty("forecastCoverage");
        Assert.True(coverage.ValueKind == JsonValueKind.Null || coverage.GetDouble() is >= 0 and <= 1);
        Assert.Equal(1.0, policies[2].GetProperty("costVsBaseline").GetDouble(), 12);
        Assert.Equal(576, document.RootElement.GetProperty("trace").GetProperty("intervals").GetInt32());
        Assert.True(File.Exists(Path.Combine(outDir, SimulateCommand.PlotFileName)));
        Assert.Contains("| vpa-like |", File.ReadAllText(Path.Combine(outDir, SimulateCommand.ReportFileName)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0050-01-01")] // threw an OverflowException (not a legal OLE Automation date) with a stack trace
    [InlineData("0001-01-01")] // plotted as 1899-12-30 onwards
    public void Run_TraceBeforeYear100_SkipsThePlotWithAWarningAndWritesTheRest(string day)
    {
        var path = WriteTrace("timestamp,value\n" + string.Concat(Enumerable.Range(0, 24).Select(i => $"{day}T{i / 12:00}:{5 * (i % 12):00}:00Z,50\n")));
        var json = Path.Combine(_folder, "result.json");

        var (code, _, stderr) = Capture(new SimulationSettings { Trace = new FileInfo(path), Out = new DirectoryInfo(_folder), JsonOut = new FileInfo(json) });

        Assert.Equal(0, code);
        Assert.Contains("before the plot's date axis begins", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, SimulateCommand.PlotFileName)));
        Assert.DoesNotContain(SimulateCommand.PlotFileName, File.ReadAllText(Path.Combine(_folder, SimulateCommand.ReportFileName)), StringComparison.Ordinal);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("plot").ValueKind);
    }

    [Fact]
    public void Run_TinyDemand_PrintsThePeakWithSignificantDigits()
    {
        // 0.0002 cores used to print as "peak 0 cores" (ResourceVector.ToString rounds to 3 decimals).
        var path = WriteTrace(CpuTrace(12, i => i == 5 ? "0.000234" : "0.0001"));

        var (code, stdout, _) = Capture(new SimulationSettings
        {
            Trace = new FileInfo(path), Metric = MetricKind.Raw, Out = new DirectoryInfo(_folder), NoPlot = true,
        });

        Assert.Equal(0, code);
        Assert.Contains("peak 0.000234 cores, 0 GiB, 0 GiB disk, 0 Gbps", stdout, StringComparison.Ordinal);
        Assert.Contains("Peak demand: 0.000234 cores, 0 GiB, 0 GiB disk, 0 Gbps.", File.ReadAllText(Path.Combine(_folder, SimulateCommand.ReportFileName)), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_EmbeddedDefault_PrintsTableAndAttribution()
    {
        var (code, stdout, _) = Capture(new SimulationSettings { Out = new DirectoryInfo(_folder), NoPlot = true });

        Assert.Equal(0, code);
        Assert.Contains("Numenta Anomaly Benchmark", stdout, StringComparison.Ordinal);
        Assert.Contains("nyc_taxi.csv", stdout, StringComparison.Ordinal);
        Assert.Contains("cost vs vpa-like", stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_folder, "NAB-LICENSE.txt")));
        Assert.False(File.Exists(Path.Combine(_folder, SimulateCommand.PlotFileName)));
    }
}
