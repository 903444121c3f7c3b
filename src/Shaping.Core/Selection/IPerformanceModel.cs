using Shaping.Core.Resources;

namespace Shaping.Core.Selection;

/// <summary>
/// Scores how well a shape would perform under the predicted load, in [0, 1].
/// </summary>
/// <remarks>
/// <para>
/// The selector takes the model as a generic struct parameter constrained to this interface, so the JIT
/// specialises the scoring loop for each model and inlines <see cref="Score"/>: no virtual call per shape.
/// Implement it on a <see langword="struct"/>; carry configuration in its fields.
/// </para>
/// <para>
/// A model must be monotone: adding capacity in any dimension, or raising the performance factor, must never
/// lower the score. The selector's invariants (and its property tests) rely on it. A score outside [0, 1] or NaN
/// is clamped (NaN counts as 0).
/// </para>
/// </remarks>
public interface IPerformanceModel
{
    /// <summary>Scores one shape.</summary>
    /// <param name="capacity">The shape's capacity.</param>
    /// <param name="performanceFactor">The shape's relative per-core speed.</param>
    /// <param name="inputs">The predicted load, shared by every shape of the selection.</param>
    /// <returns>A score in [0, 1]: 1 is best.</returns>
    double Score(in ResourceVector capacity, double performanceFactor, in PerformanceInputs inputs);
}
