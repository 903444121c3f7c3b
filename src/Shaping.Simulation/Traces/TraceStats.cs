namespace Shaping.Simulation.Traces;

/// <summary>What happened when a trace was laid on its regular grid.</summary>
/// <param name="Rows">Data rows read from the file.</param>
/// <param name="Slots">Slots on the regular grid, from the first to the last sample.</param>
/// <param name="GapSlots">Slots with no sample: filled by carrying the previous slot's values forward and flagged.</param>
/// <param name="MergedSamples">Samples that snapped onto a slot another sample already held; they are averaged into it.</param>
/// <param name="MaxJitter">The largest distance of a sample from its grid slot.</param>
public readonly record struct TraceStats(int Rows, int Slots, int GapSlots, int MergedSamples, TimeSpan MaxJitter);
