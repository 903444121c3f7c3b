namespace Shaping.Forecasting.Selection;

/// <summary>The error measure <see cref="ValidatedSelectionForecaster"/> ranks its candidates by.</summary>
public enum ValidationMetric
{
    /// <summary>
    /// MASE, the mean absolute error scaled by the in-sample seasonal naive error. Within one series every
    /// candidate shares the scale, so this ranks exactly as the mean absolute error does.
    /// </summary>
    Mase = 0,

    /// <summary>sMAPE, the symmetric mean absolute percentage error.</summary>
    Smape = 1,
}
