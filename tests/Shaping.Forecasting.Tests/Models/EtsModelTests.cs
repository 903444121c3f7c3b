using Shaping.Forecasting.Models;

namespace Shaping.Forecasting.Tests.Models;

/// <summary>The simulated intervals of the non-linear ETS models (multiplicative error or season).</summary>
public sealed class EtsModelTests
{
    private static readonly double[] Levels = [0.05, 0.5, 0.95];

    public static TheoryData<EtsErrorType, EtsTrendType, EtsSeasonType> NonLinear => new()
    {
        { EtsErrorType.Multiplicative, EtsTrendType.Additive, EtsSeasonType.Multiplicative },
        { EtsErrorType.Multiplicative, EtsTrendType.None, EtsSeasonType.None },
        { EtsErrorType.Additive, EtsTrendType.AdditiveDamped, EtsSeasonType.Multiplicative },
    };

    [Theory]
    [MemberData(nameof(NonLinear))]
    public void Forecast_NonLinearModel_QuantilesAreThoseOfTheSeededSamplePaths(EtsErrorType error, EtsTrendType trend, EtsSeasonType season)
    {
        const int horizon = 30;
        var model = Fit(error, trend, season);

        var expected = ReferenceQuantiles(model, horizon);
        var first = model.Forecast(horizon, Levels);
        var second = model.Forecast(horizon, Levels);

        for (var k = 0; k < Levels.Length; k++)
        {
            Assert.Equal(expected[k], first.Quantile(k).ToArray());
            Assert.Equal(expected[k], second.Quantile(k).ToArray());
        }
    }

    [Fact]
    public void Forecast_NonLinearModel_AllocatesNoSamplePaths()
    {
        const int horizon = 168;
        var model = Fit(EtsErrorType.Multiplicative, EtsTrendType.Additive, EtsSeasonType.Multiplicative);
        model.Forecast(horizon, Levels); // the first call fills the array pool

        var before = GC.GetAllocatedBytesForCurrentThread();
        model.Forecast(horizon, Levels);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // The returned mean and quantile arrays plus a few small objects; the paths alone would be 2,000 × 168 doubles.
        var returned = (Levels.Length + 1) * horizon * sizeof(double);
        Assert.InRange(allocated, returned, returned + 4096);
    }

    private static EtsModel Fit(EtsErrorType error, EtsTrendType trend, EtsSeasonType season)
    {
        var random = new Random(42);
        var y = Enumerable.Range(0, 240)
            .Select(t => (500 + t + (200 * Math.Sin(2 * Math.PI * t / 24))) * (1 + (0.2 * (random.NextDouble() - 0.5))))
            .ToArray();
        var model = (EtsModel)new EtsForecaster(new EtsSpecification(error, trend, season)).Fit(y, 24);
        Assert.Equal(new EtsSpecification(error, trend, season), model.Specification); // no fallback to a linear model
        return model;
    }

    /// <summary>The quantiles computed directly: every path in one array, each step's values sorted, interpolated
    /// between order statistics, kept ascending across levels and floored at 0.</summary>
    private static double[][] ReferenceQuantiles(EtsModel model, int horizon)
    {
        const int n = EtsModel.SimulationPathCount;
        var paths = new double[n * horizon];
        model.SimulatePaths(paths, horizon, new Random(EtsModel.SimulationSeed));
        var quantiles = Levels.Select(_ => new double[horizon]).ToArray();
        for (var h = 0; h < horizon; h++)
        {
            var column = Enumerable.Range(0, n).Select(p => paths[(p * horizon) + h]).Order().ToArray();
            for (var k = 0; k < Levels.Length; k++)
            {
                var position = Levels[k] * (n - 1);
                var lower = (int)Math.Floor(position);
                var upper = Math.Min(lower + 1, n - 1);
                var value = column[lower] + ((position - lower) * (column[upper] - column[lower]));
                quantiles[k][h] = k > 0 ? Math.Max(value, quantiles[k - 1][h]) : value;
            }
        }

        foreach (var quantile in quantiles)
        {
            EtsModel.FloorAtZero(quantile);
        }

        return quantiles;
    }
}
