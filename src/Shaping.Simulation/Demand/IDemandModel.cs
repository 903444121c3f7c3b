using Shaping.Simulation.Traces;

namespace Shaping.Simulation.Demand;

/// <summary>
/// Maps a load trace's metric columns to whole-service resource demand per interval.
/// </summary>
/// <remarks>
/// A trace records what was observed (a CPU percentage, a request count); a policy provisions resource vectors.
/// The demand model is the explicit, documented assumption that links the two.
/// </remarks>
public interface IDemandModel
{
    /// <summary>Computes the demand for every slot of a trace.</summary>
    /// <param name="trace">The trace.</param>
    /// <returns>A series on the trace's grid.</returns>
    /// <exception cref="ArgumentException">The trace lacks a column the model needs, or a value is out of range (the message names the column and slot).</exception>
    DemandSeries Map(LoadTrace trace);
}
