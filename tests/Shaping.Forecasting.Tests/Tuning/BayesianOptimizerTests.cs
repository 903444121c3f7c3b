using Shaping.Forecasting.Tuning;

namespace Shaping.Forecasting.Tests.Tuning;

public sealed class BayesianOptimizerTests
{
    private const double BraninMinimum = 0.397887;

    public static double Branin(double[] x)
    {
        var (x1, x2) = (x[0], x[1]);
        var b = 5.1 / (4 * Math.PI * Math.PI);
        var c = 5 / Math.PI;
        var t = 1 / (8 * Math.PI);
        var a = x2 - (b * x1 * x1) + (c * x1) - 6;
        return (a * a) + (10 * (1 - t) * Math.Cos(x1)) + 10;
    }

    [Fact]
    public void Minimize_Branin_FindsMinimumWithinOnePercentIn60Evaluations()
    {
        var optimizer = new BayesianOptimizer(
            [SearchDimension.Continuous("x1", -5, 10), SearchDimension.Continuous("x2", 0, 15)], seed: 1);

        var result = optimizer.Minimize(Branin, 60);

        Assert.Equal(60, result.Evaluations);
        Assert.InRange(result.BestValue, BraninMinimum, BraninMinimum * 1.01);
    }

    [Fact]
    public void Minimize_MixedSpace_FindsCategoryAndInteger()
    {
        // f = (k − 7)² + 5·[c ≠ 2] + (x − 0.3)²: minimum 0 at k = 7, c = 2, x = 0.3.
        var optimizer = new BayesianOptimizer(
            [SearchDimension.Discrete("k", 0, 20), SearchDimension.Categorical("c", 4), SearchDimension.Continuous("x", -1, 1)],
            seed: 3);

        var result = optimizer.Minimize(p => Math.Pow(p[0] - 7, 2) + (p[1] == 2 ? 0 : 5) + Math.Pow(p[2] - 0.3, 2), 40);

        Assert.Equal(7, result.BestPoint[0]);
        Assert.Equal(2, result.BestPoint[1]);
        Assert.InRange(result.BestPoint[2], 0.1, 0.5);
    }

    [Fact]
    public void Tell_WarmStart_BestPointIsKeptAndCountsTowardsInitialDesign()
    {
        var optimizer = new BayesianOptimizer([SearchDimension.Continuous("x", 0, 1)], seed: 2, initialPoints: 3);
        optimizer.Tell([0.5], 1.0);
        optimizer.Tell([0.2], 0.5);

        var result = optimizer.Minimize(p => 10 + p[0], 1);

        Assert.Equal(0.5, result.BestValue);
        Assert.Equal(0.2, result.BestPoint[0]);
        Assert.Equal(3, optimizer.ObservationCount);
    }

    [Theory]
    [InlineData(1e200)]
    [InlineData(1e300)]
    [InlineData(1.7e308)]
    public void Suggest_HugeObjectiveValues_StillFavoursTheBetterRegion(double scale)
    {
        // f = scale × (1 + (x − 0.2)² + (y − 0.7)²)/3. The Gaussian process standardises the targets, so scaling them
        // should not change where it looks. Before: their variance overflowed, every prediction was NaN and Suggest
        // returned its first random candidate.
        double F(double x, double y) => scale * ((1 + ((x - 0.2) * (x - 0.2)) + ((y - 0.7) * (y - 0.7))) / 3);
        BayesianOptimizer Told(double factor)
        {
            var optimizer = new BayesianOptimizer([SearchDimension.Continuous("x", 0, 1), SearchDimension.Continuous("y", 0, 1)], seed: 6);
            var random = new Random(11);
            for (var i = 0; i < 12; i++)
            {
                var (x, y) = (random.NextDouble(), random.NextDouble());
                optimizer.Tell([x, y], F(x, y) * factor);
            }

            return optimizer;
        }

        var huge = Told(1).Suggest();
        var ordinary = Told(1 / scale).Suggest();

        Assert.InRange(Math.Abs(huge[0] - 0.2) + Math.Abs(huge[1] - 0.7), 0, 0.3);
        Assert.InRange(Math.Abs(huge[0] - ordinary[0]) + Math.Abs(huge[1] - ordinary[1]), 0, 0.05);
    }

    [Fact]
    public void Tell_ValueOutsideDimension_Throws()
    {
        var optimizer = new BayesianOptimizer([SearchDimension.Discrete("k", 0, 3)]);
        Assert.Throws<ArgumentException>("point", () => optimizer.Tell([1.5], 0));
        Assert.Throws<ArgumentException>("point", () => optimizer.Tell([4], 0));
    }

    [Fact]
    public void Minimize_FailedEvaluations_AreAvoidedNotFatal()
    {
        var optimizer = new BayesianOptimizer([SearchDimension.Continuous("x", 0, 1)], seed: 4);
        var result = optimizer.Minimize(p => p[0] > 0.8 ? double.NaN : Math.Pow(p[0] - 0.5, 2), 20);
        Assert.InRange(result.BestPoint[0], 0.4, 0.6);
    }

    [Fact]
    public void Suggest_DiscreteUpToIntMaxValue_DrawsInRange()
    {
        // The exclusive bound Upper + 1 overflowed int: Random.Next threw ArgumentOutOfRangeException.
        var optimizer = new BayesianOptimizer([SearchDimension.Discrete("n", 0, int.MaxValue), SearchDimension.Continuous("x", 0, 1)], seed: 3);
        for (var i = 0; i < 5; i++)
        {
            var point = optimizer.Suggest();
            Assert.InRange(point[0], 0, int.MaxValue);
            Assert.Equal(Math.Round(point[0]), point[0]);
            optimizer.Tell(point, point[1]);
        }
    }

    [Fact]
    public void Continuous_RangeWiderThanTheLargestDouble_IsRejectedAtCreation()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => SearchDimension.Continuous("x", -double.MaxValue, double.MaxValue));
        Assert.Equal("upper", error.ParamName);
        Assert.True(double.IsFinite(SearchDimension.Continuous("y", -1e307, 1e307).Upper));
    }
}
