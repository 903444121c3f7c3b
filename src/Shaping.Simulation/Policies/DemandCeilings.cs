using Shaping.Core.Resources;

namespace Shaping.Simulation.Policies;

/// <summary>
/// The rule shared by the policies' demand ceilings (<see cref="PredictiveShapingOptions.DemandCeiling"/>, the VPA-like
/// policy's <c>maxAllowed</c>, the trailing-peak policy's <c>ceiling</c>): per dimension non-negative, with
/// <see cref="double.PositiveInfinity"/> meaning no ceiling in that dimension.
/// </summary>
internal static class DemandCeilings
{
    /// <summary>Gets whether every dimension of <paramref name="ceiling"/> is non-negative and not NaN (+∞ allowed).</summary>
    public static bool IsValid(ResourceVector ceiling)
    {
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            if (!(ceiling[(Dimension)d] >= 0))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Throws when <paramref name="ceiling"/> is given and not <see cref="IsValid"/>.</summary>
    public static void ThrowIfInvalid(ResourceVector? ceiling, string paramName, string name)
    {
        if (ceiling is { } value && !IsValid(value))
        {
            throw new ArgumentOutOfRangeException(
                paramName, value, $"{name} must be non-negative in every dimension (+∞ for no ceiling in a dimension).");
        }
    }
}
