using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
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

    /// <summary>
    /// The documented work bound of one optimiser stage, which AutoArima's MaxEvaluations promises: with a budget B and k
    /// parameters, at most B + ⌈B / 400⌉·(2k + 3) + 1 objective evaluations (each run of up to 400 also evaluates its
    /// starting simplex and may end its last move past its grant). The extended Rosenbrock function does not converge
    /// within these budgets, so the runs spend them.
    /// </summary>
    [Property(MaxTest = 60)]
    public Property Minimise_AnyBudget_EvaluatesAtMostTheDocumentedBound()
    {
        var cases = Gen.Choose(1, 8).SelectMany(k => Gen.Choose(1, 3000).Select(budget => (k, budget)));
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var evaluations = 0;
            double Rosenbrock(double[] x)
            {
                evaluations++;
                var sum = (1 - x[0]) * (1 - x[0]);
                for (var i = 1; i < x.Length; i++)
                {
                    sum += (100 * (x[i] - (x[i - 1] * x[i - 1])) * (x[i] - (x[i - 1] * x[i - 1]))) + ((1 - x[i]) * (1 - x[i]));
                }

                return sum;
            }

            var start = Enumerable.Repeat(-1.2, c.k).ToArray();
            var step = Enumerable.Repeat(0.1, c.k).ToArray();
            _ = ArimaEstimator.Minimise(Rosenbrock, start, step, c.budget, 1e-15, expired: null, CancellationToken.None);
            var bound = c.budget + (Math.Ceiling(c.budget / 400.0) * ((2 * c.k) + 3)) + 1;
            return evaluations <= bound;
        });
    }
}
