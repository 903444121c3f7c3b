using Shaping.Forecasting.Models.Arima;

namespace Shaping.Forecasting.Tests.Models.Arima;

public sealed class ArimaEstimatorTests
{
    /// <summary>
    /// The documented promise, "a cancelled fit stops within one evaluation", checked without a clock: the objective
    /// cancels the token at its 50th evaluation, so the point of cancellation is the same on every run, however loaded
    /// the machine, and the optimiser must not evaluate again.
    /// </summary>
    [Fact]
    public void Minimise_CancelledDuringTheOptimisation_StopsBeforeTheNextEvaluation()
    {
        using var source = new CancellationTokenSource();
        var evaluations = 0;
        double Objective(double[] x)
        {
            if (++evaluations == 50)
            {
                source.Cancel();
            }

            return ((x[0] - 3) * (x[0] - 3)) + (10 * (x[1] + 1) * (x[1] + 1));
        }

        Assert.ThrowsAny<OperationCanceledException>(
            () => ArimaEstimator.Minimise(Objective, [0.0, 0.0], [0.1, 0.1], 200_000, 1e-12, expired: null, source.Token));
        Assert.Equal(50, evaluations);
    }

    [Fact]
    public void Minimise_NotCancelled_NeedsMoreThanFiftyEvaluations()
    {
        // The test above would prove nothing if the optimiser finished before its 50th evaluation.
        var evaluations = 0;
        var x = ArimaEstimator.Minimise(
            p => { evaluations++; return ((p[0] - 3) * (p[0] - 3)) + (10 * (p[1] + 1) * (p[1] + 1)); },
            [0.0, 0.0], [0.1, 0.1], 200_000, 1e-12, expired: null, CancellationToken.None);

        Assert.True(evaluations > 50, $"{evaluations} evaluations");
        Assert.Equal(3, x[0], 3);
        Assert.Equal(-1, x[1], 3);
    }
}
