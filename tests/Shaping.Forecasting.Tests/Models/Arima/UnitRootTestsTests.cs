using Shaping.Forecasting.Models.Arima;

namespace Shaping.Forecasting.Tests.Models.Arima;

public sealed class UnitRootTestsTests
{
    [Fact]
    public void Kpss_SmallSeriesOneLag_MatchesTheDefinition()
    {
        // urca::ur.kpss(x, type = "mu", use.lag = 1)@teststat by the Kwiatkowski et al. formula (computed independently).
        double[] x = [1, 3, 2, 5, 4, 6, 5, 8, 7, 9, 8, 11];

        Assert.Equal(0.706608113759933, UnitRootTests.Kpss(x, 1), 1e-12);
    }

    [Fact]
    public void Ndiffs_RandomWalk_DifferencesOnce()
    {
        var random = new Random(3);
        var y = new double[500];
        for (var t = 1; t < y.Length; t++)
        {
            y[t] = y[t - 1] + random.NextDouble() - 0.5;
        }

        Assert.Equal(1, UnitRootTests.Ndiffs(y, 2));
    }

    [Fact]
    public void Ndiffs_WhiteNoise_DoesNotDifference()
    {
        var y = ArimaSimulation.Arma11(500, 0, 0, 10, seed: 5);

        Assert.Equal(0, UnitRootTests.Ndiffs(y, 2));
    }

    [Fact]
    public void Nsdiffs_StrongSeasonAndNoise_DecideAsTheThresholdSays()
    {
        var random = new Random(9);
        var seasonal = new double[24 * 20];
        var noise = new double[24 * 20];
        for (var t = 0; t < seasonal.Length; t++)
        {
            var e = random.NextDouble() - 0.5;
            seasonal[t] = 100 + (20 * Math.Sin(2 * Math.PI * t / 24)) + e;
            noise[t] = 100 + e;
        }

        Assert.Equal(1, UnitRootTests.Nsdiffs(seasonal, 24));
        Assert.Equal(0, UnitRootTests.Nsdiffs(noise, 24));
        Assert.True(UnitRootTests.SeasonalStrength(seasonal, 24) > 0.99);
    }
}
