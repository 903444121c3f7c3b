using Shaping.Core.Resources;

namespace Shaping.Core.Selection;

/// <summary>
/// What a performance model knows about the predicted load: computed once per selection, shared by every shape.
/// </summary>
/// <param name="ExpectedMean">The expected mean load over the window, per dimension.</param>
/// <param name="RequiredPeak">The peak load at the policy's confidence times (1 + headroom): the feasibility threshold.</param>
public readonly record struct PerformanceInputs(ResourceVector ExpectedMean, ResourceVector RequiredPeak);
