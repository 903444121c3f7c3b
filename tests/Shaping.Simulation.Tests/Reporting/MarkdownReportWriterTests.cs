using Shaping.Simulation.Reporting;

namespace Shaping.Simulation.Tests.Reporting;

public sealed class MarkdownReportWriterTests
{
    private static BacktestResult Result(string policy, double cost) =>
        new(policy, "test", TimeSpan.FromMinutes(5), [], new BacktestMetrics(cost, 0.5, 0, 0, 0, double.NaN, 24, 1, 288));

    /// <summary>The cells of a table row, split on the pipes markdown reads as cell borders (not on an escaped <c>\|</c>).</summary>
    private static string[] Cells(string row) =>
        System.Text.RegularExpressions.Regex.Split(row.Trim().Trim('|'), @"(?<!\\)\|");

    [Fact]
    public void Format_PipeOrNewlineInAPolicyName_KeepsEveryRowAtTheHeadersCellCount()
    {
        var markdown = MarkdownReportWriter.Format("a | b\nc", [Result("x|y", 2), Result("multi\nline", 1)], "x|y");

        var lines = markdown.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.Equal("### a | b c", lines[0]);
        var rows = lines.Where(l => l.StartsWith('|')).ToList();
        Assert.Equal(4, rows.Count); // header, separator, two policies: the newline did not split a row
        Assert.All(rows, row => Assert.Equal(Cells(rows[0]).Length, Cells(row).Length));
        Assert.Contains(@"cost vs x\|y", rows[0], StringComparison.Ordinal);
        Assert.StartsWith(@"| x\|y |", rows[2], StringComparison.Ordinal);
        Assert.StartsWith("| multi line |", rows[3], StringComparison.Ordinal);
    }

    [Fact]
    public void Format_BaselineNotAmongTheResults_ThrowsNamingTheParameter()
    {
        var exception = Assert.Throws<ArgumentException>(() => MarkdownReportWriter.Format("t", [Result("a", 1), Result("b", 2)], "vpa-like"));

        Assert.Equal("baselinePolicy", exception.ParamName);
        Assert.Contains("'vpa-like'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("a, b", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_BaselineCostZero_PrintsNotApplicableForTheRatio()
    {
        var markdown = MarkdownReportWriter.Format(null, [Result("free", 0), Result("paid", 1)], "free");

        Assert.DoesNotContain("NaN", markdown, StringComparison.Ordinal);
        Assert.Contains("| free | 0 | n/a |", markdown, StringComparison.Ordinal);
        Assert.Contains("| paid | 1 | n/a |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_NoBaseline_HasNoRatioColumn()
    {
        var markdown = MarkdownReportWriter.Format(null, [Result("a", 1)]);

        Assert.DoesNotContain("cost vs", markdown, StringComparison.Ordinal);
        Assert.Contains("| a | 1 | 50.0 % |", markdown, StringComparison.Ordinal);
    }
}
