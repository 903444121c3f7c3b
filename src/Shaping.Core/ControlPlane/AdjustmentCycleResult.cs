namespace Shaping.Core.ControlPlane;

/// <summary>What one cycle of the <see cref="ShapeAdjustmentLoop"/> did.</summary>
/// <param name="Observations">How many observations the utilisation source returned.</param>
/// <param name="Evaluated">How many of them the scaler evaluated (the replica is tracked and its shape is in the scaler's catalog).</param>
/// <param name="Moves">The moves attempted, in observation order.</param>
/// <param name="RegionsObserved">
/// How many regions' demand was handed to the predictor (0 without one): the regions of the read, plus those fed
/// before where no replica runs any more, which observe zero.
/// </param>
public sealed record AdjustmentCycleResult(int Observations, int Evaluated, IReadOnlyList<ShapeMove> Moves, int RegionsObserved)
{
    /// <summary>Gets how many observations were skipped: unknown replicas, or shapes outside the scaler's catalog.</summary>
    public int Skipped => Observations - Evaluated;
}
