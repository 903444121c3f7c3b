namespace Shaping.Core.Selection;

/// <summary>
/// The outcome of one selection: how many ranked entries were written and how many shapes were feasible.
/// </summary>
/// <param name="Outcome">Whether a feasible shape was found.</param>
/// <param name="Count">How many entries were written to the caller's ranking span, best first.</param>
/// <param name="FeasibleCount">How many shapes of the catalog were feasible (may exceed <paramref name="Count"/>).</param>
/// <param name="CatalogVersion">The version of the catalog that was scored.</param>
public readonly record struct SelectionResult(SelectionOutcome Outcome, int Count, int FeasibleCount, long CatalogVersion)
{
    /// <summary>Gets whether a feasible shape was found.</summary>
    public bool IsSuccess => Outcome == SelectionOutcome.Selected;
}
