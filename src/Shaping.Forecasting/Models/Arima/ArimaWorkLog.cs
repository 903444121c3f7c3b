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

    private int _evaluations;

    /// <summary>Gets the optimiser stages in the order they ran.</summary>
    public List<(bool Exact, bool Refit, int Parameters, int Budget, int Evaluations)> Stages { get; } = [];

    /// <summary>Wraps an objective so that its evaluations count towards the current stage.</summary>
    public Func<double[], double> Counting(Func<double[], double> objective) => x =>
    {
        _evaluations++;
        return objective(x);
    };

    /// <summary>Records the stage that just ended with the evaluations counted since the last one.</summary>
    public void EndStage(bool exact, bool refit, int parameters, int budget)
    {
        Stages.Add((exact, refit, parameters, budget, _evaluations));
        _evaluations = 0;
    }
}
