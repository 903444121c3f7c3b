namespace Shaping.Forecasting.Models.Arima;

/// <summary>What one ARIMA fit found, before (or without) building a forecasting model from it.</summary>
/// <param name="Specification">The orders fitted.</param>
/// <param name="Raw">The optimiser's unconstrained parameter vector at the optimum.</param>
/// <param name="LogLikelihood">The exact log-likelihood, or the CSS one (−n/2·(log 2πσ² + 1)) for a CSS fit.</param>
/// <param name="Sigma2">The innovation variance estimate.</param>
/// <param name="Aic">AIC; for a CSS fit auto.arima's approximation offset + n·log σ² + 2k.</param>
/// <param name="Aicc">The small-sample corrected AIC.</param>
/// <param name="Bic">BIC.</param>
/// <param name="MinRoot">The smallest modulus of the AR and MA roots (+∞ without ARMA terms).</param>
/// <param name="Exact">Whether the fit maximised the exact likelihood (else the conditional sum of squares).</param>
internal sealed record ArimaFitResult(
    ArimaSpecification Specification,
    double[] Raw,
    double LogLikelihood,
    double Sigma2,
    double Aic,
    double Aicc,
    double Bic,
    double MinRoot,
    bool Exact);
