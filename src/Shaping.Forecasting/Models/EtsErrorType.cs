namespace Shaping.Forecasting.Models;

/// <summary>How the error enters an ETS model: added to the one-step forecast, or multiplying it.</summary>
public enum EtsErrorType
{
    /// <summary>Additive error (A): the observation is the forecast plus a Gaussian error in the series' unit.</summary>
    Additive = 0,

    /// <summary>Multiplicative error (M): the observation is the forecast times (1 + a Gaussian relative error); needs positive data.</summary>
    Multiplicative,
}
