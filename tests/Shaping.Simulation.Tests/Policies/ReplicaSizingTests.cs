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
    public void PredictiveMaxReplicas_SmallPeak_KeepsTheDefault() =>
        Assert.Equal(new PredictiveShapingOptions().MaxReplicas, ReplicaSizing.PredictiveMaxReplicas(TestCatalogs.TShirt(), new ResourceVector(10, 40, 0, 1)));

    [Fact]
    public void PredictiveMaxReplicas_LargePeak_CoversPeakPlusHalf()
    {
        // 8000 cores × 1.5 = 12,000 cores = 750 × g-2xlarge; the default of 256 would cover only 4096 cores.
        var catalog = TestCatalogs.TShirt();
        var peak = new ResourceVector(8000, 0, 0, 0);

        var cap = ReplicaSizing.PredictiveMaxReplicas(catalog, peak);

        Assert.Equal(750, cap);
        Assert.True(ReplicaSizing.CoversPeak(catalog, peak, cap));
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
