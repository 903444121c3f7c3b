using Shaping.Core.Resources;
using Shaping.Core.Shapes;
using Shaping.Simulation.Demand;

namespace Shaping.Samples.Simulator.Tests;

public sealed class PolicyLineupTests
{
    private static readonly ShapeCatalog Catalog = new(
    [
        new ResourceShape("small", new ResourceVector(2, 8, 0, 1), new ShapeProfile(0.1, 1, SizeClass.Small)),
        new ResourceShape("large", new ResourceVector(8, 32, 0, 4), new ShapeProfile(0.4, 1, SizeClass.Large)),
    ]);

    private static DemandSeries Demand(params ResourceVector[] values) =>
        new("test", new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(5), values);

    [Fact]
    public void VpaReplicas_PeakPlusHeadroomAboveLargestShape_SplitsOverEnoughReplicas()
    {
        // 20 cores × 1.15 = 23 cores over 8-core shapes: 3 replicas; memory 40 GiB × 1.15 = 46 GiB over 32: 2.
        var demand = Demand(new ResourceVector(5, 10, 0, 0), new ResourceVector(20, 40, 0, 0));
        Assert.Equal(3, PolicyLineup.VpaReplicas(demand, Catalog));
    }

    [Fact]
    public void VpaReplicas_SmallDemand_IsOne() =>
        Assert.Equal(1, PolicyLineup.VpaReplicas(Demand(new ResourceVector(1, 1, 0, 0)), Catalog));

    [Fact]
    public void Create_DefaultHpaShapeMissing_UsesMedianPricedShapeAndListsTheFourPolicies()
    {
        var policies = PolicyLineup.Create(Demand(new ResourceVector(1, 1, 0, 0)), Catalog, hpaShape: null);
        Assert.Equal(["static-peak (oracle)", "hpa-like", PolicyLineup.BaselinePolicy, "predictive"], policies.Select(p => p.Name));
    }

    [Fact]
    public void Create_Ceiling_ReachesThePredictivePolicy()
    {
        var ceiling = new ResourceVector(8, 32, 0, 4);

        var policies = PolicyLineup.Create(Demand(new ResourceVector(1, 1, 0, 0)), Catalog, hpaShape: null, ceiling);

        Assert.Equal(ceiling, policies.OfType<Shaping.Simulation.Policies.PredictiveShapingPolicy>().Single().Options.DemandCeiling);
    }

    [Fact]
    public void CeilingWarning_OnlyWhenDemandPassesTheCeiling()
    {
        var demand = Demand(new ResourceVector(4, 8, 0, 0), new ResourceVector(9, 8, 0, 0));

        Assert.Null(PolicyLineup.CeilingWarning(demand, null));
        Assert.Null(PolicyLineup.CeilingWarning(demand, new ResourceVector(9, 8, 0, 0)));
        Assert.NotNull(PolicyLineup.CeilingWarning(demand, new ResourceVector(8, 32, 0, 0)));
    }

    [Fact]
    public void Warnings_WriteVectorsWithSignificantDigits()
    {
        // ResourceVector.ToString rounds to 3 decimals: "the demand (0 cores, ...) goes above the machine (0 cores, ...)",
        // and a peak of 1e30 cores was written with 31 digits.
        var ceiling = PolicyLineup.CeilingWarning(Demand(new ResourceVector(0.0002, 0, 0, 0)), new ResourceVector(0.0001, 0, 0, 0));
        var cap = PolicyLineup.ReplicaCapWarning(Demand(new ResourceVector(1e30, 0, 0, 0)), Catalog);

        Assert.Contains("(0.0002 cores,", ceiling, StringComparison.Ordinal);
        Assert.Contains("(0.0001 cores,", ceiling, StringComparison.Ordinal);
        Assert.Contains("(1E+30 cores,", cap, StringComparison.Ordinal);
    }

    [Fact]
    public void ReplicaCapWarning_PeakWithinTheLimit_IsNull() =>
        Assert.Null(PolicyLineup.ReplicaCapWarning(Demand(new ResourceVector(8 * 1000, 0, 0, 0)), Catalog));

    [Fact]
    public void ReplicaCapWarning_PeakBeyondTheLimitOfTheLargestShape_Warns()
    {
        // 4096 × 8 cores = 32,768 cores is the most the predictive policy may run on this catalog.
        var warning = PolicyLineup.ReplicaCapWarning(Demand(new ResourceVector(40_000, 0, 0, 0)), Catalog);
        Assert.NotNull(warning);
        Assert.Contains("4096", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void ReplicaCapWarning_DimensionNoShapeProvides_IsLeftToTheReplaysError()
    {
        // The warning said the peak "needs more than 4096 replicas ... scale the trace down" before the replay's error
        // said what was wrong: no shape has any CPU.
        var memoryOnly = new ShapeCatalog([new ResourceShape("mem", new ResourceVector(0, 16, 0, 1), new ShapeProfile(0.1))]);

        Assert.Null(PolicyLineup.ReplicaCapWarning(Demand(new ResourceVector(8, 1, 0, 0)), memoryOnly));
    }

    [Fact]
    public void Create_UnknownHpaShape_ThrowsNamingTheShapes()
    {
        var error = Assert.Throws<ArgumentException>(() => PolicyLineup.Create(Demand(new ResourceVector(1, 1, 0, 0)), Catalog, "huge"));
        Assert.Contains("'huge'", error.Message, StringComparison.Ordinal);
        Assert.Contains("small, large", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", error.Message, StringComparison.Ordinal);
    }
}

public sealed class TraceWindowTests
{
    private static DemandSeries Hourly(int hours) =>
        new("test", new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromHours(1),
            Enumerable.Range(0, hours).Select(h => new ResourceVector(h, 0, 0, 0)));

    [Fact]
    public void LastDays_ShorterThanTrace_KeepsTheLastDaysAndTheirStart()
    {
        var (demand, window) = TraceInput.LastDays(Hourly(10 * 24), 2);
        Assert.Equal(48, demand.Length);
        Assert.Equal(8 * 24, demand.Values[0].CpuCores);
        Assert.Equal(new DateTimeOffset(2024, 1, 9, 0, 0, 0, TimeSpan.Zero), demand.Start);
        Assert.Equal("the last 2 of 10 days", window);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(30)]
    [InlineData(int.MaxValue)] // beyond TimeSpan's range: used to overflow
    public void LastDays_ZeroOrLongerThanTrace_KeepsAll(int days)
    {
        var (demand, window) = TraceInput.LastDays(Hourly(10 * 24), days);
        Assert.Equal(240, demand.Length);
        Assert.Equal("all 10 days", window);
    }

    [Theory]
    [InlineData(15, "all 15 min")] // used to read "all 0 days"
    [InlineData(60, "all 1 h")]
    [InlineData(150, "all 2.5 h")]
    [InlineData(36 * 60, "all 1.5 days")]
    public void LastDays_ShortTrace_DescribesItsSpanInHoursOrMinutes(int minutes, string expected)
    {
        var demand = new DemandSeries("test", new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(1),
            Enumerable.Repeat(new ResourceVector(1, 0, 0, 0), minutes));

        var (kept, window) = TraceInput.LastDays(demand, 0);

        Assert.Equal(minutes, kept.Length);
        Assert.Equal(expected, window);
    }
}
