namespace Shaping.Core.Prediction;

/// <summary>Where a <see cref="LoadProfile"/> came from, so callers and telemetry can tell a forecast from a fallback.</summary>
public enum ProfileSource
{
    /// <summary>Supplied directly by the caller or the operator (a static or manual profile).</summary>
    Manual = 0,

    /// <summary>A statistical forecast of the window, from fitted models.</summary>
    Forecast,

    /// <summary>Recent observations summarised without a forecast model (for example a percentile recommender).</summary>
    Observed,

    /// <summary>
    /// A fallback used because the preferred source could not answer (series too short, fit failed, forecast
    /// stale); <see cref="LoadProfile.Note"/> says why.
    /// </summary>
    Fallback,
}
