namespace Shaping.Forecasting.Models;

/// <summary>The trend component of an ETS model.</summary>
public enum EtsTrendType
{
    /// <summary>No trend (N).</summary>
    None = 0,

    /// <summary>Additive (linear) trend (A).</summary>
    Additive,

    /// <summary>Additive damped trend (Ad): the slope decays by a factor phi in [0.8, 0.98] per step ahead.</summary>
    AdditiveDamped,
}
