namespace Shaping.Forecasting.Selection;

/// <summary>How <see cref="EnsembleForecaster"/> combines its members' forecasts.</summary>
public enum EnsembleCombination
{
    /// <summary>The per-step median of the members' forecasts (and of their quantiles); members weigh equally. Needs no
    /// validation fits, and one bad member cannot drag the combination.</summary>
    Median = 0,

    /// <summary>A weighted mean, each member weighted by the inverse of its sMAPE on a validation window at the end of
    /// the history (the members are fitted once without the window to score them, then again on the whole history).</summary>
    InverseErrorWeighted = 1,

    /// <summary>The plain per-step mean of the members' forecasts, equal weights.</summary>
    Mean = 2,
}
