using Shaping.Core.Resources;
using Shaping.Simulation.Demand;
using Shaping.Simulation.Traces;

namespace Shaping.Simulation.Tests.Demand;

public sealed class DemandModelTests
{
    private static LoadTrace Trace(params (string Name, double[] Values)[] columns) => new(
        "t", Series.Start, TimeSpan.FromMinutes(5), columns.ToDictionary(c => c.Name, c => c.Values));

    [Fact]
    public void Utilization_PercentOfMachine_ScalesEveryDimensionByTheMachineRatio()
    {
        var model = new UtilizationDemandModel("value", new ResourceVector(4, 16, 0, 5));

        var demand = model.Map(Trace(("value", [50, 25])));

        Assert.Equal(new ResourceVector(2, 8, 0, 2.5), demand.Values[0]);
        Assert.Equal(new ResourceVector(1, 4, 0, 1.25), demand.Values[1]);
    }

    [Fact]
    public void Utilization_FractionWithMemoryColumn_ReadsMemorySeparately()
    {
        var model = new UtilizationDemandModel("avg_cpu", new ResourceVector(100, 400, 0, 0), fullScale: 1, memoryColumn: "avg_mem");

        var demand = model.Map(Trace(("avg_cpu", [0.5]), ("avg_mem", [0.25])));

        Assert.Equal(new ResourceVector(50, 100, 0, 0), demand.Values[0]);
    }

    [Fact]
    public void Utilization_NegativeValue_ThrowsNamingColumnAndSlot()
    {
        var model = new UtilizationDemandModel("value", new ResourceVector(4, 16, 0, 5));

        var ex = Assert.Throws<ArgumentException>(() => model.Map(Trace(("value", [10, -1]))));

        Assert.Contains("'value'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("slot 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Utilization_MissingColumn_ThrowsListingColumns()
    {
        var model = new UtilizationDemandModel("cpu", new ResourceVector(4, 16, 0, 5));

        var ex = Assert.Throws<ArgumentException>(() => model.Map(Trace(("value", [10]))));

        Assert.Contains("'cpu'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("value", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Utilization_ZeroMachineCores_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new UtilizationDemandModel("v", new ResourceVector(0, 16, 0, 5)));
    }

    [Fact]
    public void RequestRate_RequestsPerMinute_ConvertsToPerSecondAndAddsBaseline()
    {
        var model = new RequestRateDemandModel(
            "count", TimeSpan.FromMinutes(1), new ResourceVector(0.01, 0.02, 0, 0.001), new ResourceVector(0.5, 1, 10, 0));

        var demand = model.Map(Trace(("count", [6000, 0])));

        Assert.Equal(0.5 + 1, demand.Values[0].CpuCores, 9);
        Assert.Equal(1 + 2, demand.Values[0].MemoryGiB, 9);
        Assert.Equal(0.1, demand.Values[0].NetworkGbps, 9);
        Assert.Equal(new ResourceVector(0.5, 1, 10, 0), demand.Values[1]);
    }

    [Fact]
    public void RequestRate_ZeroPerRequestCost_ThrowsNamingTheConstructorParameter()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new RequestRateDemandModel("count", TimeSpan.FromMinutes(1), ResourceVector.Zero));

        Assert.Equal("perRequestPerSecond", error.ParamName);
    }

    [Fact]
    public void Columns_MapsEachDimensionWithItsScale()
    {
        var model = new ColumnDemandModel("cpu", "mem_bytes", scale: new ResourceVector(1, 1.0 / (1 << 30), 1, 1));

        var demand = model.Map(Trace(("cpu", [3]), ("mem_bytes", [2.0 * (1 << 30)])));

        Assert.Equal(new ResourceVector(3, 2, 0, 0), demand.Values[0]);
    }

    [Fact]
    public void Columns_NoColumn_Throws()
    {
        Assert.Throws<ArgumentException>(() => new ColumnDemandModel(null));
    }
}
