using System.Text.Json;

namespace Shaping.Samples.Simulator.Tests;

/// <summary>Missed scrapes in monitoring exports (--missing-cells) and writing the JSON document to a file (--json-out).</summary>
public sealed partial class SimulateCommandTests
{
    // Two days of 5-minute CPU utilisation; rows 100 to 103 hold the four markers, row 300 an empty memory cell.
    private string WriteTraceWithMissedScrapes()
    {
        string[] markers = ["", "NaN", "null", "-"];
        var rows = CpuTrace(576, i => i is >= 100 and < 104 ? $"{markers[i - 100]},40" : i == 300 ? "50," : "50,40")
            .Replace("timestamp,value", "timestamp,value,mem", StringComparison.Ordinal);
        return WriteTrace(rows);
    }

    [Fact]
    public void Main_MissedScrapeByDefault_StopsNamingLineColumnAndTheFlag()
    {
        var path = WriteTraceWithMissedScrapes();

        var (code, stdout, stderr) = RunMain("--trace", path, "--column", "value", "--out", _folder, "--no-plot");

        Assert.Equal(1, code);
        Assert.Equal(string.Empty, stdout);
        Assert.StartsWith($"error: {path}:line 102, column 'value': the value is empty.", stderr, StringComparison.Ordinal);
        Assert.Contains("pass --missing-cells gap", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("TraceReadOptions", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd().Split('\n'));
    }

    [Fact]
    public void Main_MissingCellsGap_RunsWarnsAndJsonCountsTheRows()
    {
        var path = WriteTraceWithMissedScrapes();

        var (code, stdout, stderr) = RunMain(
            "--trace", path, "--column", "value", "--memory-column", "mem", "--missing-cells", "gap", "--format", "json", "--out", _folder, "--no-plot");

        Assert.True(code == 0, stderr);
        Assert.Contains("5 of 576 rows had a missing value (empty, NaN, null or -) and were read as gaps", stderr, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(stdout);
        var trace = document.RootElement.GetProperty("trace");
        Assert.Equal(5, trace.GetProperty("missingSamplesInFile").GetInt32());
        Assert.Equal(5, trace.GetProperty("gapIntervalsInFile").GetInt32());
        Assert.Equal(576, trace.GetProperty("intervals").GetInt32());
        Assert.Contains("5 rows had a missing value and were read as gaps", File.ReadAllText(Path.Combine(_folder, SimulateCommand.ReportFileName)), StringComparison.Ordinal);
    }

    [Fact]
    public void Main_MissingCellsGapInAColumnNotRead_ChangesNothing()
    {
        // Only the columns the demand model reads are parsed; row 300's empty memory cell is not one of them here.
        var path = WriteTrace(CpuTrace(576, i => i == 300 ? "50," : "50,40").Replace("timestamp,value", "timestamp,value,mem", StringComparison.Ordinal));

        var (code, stdout, stderr) = RunMain("--trace", path, "--column", "value", "--missing-cells", "gap", "--format", "json", "--out", _folder, "--no-plot");

        Assert.True(code == 0, stderr);
        using var document = JsonDocument.Parse(stdout);
        Assert.Equal(0, document.RootElement.GetProperty("trace").GetProperty("missingSamplesInFile").GetInt32());
        Assert.Equal(string.Empty, stderr.Trim());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("Infinity")]
    public void Main_MissingCellsGap_GarbageIsStillAnError(string cell)
    {
        var path = WriteTrace(CpuTrace(12, i => i == 4 ? cell : "50"));

        var (code, _, stderr) = RunMain("--trace", path, "--missing-cells", "gap", "--out", _folder, "--no-plot");

        Assert.Equal(1, code);
        Assert.Contains($"{path}:line 6, column 'value': '{cell}' is not a finite number.", stderr, StringComparison.Ordinal);
        AssertNoStackTrace(stderr);
    }

    [Fact]
    public void Main_MissingCellsGapOnAFewGaps_WarnsWithoutQuestioningTheStep()
    {
        // 5 gaps of 576 intervals is under the 1 % threshold; 10 is over, and they are all missing cells.
        var path = WriteTrace(CpuTrace(576, i => i is >= 100 and < 110 ? "NaN" : "50"));

        var (code, _, stderr) = RunMain("--trace", path, "--missing-cells", "gap", "--out", _folder, "--no-plot");

        Assert.True(code == 0, stderr);
        Assert.Contains("10 of 576 intervals (2 %) had no sample and repeat the previous value.", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("is the step or the date format right", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Main_MissingCellsDroppedAtTheEdgesAndRowsAbsentInside_AsksAboutTheStep()
    {
        // The first 50 rows are missed scrapes, dropped (no previous value to repeat): they leave no gap. Rows 200 to 219
        // are absent from the file: 20 gaps that no missing cell explains. The hint compared the gaps with every missing
        // row, dropped ones included (20 < 50), and kept quiet.
        var lines = CpuTrace(576, i => i < 50 ? "NaN" : "50").Split('\n');
        var path = WriteTrace(string.Join('\n', lines.Where((_, line) => line is < 201 or > 220)));

        var (code, _, stderr) = RunMain("--trace", path, "--missing-cells", "gap", "--out", _folder, "--no-plot");

        Assert.True(code == 0, stderr);
        Assert.Contains("50 of 556 rows had a missing value", stderr, StringComparison.Ordinal);
        Assert.Contains("20 of 526 intervals (4 %) had no sample and repeat the previous value (is the step or the date format right?)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Main_MissingCellsInsideAndAtTheEdges_DoesNotQuestionTheStep()
    {
        // 10 missed scrapes at each edge are dropped; the 10 inside are the only gaps, and they explain themselves.
        var path = WriteTrace(CpuTrace(576, i => i is < 10 or (>= 100 and < 110) or >= 566 ? "NaN" : "50"));

        var (code, _, stderr) = RunMain("--trace", path, "--missing-cells", "gap", "--out", _folder, "--no-plot");

        Assert.True(code == 0, stderr);
        Assert.Contains("10 of 556 intervals (2 %) had no sample and repeat the previous value.", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("is the step or the date format right", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Main_ManyMissingCellsAndOneAbsentRow_DoesNotQuestionTheStep()
    {
        // 20 missed scrapes inside explain 20 gaps; one row absent from the file is the only unexplained gap, far under
        // 1 % of the intervals: one odd gap says nothing about the step.
        var lines = CpuTrace(576, i => i is >= 100 and < 120 ? "NaN" : "50").Split('\n');
        var path = WriteTrace(string.Join('\n', lines.Where((_, line) => line != 301)));

        var (code, _, stderr) = RunMain("--trace", path, "--missing-cells", "gap", "--out", _folder, "--no-plot");

        Assert.True(code == 0, stderr);
        Assert.Contains("21 of 576 intervals (4 %) had no sample and repeat the previous value.", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("is the step or the date format right", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Main_JsonOut_WritesTheDocumentBesideTheTextTable()
    {
        var path = WriteTrace(CpuTrace(288, _ => "50"));
        var jsonPath = Path.Combine(_folder, "nested", "results.json");

        var (code, stdout, stderr) = RunMain("--trace", path, "--json-out", jsonPath, "--out", _folder, "--no-plot");

        Assert.True(code == 0, stderr);
        Assert.Contains("cost vs vpa-like", stdout, StringComparison.Ordinal);
        Assert.Contains($"JSON:   {jsonPath}", stdout, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(File.ReadAllText(jsonPath));
        Assert.Equal(4, document.RootElement.GetProperty("policies").GetArrayLength());
        Assert.Equal(288, document.RootElement.GetProperty("trace").GetProperty("intervals").GetInt32());
    }

    [Fact]
    public void Main_JsonOutWithJsonFormat_FileHoldsWhatStandardOutputPrints()
    {
        var path = WriteTrace(CpuTrace(288, i => i % 7 == 0 ? "70" : "50"));
        var jsonPath = Path.Combine(_folder, "results.json");

        var (code, stdout, stderr) = RunMain("--trace", path, "--format", "json", "--json-out", jsonPath, "--out", _folder, "--no-plot");

        Assert.True(code == 0, stderr);
        Assert.Equal(stdout, File.ReadAllText(jsonPath));
    }

    [Fact]
    public void Main_JsonOutIsAFolder_FailsBeforeTheReplay()
    {
        var path = WriteTrace(CpuTrace(288, _ => "50"));

        var (code, stdout, stderr) = RunMain("--trace", path, "--json-out", _folder, "--out", _folder, "--no-plot");

        Assert.Equal(1, code);
        Assert.Equal(string.Empty, stdout);
        Assert.StartsWith($"error: --json-out: '{_folder}' is a folder", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, SimulateCommand.ReportFileName)));
    }

    [Fact]
    public void Main_JsonOutWhenTheRunFails_WritesNoFile()
    {
        var path = WriteTrace(CpuTrace(12, i => i == 4 ? "abc" : "50"));
        var jsonPath = Path.Combine(_folder, "results.json");

        var (code, _, _) = RunMain("--trace", path, "--json-out", jsonPath, "--out", _folder, "--no-plot");

        Assert.Equal(1, code);
        Assert.False(File.Exists(jsonPath));
    }

    [Fact]
    public void Main_Help_DocumentsMissingCellsAndJsonOut()
    {
        var (code, stdout, _) = RunMain("--help");

        Assert.Equal(0, code);
        Assert.Contains("--missing-cells <error|gap>", stdout, StringComparison.Ordinal);
        Assert.Contains("--json-out <file.json>", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("[default: Error]", stdout, StringComparison.Ordinal);
    }
}
