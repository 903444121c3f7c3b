using Shaping.Core.Resources;
using Shaping.Simulation.Policies;

namespace Shaping.Simulation.Tests.Policies;

public sealed class StepRiseTrackerTests
{
    private static readonly bool[] CpuOnly = [true, false, false, false];

    // A ring of 20 rises, their 99 % quantile, once 5 are known.
    private static StepRiseTracker Tracker() => new(ring: 20, quantile: 0.99, minimumSamples: 5);

    private static void Walk(StepRiseTracker tracker, params double[] cores)
    {
        for (var i = 1; i < cores.Length; i++)
        {
            tracker.Record(new ResourceVector(cores[i - 1], 0, 0, 0), new ResourceVector(cores[i], 0, 0, 0));
        }

        tracker.Update(CpuOnly);
    }

    [Fact]
    public void Margin_BeforeEnoughRises_IsTheLimit()
    {
        var tracker = Tracker();
        Walk(tracker, 4, 4, 4, 4, 4); // 4 rises

        Assert.Equal(0.25, tracker.Margin(0.25, 0, lastRise: 0));
    }

    [Fact]
    public void Margin_OfSmoothDemand_IsItsLargestRecentRise()
    {
        var tracker = Tracker();
        Walk(tracker, 4, 4.2, 4, 4.1, 4, 4, 4, 4, 4); // rises of 5 %, 0, 2.5 % and zeros

        Assert.Equal(0.05, tracker.Margin(0.25, 0, lastRise: 0), 12);
    }

    [Fact]
    public void Margin_AfterAJumpLargerThanAnyRecentOne_IsTheJump_AtMostTheLimit()
    {
        var tracker = Tracker();
        Walk(tracker, 4, 4, 4, 4, 4, 4, 4);

        Assert.Equal(0.1, tracker.Margin(0.25, 0, lastRise: 0.1), 12);
        Assert.Equal(0.25, tracker.Margin(0.25, 0, lastRise: double.PositiveInfinity));
    }

    [Fact]
    public void StepsFromZero_AreNoRiseSamples()
    {
        var tracker = Tracker();
        Walk(tracker, 0, 4, 0, 4, 0, 4, 0, 4, 4, 4); // four starts from zero, five real steps (2 of them 0 → 4 → 0 falls)

        // Five real rises (all 0 or falls) are enough: a start from zero counted as a rise would have made it the limit.
        Assert.Equal(0, tracker.Margin(0.25, 0, lastRise: 0));
        Assert.Equal(0.25, tracker.Margin(0.25, 1, lastRise: 0)); // memory never had demand
    }
}
