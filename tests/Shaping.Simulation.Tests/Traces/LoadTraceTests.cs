using Shaping.Simulation.Traces;

namespace Shaping.Simulation.Tests.Traces;

public sealed class LoadTraceTests
{
    [Fact]
    public void Create_ColumnNamesDifferingOnlyInCase_ThrowsNamingBoth()
    {
        // Column names are case-insensitive; the framework's duplicate-key exception said only "An item with the same
        // key has already been added. Key: CPU".
        var columns = new Dictionary<string, double[]>(StringComparer.Ordinal) { ["cpu"] = [1, 2], ["CPU"] = [3, 4] };

        var ex = Assert.Throws<ArgumentException>(() => new LoadTrace("t", Series.Start, TimeSpan.FromMinutes(5), columns));

        Assert.Equal("columns", ex.ParamName);
        Assert.Contains("'cpu' and 'CPU'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("case", ex.Message, StringComparison.Ordinal);
    }
}
