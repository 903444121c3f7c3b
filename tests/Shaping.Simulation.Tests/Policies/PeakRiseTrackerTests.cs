using Shaping.Core.Resources;
using Shaping.Simulation.Policies;

namespace Shaping.Simulation.Tests.Policies;

public sealed class PeakRiseTrackerTests
{
    // A tracker comparing each bucket with the 2 before it, over a ring of 20, a week of 7 buckets, the 99 % quantile,
    // at most 25 %, once 5 rises are known.
    private static PeakRiseTracker Tracker() => new(window: 2, ring: 20, week: 7, quantile: 0.99, limit: 0.25, minimumSamples: 5);

    private static void Record(PeakRiseTracker tracker, List<ResourceVector> peaks, double cores)
    {
        var peak = new ResourceVector(cores, 0, 0, 0);
        tracker.Record(peaks, peak);
        peaks.Add(peak);
    }

    [Fact]
    public void Margin_BeforeEnoughRises_IsTheLimit()
    {
        var tracker = Tracker();
        var peaks = new List<ResourceVector>();
        foreach (var cores in new[] { 4.0, 4, 4, 4, 4, 4 }) // 4 rises: the first two buckets have no window before them
        {
            Record(tracker, peaks, cores);
        }

        Assert.Equal(0.25, tracker.Margin(0, peaks.Count));
    }

    [Fact]
    public void Margin_PeaksThatNeverPassTheBucketsBefore_IsZero()
    {
        var tracker = Tracker();
        var peaks = new List<ResourceVector>();
        foreach (var cores in new[] { 4.0, 3, 4, 2, 4, 3, 4, 4, 1, 4 })
        {
            Record(tracker, peaks, cores);
        }

        Assert.Equal(0, tracker.Margin(0, peaks.Count));
        Assert.Equal(0.25, tracker.Margin(1, peaks.Count)); // memory never had demand: no rise is known
    }

    [Fact]
    public void Margin_FollowsTheLargestRecentRise_AtMostTheLimit()
    {
        var tracker = Tracker();
        var peaks = new List<ResourceVector>();
        foreach (var cores in new[] { 4.0, 4, 4, 4, 4, 4, 4, 4.4, 4.4, 4.4 }) // one rise of 10 % among 8
        {
            Record(tracker, peaks, cores);
        }

        Assert.Equal(0.1, tracker.Margin(0, peaks.Count), 12);

        Record(tracker, peaks, 8.8); // a rise of 100 %
        Assert.Equal(0.25, tracker.Margin(0, peaks.Count));
    }

    [Fact]
    public void Margin_ARiseAWeekBefore_AppliesToTheSameBucketOnly()
    {
        // A 20 % rise at bucket 9 falls out of a 3-rise ring long before bucket 16, a week (7 buckets) later.
        var tracker = new PeakRiseTracker(window: 2, ring: 3, week: 7, quantile: 0.99, limit: 0.25, minimumSamples: 2);
        var peaks = new List<ResourceVector>();
        for (var b = 0; b < 16; b++)
        {
            Record(tracker, peaks, b == 9 ? 4.8 : 4);
        }

        Assert.Equal(0.2, tracker.Margin(0, 16), 12); // bucket 16 = 9 + 7
        Assert.Equal(0, tracker.Margin(0, 17));
    }
}
