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

    // A value near double.MaxValue times a factor overflows to infinity. The series used to reject it naming only the
    // interval ("Demand at interval 1 must be finite..."); the model names the column, the slot and its time.
    public static TheoryData<IDemandModel, string> OverflowingModels() => new()
    {
        { new ColumnDemandModel("cpu", "mem", scale: new ResourceVector(1, 10, 1, 1)), "mem" },
        { new ColumnDemandModel("cpu", "mem", scale: new ResourceVector(10, 1, 1, 1)), "cpu" },
        { new RequestRateDemandModel("cpu", TimeSpan.FromSeconds(1), new ResourceVector(2, 0, 0, 0)), "cpu" },
        { new UtilizationDemandModel("cpu", new ResourceVector(4, 16, 0, 5), fullScale: 1), "cpu" },
        { new UtilizationDemandModel("cpu", new ResourceVector(1, 16, 0, 5), fullScale: 1, memoryColumn: "mem"), "mem" },
    };

    [Theory]
    [MemberData(nameof(OverflowingModels))]
    public void Map_DemandOverflows_ThrowsNamingTheColumnSlotAndTime(IDemandModel model, string column)
    {
        var trace = Trace(("cpu", [1, column == "cpu" ? 1e308 : 1]), ("mem", [1, column == "mem" ? 1e308 : 1]));

        var ex = Assert.ThrowsAny<ArgumentException>(() => model.Map(trace));

        Assert.Contains($"column '{column}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("slot 1 (2024-01-01 00:05:00Z)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("1E+308", ex.Message, StringComparison.Ordinal);
        Assert.Equal("trace", ex.ParamName);
    }
}
