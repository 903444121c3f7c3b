namespace Shaping.Forecasting.Models;

/// <summary>The seasonal component of an ETS model.</summary>
public enum EtsSeasonType
{
    /// <summary>No season (N).</summary>
    None = 0,

    /// <summary>Additive season (A): a seasonal offset in the series' unit.</summary>
    Additive,

    /// <summary>Multiplicative season (M): a seasonal factor around 1; needs positive data.</summary>
    Multiplicative,
}
