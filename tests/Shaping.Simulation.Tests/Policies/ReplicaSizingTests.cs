using Shaping.Core.Resources;
using Shaping.Simulation.Policies;

namespace Shaping.Simulation.Tests.Policies;

public sealed class ReplicaSizingTests
{
    [Fact]
    public void ReplicasToCover_UsesTheShapeNeedingFewest()
    {
        // 100 cores and 100 GiB: g-2xlarge (16 cores, 64 GiB) needs 7, r-xlarge (8, 64) needs 13.
        Assert.Equal(7, ReplicaSizing.ReplicasToCover(TestCatalogs.TShirt(), new ResourceVector(100, 100, 0, 0)));
    }

    [Fact]
    public void ReplicasToCover_DimensionNoShapeHas_IsMaxValue() =>
        Assert.Equal(int.MaxValue, ReplicaSizing.ReplicasToCover(TestCatalogs.Cpu(), new ResourceVector(1, 1, 0, 0)));

    [Fact]
    public void ThresholdMaxReplicas_Ceiling_IsTheReplicasOfTheShapeThatHoldIt()
    {
        // A 16-core, 64 GiB, 12.5 Gbps machine on 4-core, 16 GiB, 5 Gbps replicas: 4 hold it (network needs 3).
        var shape = TestCatalogs.Shape("g-large", 4, 16, 100, 5, 0.1664);
        var machine = new ResourceVector(16, 64, 0, 12.5);

        Assert.Equal(4, ReplicaSizing.ThresholdMaxReplicas(shape, machine));
        Assert.Equal(ThresholdScalingPolicy.DefaultMaxReplicas, ReplicaSizing.ThresholdMaxReplicas(shape, null));
        Assert.Equal(ThresholdScalingPolicy.DefaultMaxReplicas, ReplicaSizing.ThresholdMaxReplicas(shape, machine with { CpuCores = double.PositiveInfinity }));
    }

    [Fact]
    public void PredictiveMaxReplicas_SmallPeak_KeepsTheDefault() =>
        Assert.Equal(new PredictiveShapingOptions().MaxReplicas, ReplicaSizing.PredictiveMaxReplicas(TestCatalogs.TShirt(), new ResourceVector(10, 40, 0, 1)));

    [Fact]
    public void PredictiveMaxReplicas_LargePeak_LetsEveryShapeCoverPeakPlusHalf()
    {
        // 200 cores and 220 GiB × 1.5 = 300 cores, 330 GiB: g-micro (0.5 cores, 1 GiB) needs 600, the most of any shape
        // (g-2xlarge needs 19). Sized for the largest shape only, the cap would stay at the default 256 and bar the
        // configuration that is cheapest per core and per GiB as soon as the policy holds a margin.
        var catalog = TestCatalogs.TShirt();
        var peak = new ResourceVector(200, 220, 0, 0);

        var cap = ReplicaSizing.PredictiveMaxReplicas(catalog, peak);

        Assert.Equal(600, cap);
        Assert.All(catalog.Shapes, shape => Assert.True(peak.Scale(1.5).FitsWithin(shape.Capacity.Scale(cap)), shape.Name));
    }

    [Fact]
    public void PredictiveMaxReplicas_ShapeWithoutANeededDimension_IsIgnored()
    {
        // Memory demand: the CPU-only test catalog cannot cover it at all, so only the limit remains.
        Assert.Equal(PredictiveShapingOptions.MaxReplicasLimit, ReplicaSizing.PredictiveMaxReplicas(TestCatalogs.Cpu(), new ResourceVector(1, 1, 0, 0)));

        // CPU only: cpu-1 needs 1.5 × 400 = 600 replicas.
        Assert.Equal(600, ReplicaSizing.PredictiveMaxReplicas(TestCatalogs.Cpu(), new ResourceVector(400, 0, 0, 0)));
    }

    [Fact]
    public void PredictiveMaxReplicas_PeakBeyondTheLimit_IsClampedAndDoesNotCover()
    {
        var catalog = TestCatalogs.TShirt();
        var peak = new ResourceVector(16 * PredictiveShapingOptions.MaxReplicasLimit * 2, 0, 0, 0);

        var cap = ReplicaSizing.PredictiveMaxReplicas(catalog, peak);

        Assert.Equal(PredictiveShapingOptions.MaxReplicasLimit, cap);
        Assert.False(ReplicaSizing.CoversPeak(catalog, peak, cap));
        _ = new PredictiveShapingPolicy(new PredictiveShapingOptions { MaxReplicas = cap }); // a cap the options accept
    }
}
