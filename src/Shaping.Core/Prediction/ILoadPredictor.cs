using Shaping.Core.Resources;

namespace Shaping.Core.Prediction;

/// <summary>
/// Port: predicts the load a region will see over a coming window.
/// </summary>
/// <remarks>
/// Implementations keep profiles precomputed and refreshed in the background so that
/// <see cref="TryGetProfile"/> is a lookup on the request path, not a model fit. When no forecast is available an
/// implementation returns a fallback profile (<see cref="ProfileSource.Fallback"/>) saying why, rather than
/// throwing; it returns <see langword="false"/> only when it knows nothing at all about the region.
/// </remarks>
public interface ILoadPredictor
{
    /// <summary>Gets the predicted load profile of a region for a window starting now.</summary>
    /// <param name="region">The region name.</param>
    /// <param name="window">The window length; positive.</param>
    /// <param name="profile">The profile, when one is known.</param>
    /// <returns><see langword="true"/> when a profile was produced.</returns>
    bool TryGetProfile(string region, TimeSpan window, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out LoadProfile? profile);

    /// <summary>Records an observed demand of a region at a time, so that predictions learn from it (the feedback loop).</summary>
    /// <param name="region">The region name.</param>
    /// <param name="timestamp">When the demand was observed.</param>
    /// <param name="demand">The observed demand, in each dimension's unit; finite and non-negative.</param>
    void Observe(string region, DateTimeOffset timestamp, ResourceVector demand);
}
