namespace Shaping.Accuracy.EngineReplay;

/// <summary>A clock the replay sets by hand: the engine sees the trace's time, not the machine's.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}
