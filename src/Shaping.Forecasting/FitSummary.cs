namespace Shaping.Forecasting;

/// <summary>What a fit found: the parameters and the information criteria used to choose between models.</summary>
/// <param name="Parameters">Named parameter values (for example alpha, beta, gamma, phi, sigma2).</param>
/// <param name="LogLikelihood">The maximised log-likelihood; NaN for methods without a likelihood (naive baselines).</param>
/// <param name="Aic">Akaike's information criterion; NaN when there is no likelihood.</param>
/// <param name="Aicc">The small-sample corrected AIC, which AutoEts minimises; NaN when there is no likelihood.</param>
/// <param name="Bic">The Bayesian information criterion; NaN when there is no likelihood.</param>
/// <param name="Sigma2">The residual variance on the model's error scale.</param>
/// <param name="ObservationCount">How many observations the fit used.</param>
public sealed record FitSummary(
    IReadOnlyDictionary<string, double> Parameters,
    double LogLikelihood,
    double Aic,
    double Aicc,
    double Bic,
    double Sigma2,
    int ObservationCount);
