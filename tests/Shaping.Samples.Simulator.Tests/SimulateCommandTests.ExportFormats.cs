using System.Globalization;
using System.Text.Json;

namespace Shaping.Samples.Simulator.Tests;

/// <summary>Traces in the shapes monitoring tools export, from a user trial: what must not give wrong numbers silently.</summary>
public sealed partial class SimulateCommandTests
{
    // Two days of 5-minute CPU utilisation, oldest first, with a timestamp column of the given name.
    private static string[] ExportRows(string timeHeader)
    {
        var start = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        return [$"{timeHeader},Average", .. Enumerable.Range(0, 576).Select(i =>
            string.Create(CultureInfo.InvariantCulture, $"{start.AddMinutes(5 * i):yyyy-MM-ddTHH:mm:ssZ},{20 + (15 * Math.Sin(i * Math.PI / 144)):0.###}"))];
    }

    private SimulationSettings Settings(string path) => new() { Trace = new FileInfo(path), Out = new DirectoryInfo(_folder), NoPlot = true };

    [Fact]
    public void Run_TimeColumnNotRecognised_SaysWhatTheHeaderHasAndHowToNameIt()
    {
        // CloudWatch's get-metric-data calls the column "Timestamps": the error must point at --timestamp-column.
        var path = WriteTrace(string.Join('\n', ExportRows("Timestamps")));

        var (code, _, stderr) = Capture(Settings(path) with { Column = "Average" });

        Assert.Equal(1, code);
        Assert.Contains("it has 'Timestamps', 'Average'", stderr, StringComparison.Ordinal);
        Assert.Contains("--timestamp-column NAME", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_StepGivenWhileATimeLikeColumnIsIgnored_Warns()
    {
        // Following the old error's advice (--step) on a newest-first export replayed it backwards without a word.
        var rows = ExportRows("Timestamps");
        var path = WriteTrace(string.Join('\n', [rows[0], .. rows.Skip(1).Reverse()]));

        var (code, _, stderr) = Capture(Settings(path) with { Column = "Average", Step = TimeSpan.FromMinutes(5) });

        Assert.Equal(0, code);
        Assert.Contains("column 'Timestamps' looks like a timestamp, but --step lays the rows out in file order", stderr, StringComparison.Ordinal);
        Assert.Contains("--timestamp-column Timestamps", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_NewestFirstRows_SaysSoAtTheSecondRow()
    {
        var rows = ExportRows("timestamp");
        var path = WriteTrace(string.Join('\n', [rows[0], .. rows.Skip(1).Reverse()]));

        var (code, _, stderr) = Capture(Settings(path));

        Assert.Equal(1, code);
        Assert.Contains(":line 3", stderr, StringComparison.Ordinal);
        Assert.Contains("newest first", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("01/02/2024 00:00")] // 1 February day-first, or 2 January month-first
    [InlineData("02/01/2024 00:05")]
    public void Run_SlashedDates_AreRefusedAsAmbiguous(string firstStamp)
    {
        // Read as month/day, a day-first trace was laid out over 336 days, 96 % of them gaps, and costed 28 times too high.
        var path = WriteTrace($"timestamp,value\n{firstStamp},50\n13/02/2024 00:00,50\n");

        var (code, _, stderr) = Capture(Settings(path));

        Assert.Equal(1, code);
        Assert.Contains(":line 2", stderr, StringComparison.Ordinal);
        Assert.Contains("date with slashes", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_TwoHostsPerTimestamp_WarnsThatTheyWereAveragedAndJsonCountsThem()
    {
        // Two rows per timestamp (two hosts) are averaged into one interval: a user who meant their sum must be told.
        var start = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var rows = Enumerable.Range(0, 576).SelectMany(i => new[]
        {
            string.Create(CultureInfo.InvariantCulture, $"{start.AddMinutes(5 * i):yyyy-MM-dd HH:mm:ss},30"),
            string.Create(CultureInfo.InvariantCulture, $"{start.AddMinutes(5 * i):yyyy-MM-dd HH:mm:ss},50"),
        });
        var path = WriteTrace("timestamp,value\n" + string.Join('\n', rows));

        var (code, stdout, stderr) = Capture(Settings(path) with { Format = OutputFormat.Json });

        Assert.Equal(0, code);
        Assert.Contains("576 samples shared an interval with another and were averaged into it", stderr, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(stdout);
        Assert.Equal(576, document.RootElement.GetProperty("trace").GetProperty("mergedSamplesInFile").GetInt32());
    }

    [Fact]
    public void Run_ManyGaps_WarnsOnTheConsole()
    {
        // Every other 5-minute row missing: half the intervals repeat the previous value.
        var path = WriteTrace(CpuTrace(576, i => "50").Split('\n').Where((_, i) => i == 0 || i % 2 == 1).Aggregate((a, b) => a + "\n" + b));

        var (code, _, stderr) = Capture(Settings(path) with { Step = TimeSpan.FromMinutes(5) });

        Assert.Equal(0, code);
        Assert.Contains("had no sample and repeat the previous value", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_GrafanaExportWithEveryFieldQuoted_Runs()
    {
        var rows = ExportRows("Time").Select(r => string.Join(',', r.Split(',').Select(f => $"\"{f}\"")));
        var path = WriteTrace(string.Join('\n', rows));

        var (code, stdout, stderr) = Capture(Settings(path) with { Column = "Average" });

        Assert.True(code == 0, stderr);
        Assert.Contains("576 intervals of 5 min", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_SemicolonSeparatedExport_SaysSo()
    {
        var path = WriteTrace("timestamp;value\n2024-01-01 00:00:00;51,8\n2024-01-01 00:05:00;52,1\n");

        var (code, _, stderr) = Capture(Settings(path));

        Assert.Equal(1, code);
        Assert.Contains(":line 1: the header is separated by semicolons, not commas", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_QuotedDecimalComma_SaysQuotedCommasAreNotSupported()
    {
        var path = WriteTrace("timestamp,value\n\"2024-01-01 00:00:00\",\"51,8\"\n");

        var (code, _, stderr) = Capture(Settings(path));

        Assert.Equal(1, code);
        Assert.Contains("expected 2 fields as in the header, found 3 (a quoted field holding a comma", stderr, StringComparison.Ordinal);
    }
}
