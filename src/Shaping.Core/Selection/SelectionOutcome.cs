namespace Shaping.Core.Selection;

/// <summary>Why a selection ended as it did.</summary>
public enum SelectionOutcome
{
    /// <summary>At least one shape is feasible; the ranking holds the best ones.</summary>
    Selected = 0,

    /// <summary>No shape in the catalog covers the predicted peak with the policy's headroom and confidence.</summary>
    NoFeasibleShape,
}
