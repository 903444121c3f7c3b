namespace Shaping.Core.Scaling;

/// <summary>The outcome of one <see cref="HysteresisScaler"/> step.</summary>
/// <param name="Action">Stay, move up or move down.</param>
/// <param name="TargetShapeIndex">The catalog index of the shape to run on: the target of a move, or the current shape when staying.</param>
/// <param name="Reason">Why.</param>
public readonly record struct ScalerDecision(ScalerAction Action, int TargetShapeIndex, ScalerReason Reason)
{
    /// <summary>Gets whether the decision is a move (up or down).</summary>
    public bool IsMove => Action != ScalerAction.Stay;

    /// <summary>Creates a decision to keep the current shape.</summary>
    /// <param name="currentShapeIndex">The current shape's catalog index.</param>
    /// <param name="reason">Why.</param>
    /// <returns>The decision.</returns>
    public static ScalerDecision Stay(int currentShapeIndex, ScalerReason reason) => new(ScalerAction.Stay, currentShapeIndex, reason);
}
