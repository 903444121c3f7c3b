namespace Shaping.Simulation.Traces;

/// <summary>What happened when a trace was laid on its regular grid.</summary>
/// <param name="Rows">Data rows read from the file, including those read as missing (<see cref="MissingSamples"/>).</param>
/// <param name="Slots">Slots on the regular grid, from the first to the last sample.</param>
/// <param name="GapSlots">Slots with no sample: filled by carrying the previous slot's values forward and flagged.</param>
/// <param name="MergedSamples">Samples that snapped onto a slot another sample already held; they are averaged into it.</param>
/// <param name="MaxJitter">The largest distance of a sample from its grid slot.</param>
public readonly record struct TraceStats(int Rows, int Slots, int GapSlots, int MergedSamples, TimeSpan MaxJitter)
{
    /// <summary>
    /// Gets the rows whose metric cells held a missing-value marker (empty, <c>NaN</c>, <c>null</c> or <c>-</c>) and
    /// were read as absent under <see cref="MissingCellHandling.Gap"/>. Each one inside the trace left its slot a gap
    /// (counted in <see cref="GapSlots"/>) unless another sample shared the slot; those before the first or after the
    /// last complete row were dropped.
    /// </summary>
    /// <value>The default value is 0; always 0 under <see cref="MissingCellHandling.Error"/>.</value>
    public int MissingSamples { get; init; }

    /// <summary>
    /// Gets how many of the <see cref="GapSlots"/> hold a row read as missing (<see cref="MissingSamples"/>): gaps the
    /// file itself marks as missed samples. The others are slots on which no row of the file falls; many of those suggest
    /// a wrong step or misread dates. Missing rows dropped before the first or after the last complete row, and those
    /// sharing a slot with a sample, explain no gap and are not counted.
    /// </summary>
    /// <value>The default value is 0; always 0 under <see cref="MissingCellHandling.Error"/>.</value>
    public int GapSlotsFromMissingSamples { get; init; }
}
