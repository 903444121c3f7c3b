namespace Shaping.Core.Shapes;

/// <summary>
/// The T-shirt size a provider advertises for a shape. Informational: selection never reads it, but
/// reports, dashboards and the shape synthesizer group shapes by it.
/// </summary>
public enum SizeClass
{
    /// <summary>No size class advertised.</summary>
    Unspecified = 0,

    /// <summary>Extra small (burstable, fractional cores).</summary>
    Micro,

    /// <summary>Small.</summary>
    Small,

    /// <summary>Medium.</summary>
    Medium,

    /// <summary>Large.</summary>
    Large,

    /// <summary>Extra large.</summary>
    XLarge,

    /// <summary>A shape proposed by the synthesizer or defined by the operator outside the T-shirt range.</summary>
    Custom,
}
