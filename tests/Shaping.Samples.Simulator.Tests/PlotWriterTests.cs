using Shaping.Core.Resources;
using Shaping.Core.Shapes;
using Shaping.Simulation;
using Shaping.Simulation.Demand;
using Shaping.Simulation.Policies;

namespace Shaping.Samples.Simulator.Tests;

public sealed class PlotWriterTests
{
    private static readonly ShapeCatalog Catalog = new(
    [
        new ResourceShape("one", new ResourceVector(1, 4, 0, 1), new ShapeProfile(0.05, 1, SizeClass.Small)),
    ]);

    private static BacktestResult Run(double[] cores, double provisionedCores)
    {
        var demand = new DemandSeries(
            "test", new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromHours(1),
            cores.Select(c => new ResourceVector(c, 0, 0, 0)));
        return new BacktestSimulator(Catalog).Run(demand, new StaticPeakPolicy(new ResourceVector(provisionedCores, 0, 0, 0)));
    }

    [Fact]
    public void ZoomRange_ShortIntervalsInTheMiddle_CentresAWeekOnThem()
    {
        var cores = Enumerable.Repeat(1.0, 30 * 24).ToArray();
        for (var t = 480; t < 486; t++)
        {
            cores[t] = 5; // six short hours on day 20
        }

        var (from, to, reason) = PlotWriter.ZoomRange([Run(cores, 2)]);

        Assert.Equal(7 * 24, to - from);
        Assert.InRange(483, from + 72, to - 72);
        Assert.Contains("most under-provisioning", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ZoomRange_NeverShort_ShowsTheLastWeek()
    {
        var (from, to, reason) = PlotWriter.ZoomRange([Run(Enumerable.Repeat(1.0, 30 * 24).ToArray(), 2)]);
        Assert.Equal((30 - 7) * 24, from);
        Assert.Equal(30 * 24, to);
        Assert.Contains("no policy was short", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ZoomRange_ShortOnlyByRoundingNoise_SaysNoPolicyWasShortAsTheMetricsDo()
    {
        // 3 cores and an ulp: the oracle provisions 3 one-core replicas, which the metrics (within 1e-9) count as enough;
        // the close-up counted it short and said it showed "the week with the most under-provisioning".
        var cores = Enumerable.Repeat(1.0, 30 * 24).ToArray();
        cores[100] = Math.BitIncrement(3.0);
        var result = Run(cores, provisionedCores: Math.BitIncrement(3.0)); // sized for the peak, as the oracle is

        var (_, _, reason) = PlotWriter.ZoomRange([result]);

        Assert.Equal(3, result.Steps[100].Provisioned.CpuCores);
        Assert.Equal(0, result.Metrics.UnderProvisionedShare);
        Assert.Contains("no policy was short", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ZoomRange_TraceShorterThanAWeek_ShowsItAll()
    {
        var (from, to, _) = PlotWriter.ZoomRange([Run([1, 3, 1, 1], 2)]);
        Assert.Equal((0, 4), (from, to));
    }

    [Fact]
    public void ZoomRange_OneInterval_ShowsIt()
    {
        var (from, to, _) = PlotWriter.ZoomRange([Run([1], 2)]);
        Assert.Equal((0, 1), (from, to));
    }

    [Fact]
    public void Write_TwoPolicies_WritesAPng()
    {
        var cores = Enumerable.Range(0, 10 * 24).Select(t => 1 + Math.Sin(t * Math.PI / 12)).ToArray();
        var path = Path.Combine(Path.GetTempPath(), $"shaping-plot-{Guid.NewGuid():N}.png");
        try
        {
            PlotWriter.Write(path, "test", [Run(cores, 2), Run(cores, 1.5)], "static-peak");
            var bytes = File.ReadAllBytes(path);
            Assert.True(bytes.Length > 1000);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
