using Shaping.Core.Resources;
using Shaping.Simulation.Policies;

namespace Shaping.Simulation.Tests.Policies;

public sealed class StepProfileTests
{
    private static readonly bool[] CpuOnly = [true, false, false, false];

    // Buckets of 4 steps whose demand is 2 cores except a spike to 8 at the third step.
    private static ResourceVector[] HourlySpikes(int buckets)
    {
        var history = new ResourceVector[buckets * 4];
        for (var i = 0; i < history.Length; i++)
        {
            history[i] = new ResourceVector(i % 4 == 2 ? 8 : 2, 0, 0, 0);
        }

        return history;
    }

    [Fact]
    public void BeforeAnyBucket_IsFlat()
    {
        var profile = new StepProfile(stepsPerBucket: 4, window: 10, quantile: 0.5);

        Assert.Equal(1, profile.Share(0, 2));
        Assert.Equal(1, profile.ExpectedRise(0, 2));
        Assert.Equal(1, profile.ExpectedFall(0, 3));
    }

    [Fact]
    public void ARecurringSpike_HasTheWholeShareAtItsPosition_AndTheProfileExpectsItsRiseAndFall()
    {
        var profile = new StepProfile(stepsPerBucket: 4, window: 10, quantile: 0.5);
        profile.Update(HourlySpikes(6), completedBuckets: 6, CpuOnly);

        Assert.Equal(0.25, profile.Share(0, 0));
        Assert.Equal(1, profile.Share(0, 2));
        Assert.Equal(4, profile.ExpectedRise(0, 6)); // into position 2 of the second bucket
        Assert.Equal(1, profile.ExpectedRise(0, 7)); // a fall is no expected rise
        Assert.Equal(0.25, profile.ExpectedFall(0, 3));
        Assert.Equal(1, profile.ExpectedFall(0, 2));
        Assert.Equal(1, profile.Share(1, 0)); // memory never had demand
    }

    [Fact]
    public void Shares_ComeFromTheWindowsLastBucketsOnly()
    {
        var history = HourlySpikes(8);
        for (var i = 0; i < 16; i++)
        {
            history[i] = new ResourceVector(5, 0, 0, 0); // the first 4 buckets are flat
        }

        var profile = new StepProfile(stepsPerBucket: 4, window: 4, quantile: 0.5);
        profile.Update(history, completedBuckets: 8, CpuOnly);
        Assert.Equal(0.25, profile.Share(0, 0));

        profile.Update(history, completedBuckets: 4, CpuOnly);
        Assert.Equal(1, profile.Share(0, 0));
    }
}
