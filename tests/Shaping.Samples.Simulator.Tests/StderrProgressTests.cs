namespace Shaping.Samples.Simulator.Tests;

public sealed class StderrProgressTests
{
    [Fact]
    public void Report_QuietSecondThenThrottled_WritesOneRewritableLineAndEndsIt()
    {
        var now = TimeSpan.Zero;
        using var writer = new StringWriter();
        var progress = new StderrProgress(writer, enabled: true, () => now);
        var reporter = progress.For("hpa-like", 1, 3, 1000);

        reporter.Report(100);                          // 0 s: still quiet
        now = TimeSpan.FromSeconds(1.5);
        reporter.Report(500);                          // written
        now = TimeSpan.FromSeconds(1.6);
        reporter.Report(600);                          // within 250 ms: skipped
        now = TimeSpan.FromSeconds(2);
        reporter.Report(1000);                         // written
        progress.Finish();

        var text = writer.ToString();
        Assert.Equal(2, text.Count(c => c == '\r'));
        Assert.Contains("[2/3] hpa-like", text, StringComparison.Ordinal);
        Assert.Contains("50 %", text, StringComparison.Ordinal);
        Assert.DoesNotContain("60 %", text, StringComparison.Ordinal);
        Assert.Contains("100 %", text, StringComparison.Ordinal);
        Assert.EndsWith(Environment.NewLine, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Report_Disabled_WritesNothing()
    {
        using var writer = new StringWriter();
        var progress = new StderrProgress(writer, enabled: false, () => TimeSpan.FromMinutes(5));
        progress.For("vpa-like", 0, 1, 10).Report(5);
        progress.Finish();
        Assert.Equal(string.Empty, writer.ToString());
    }
}
