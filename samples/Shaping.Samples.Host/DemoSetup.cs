using Shaping.Core.Provisioning;
using Shaping.Core.Resources;

namespace Shaping.Samples.Host;

/// <summary>One demo region: its capacity, its in-memory control plane's faults, and its load today and yesterday.</summary>
/// <param name="Name">The region name.</param>
/// <param name="Capacity">What the region's capacity ledger holds in total.</param>
/// <param name="Region">The in-memory control plane, with latency and injected faults.</param>
/// <param name="Today">The synthetic load the utilisation source applies while the demo runs.</param>
/// <param name="Yesterday">The load the predictor learned from before the demo (its history).</param>
internal sealed record DemoRegion(string Name, ResourceVector Capacity, InMemoryRegion Region, SyntheticLoadModel Today, SyntheticLoadModel Yesterday);

/// <summary>
/// The demo's world: three regions with latency and faults, and a compressed "day" (one load cycle every
/// <see cref="Day"/> of wall time) so that the adjustment loop has something to react to within seconds.
/// </summary>
internal sealed class DemoSetup
{
    /// <summary>One load cycle ("a day") in wall time.</summary>
    public static readonly TimeSpan Day = TimeSpan.FromSeconds(16);

    /// <summary>How long the adjustment loop is watched after the requests.</summary>
    public static readonly TimeSpan LoopRun = TimeSpan.FromSeconds(16);

    public DemoSetup(TimeProvider time)
    {
        Start = time.GetUtcNow();

        // Every region's load peaks 9 s after start: at start it is low (near the night of the compressed day).
        var peakOffset = TimeSpan.FromTicks((Start - DateTimeOffset.UnixEpoch + TimeSpan.FromSeconds(9)).Ticks % Day.Ticks);
        SyntheticLoadModel Load(double cores, double memoryGiB, double amplitude) =>
            new(new ResourceVector(cores, memoryGiB, cores * 5, cores / 4), amplitude, noise: 0.05, period: Day, peakOffset: peakOffset);

        Regions =
        [
            // Large and flaky: a third of the calls fail transiently, one in ten loses its answer after acting.
            // Today's traffic is twice yesterday's (a launch), so replicas sized on history come under pressure.
            new("eu-west", new ResourceVector(128, 512, 8000, 200), new InMemoryRegion("eu-west", seed: 11, time)
            {
                Latency = TimeSpan.FromMilliseconds(40), TransientFailureRate = 0.3, LostResponseRate = 0.1,
            }, Load(16, 56, 0.6), Load(8, 28, 0.6)),

            // Small: a request doesn't fit its best-ranked shape and falls back to the next one; later moves may find no room.
            new("us-east", new ResourceVector(48, 160, 4000, 60), new InMemoryRegion("us-east", seed: 12, time)
            {
                Latency = TimeSpan.FromMilliseconds(60), TransientFailureRate = 0.1,
            }, Load(7, 24, 0.5), Load(7, 24, 0.5)),

            // Down while the requests arrive: its requests fail over to eu-west.
            new("ap-south", new ResourceVector(64, 256, 4000, 60), new InMemoryRegion("ap-south", seed: 13, time)
            {
                Latency = TimeSpan.FromMilliseconds(80), IsOutage = true,
            }, Load(4, 12, 0.5), Load(4, 12, 0.5)),
        ];
    }

    /// <summary>Gets when the demo started: the clock's origin for every printed offset.</summary>
    public DateTimeOffset Start { get; }

    public IReadOnlyList<DemoRegion> Regions { get; }
}
