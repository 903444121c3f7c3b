using Shaping.Simulation.Policies;

namespace Shaping.Simulation.Tests.Policies;

public sealed class ThresholdScalingPolicyTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private static int[] Replay(ThresholdScalingPolicy policy, params double[] cores)
    {
        var result = new BacktestSimulator(TestCatalogs.Cpu()).Run(Series.Cpu(Minute, cores), policy);
        return [.. result.Steps.Select(s => s.Replicas)];
    }

    [Fact]
    public void Decide_LoadJumps_ScalesUpAtTheNextInterval()
    {
        var policy = new ThresholdScalingPolicy("cpu-1", targetUtilization: 0.5, initialReplicas: 2);

        var replicas = Replay(policy, 1, 1, 4, 4);

        // Interval 3 is decided after seeing interval 2's 4 cores: ceil(2 × (4 / 2) / 0.5) = 8.
        Assert.Equal([2, 2, 2, 8], replicas);
    }

    [Fact]
    public void Decide_LoadDrops_ScalesDownOnlyAfterThreeHundredSeconds()
    {
        var policy = new ThresholdScalingPolicy("cpu-1", targetUtilization: 0.5, initialReplicas: 2);

        var replicas = Replay(policy, 1, 1, 4, 4, 4, 1, 1, 1, 1, 1, 1, 1);

        // The last high recommendation is made at interval 5 (seeing interval 4); low ones from interval 6.
        // It stays at 8 while that recommendation is within 300 s and drops at interval 10 (= 5 + 300 s).
        Assert.Equal([2, 2, 2, 8, 8, 8, 8, 8, 8, 8, 2, 2], replicas);
    }

    [Fact]
    public void Decide_ShortWindow_ScalesDownSooner()
    {
        var policy = new ThresholdScalingPolicy(
            "cpu-1", targetUtilization: 0.5, scaleDownStabilization: TimeSpan.FromMinutes(1), initialReplicas: 2);

        var replicas = Replay(policy, 1, 1, 4, 4, 4, 1, 1, 1);

        Assert.Equal([2, 2, 2, 8, 8, 8, 2, 2], replicas);
    }

    [Theory]
    [InlineData(1.08, 2)]
    [InlineData(0.92, 2)]
    [InlineData(1.12, 3)]
    public void Decide_WithinTolerance_KeepsReplicaCount(double observedCores, int expected)
    {
        var policy = new ThresholdScalingPolicy(
            "cpu-1", targetUtilization: 0.5, scaleDownStabilization: TimeSpan.Zero, initialReplicas: 2);

        var replicas = Replay(policy, observedCores, observedCores);

        Assert.Equal(expected, replicas[1]);
    }

    [Fact]
    public void Decide_ZeroLoad_StaysAtMinReplicas()
    {
        var policy = new ThresholdScalingPolicy("cpu-1", minReplicas: 2, initialReplicas: 3, scaleDownStabilization: TimeSpan.Zero);

        var replicas = Replay(policy, 0, 0, 0);

        Assert.Equal([3, 2, 2], replicas);
    }

    [Fact]
    public void Decide_UnknownShape_ThrowsNamingIt()
    {
        var policy = new ThresholdScalingPolicy("nope");

        var ex = Assert.Throws<InvalidOperationException>(() => Replay(policy, 1));

        Assert.Contains("nope", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1.5)]
    public void Constructor_BadTarget_Throws(double target)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ThresholdScalingPolicy("cpu-1", targetUtilization: target));
    }
}
