using Shaping.Core.Scaling;
using Shaping.Core.Shapes;

namespace Shaping.Core.ControlPlane;

/// <summary>One move the adjustment loop attempted.</summary>
/// <param name="Region">The replica's region.</param>
/// <param name="ReplicaId">The replica.</param>
/// <param name="From">The shape it ran on.</param>
/// <param name="To">The shape the scaler chose.</param>
/// <param name="Decision">The scaler's decision (direction and reason).</param>
/// <param name="Outcome">What became of it.</param>
/// <param name="Timestamp">The time of the observation that led to it.</param>
public sealed record ShapeMove(
    string Region,
    string ReplicaId,
    ResourceShape From,
    ResourceShape To,
    ScalerDecision Decision,
    ShapeMoveOutcome Outcome,
    DateTimeOffset Timestamp)
{
    /// <summary>Gets whether the replica now runs on <see cref="To"/>.</summary>
    public bool IsApplied => Outcome is ShapeMoveOutcome.Applied or ShapeMoveOutcome.AppliedUncommitted;
}
