using Shaping.Forecasting.Models;
using Shaping.Forecasting.Selection;
using Shaping.Forecasting.Tests.Models;

namespace Shaping.Forecasting.Tests.Selection;

public sealed class EnsembleForecasterTests
{
    [Fact]
    public void Fit_Median_IsTheMiddleMemberPerStep()
    {
        var ensemble = new EnsembleForecaster(
            [new ConstantForecaster(1), new ConstantForecaster(5), new ConstantForecaster(100)], EnsembleCombination.Median);
        var forecast = new double[4];
        ensemble.Fit([1, 2, 3], 1).ForecastMean(forecast);
        Assert.All(forecast, v => Assert.Equal(5, v));
    }

    [Fact]
    public void Fit_InverseErrorWeighted_FavoursTheMemberThatValidatedBest()
    {
        // The series sits at 10: the member forecasting 10 is perfect on validation (error floored at 0.01 sMAPE).
        double[] x = [.. Enumerable.Repeat(10.0, 100)];
        var ensemble = new EnsembleForecaster(
            [new ConstantForecaster(10), new ConstantForecaster(20)], EnsembleCombination.InverseErrorWeighted, validationLength: 10);
        var model = ensemble.Fit(x, 1);
        var forecast = new double[1];
        model.ForecastMean(forecast);

        // The validation errors are 0.01 (Constant(10): 0 % floored) and 66.7 % (Constant(20) against 10), so the weights
        // 1/error are 100 : 0.015 (0.99985 : 0.00015 normalised) and the forecast is 10 + 10 × 0.00015 ≈ 10.0015, within 0.002 of 10.
        Assert.InRange(forecast[0], 10, 10.002);
        Assert.Contains("Constant(10)", model.Name, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(200.0)]  // 0.01^-200 = 1e400: the best member's weight overflowed to +inf, inf / inf = NaN
    [InlineData(2000.0)] // 66.7^-2000 underflows to 0 too
    public void Fit_InverseErrorWeightedWithALargeExponent_WeightsStayFinite(double exponent)
    {
        // A large exponent (documented as any finite non-negative value) turned the weights into NaN, and Forecast
        // threw "Forecast means must be finite" from the ensemble's own output.
        double[] x = [.. Enumerable.Repeat(10.0, 100)];
        var ensemble = new EnsembleForecaster(
            [new ConstantForecaster(10), new ConstantForecaster(20)], EnsembleCombination.InverseErrorWeighted, validationLength: 10)
        {
            WeightExponent = exponent,
        };
        var model = ensemble.Fit(x, 1);

        var forecast = model.Forecast(3, [0.5]);
        Assert.All(forecast.Mean.ToArray(), v => Assert.Equal(10, v, 9));
        Assert.All(model.Summary.Parameters.Values, w => Assert.True(double.IsFinite(w), $"weight {w}"));
    }

    [Fact]
    public void Fit_FailingMember_IsLeftOut()
    {
        var ensemble = new EnsembleForecaster([new ConstantForecaster(3), new FailingForecaster()], EnsembleCombination.Mean);
        var forecast = new double[2];
        ensemble.Fit([1, 2, 3], 1).ForecastMean(forecast);
        Assert.All(forecast, v => Assert.Equal(3, v));
        Assert.Throws<InvalidOperationException>(() => new EnsembleForecaster([new FailingForecaster()], EnsembleCombination.Mean).Fit([1.0], 1));
    }

    [Fact]
    public void SimulatePaths_RealMembers_FiniteNonNegativeAndQuantilesOrdered()
    {
        var x = ClassicalDecompositionTests.DailyCycle(24 * 14, noise: 5, seed: 9);
        var ensemble = new EnsembleForecaster(
            [new SeasonalNaiveForecaster(), new ThetaForecaster(), new RegressionForecaster()], EnsembleCombination.InverseErrorWeighted);
        var model = ensemble.Fit(x, 24);
        var paths = new double[200 * 48];
        model.SimulatePaths(paths, 48, new Random(4));
        var forecast = model.Forecast(48, [0.05, 0.5, 0.95]);
        model.Update(100);

        Assert.All(paths, v => Assert.True(double.IsFinite(v) && v >= 0));
        for (var h = 0; h < 48; h++)
        {
            Assert.True(forecast.Quantile(0)[h] <= forecast.Quantile(1)[h] && forecast.Quantile(1)[h] <= forecast.Quantile(2)[h]);
        }

        var weights = ((EnsembleModel)model).Weights.ToArray();
        Assert.Equal(1, weights.Sum(), 9);
    }

    [Fact]
    public void Fit_EveryMemberFailsOnTheValidationPrefixOnly_FitsThemOnTheFullHistoryWithEqualWeights()
    {
        // Members that need 60 points: the validation prefix (60 - 48 = 12 points) is too short for both, the full
        // history is not. The ensemble used to throw "every member failed" here.
        var ensemble = new EnsembleForecaster(
            [new NeedsHistoryForecaster(60, 2), new NeedsHistoryForecaster(60, 4)], EnsembleCombination.InverseErrorWeighted);

        var model = (EnsembleModel)ensemble.Fit(Enumerable.Repeat(1.0, 60).ToArray(), 1);

        Assert.Equal([0.5, 0.5], model.Weights.ToArray());
    }

    private sealed class NeedsHistoryForecaster(int minimum, double value) : IForecaster
    {
        public string Name => $"NeedsHistory({minimum}, {value})";

        public IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default) =>
            history.Length < minimum
                ? throw new ArgumentException($"needs {minimum} points", nameof(history))
                : new NaiveModel(value, 1, seasonalPeriod, history.Length, Name);
    }

    private sealed class ConstantForecaster(double value) : IForecaster
    {
        public string Name => $"Constant({value})";

        public IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default) =>
            new NaiveModel(value, 1, seasonalPeriod, history.Length, Name);
    }

    private sealed class FailingForecaster : IForecaster
    {
        public string Name => "Failing";

        public IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("always fails");
    }
}
