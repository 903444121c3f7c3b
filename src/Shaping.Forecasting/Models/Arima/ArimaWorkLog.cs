namespace Shaping.Forecasting.Models.Arima;

/// <summary>
/// What one ARIMA fit did, counted for tests and measurements: how many specifications the search fitted and how many
/// times each optimiser stage evaluated its objective (one conditional sum of squares or one Kalman filter pass over
/// the series). The work bounds of <see cref="Selection.AutoArimaForecaster"/> are stated in these units.
/// </summary>
/// <remarks>Not thread-safe: one log belongs to one fit.</remarks>
internal sealed class ArimaWorkLog
{
    /// <summary>Gets or sets how many specifications the stepwise search fitted (admissible or not).</summary>
    public int ModelsFitted { get; set; }

    /// <summary>Gets or sets how many exact refits of search winners were started.</summary>
    public int Refits { get; set; }

    /// <summary>Gets the optimiser stages in the order they ran.</summary>
    public List<(bool Exact, bool Refit, int Parameters, int Budget, int Evaluations)> Stages { get; } = [];
}
