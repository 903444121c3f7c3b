using Shaping.Core.Resources;

namespace Shaping.Simulation.Policies;

/// <summary>A forecasting policy's predicted interval for one interval's demand (for example P10 to P90).</summary>
/// <param name="Lower">The lower bound per dimension.</param>
/// <param name="Upper">The upper bound per dimension.</param>
public readonly record struct ForecastInterval(ResourceVector Lower, ResourceVector Upper)
{
    /// <summary>Gets whether the actual demand lies within the bounds in every dimension.</summary>
    /// <param name="actual">The demand that happened.</param>
    /// <returns><see langword="true"/> when <c>Lower ≤ actual ≤ Upper</c> in every dimension.</returns>
    public bool Contains(ResourceVector actual) => Lower.FitsWithin(actual) && actual.FitsWithin(Upper);
}
