namespace Shaping.Forecasting.Models;

/// <summary>The smoothing parameters of an ETS model (R's parameterisation: beta at most alpha, gamma at most 1 - alpha).</summary>
/// <param name="Alpha">The level smoothing parameter.</param>
/// <param name="Beta">The slope smoothing parameter (0 without a trend).</param>
/// <param name="Gamma">The seasonal smoothing parameter (0 without a season).</param>
/// <param name="Phi">The damping parameter (1 for an undamped trend).</param>
internal readonly record struct EtsParameterSet(double Alpha, double Beta, double Gamma, double Phi);
