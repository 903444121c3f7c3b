using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Shaping.Forecasting.Models;

namespace Shaping.Forecasting.Tests.Models;

public sealed class EtsForecasterTests
{
    private static readonly EtsSpecification Aan = new(EtsErrorType.Additive, EtsTrendType.Additive, EtsSeasonType.None);

    [FsCheck.Xunit.Property(MaxTest = 100, Replay = "(12345,6789)")]
    public Property Fit_PureLinearTrend_TrendedModelRecoversTheLine()
    {
        var gen = from intercept in Gen.Choose(10, 1000)
                  from slopeTenths in Gen.Choose(1, 50)
                  from length in Gen.Choose(20, 60)
                  select (intercept, slope: slopeTenths / 10.0, length);
        return Prop.ForAll(gen.ToArbitrary(), c =>
        {
            var y = Enumerable.Range(0, c.length).Select(t => c.intercept + (c.slope * t)).ToArray();
            var model = new EtsForecaster(Aan) { MaxEvaluations = 1000 }.Fit(y, 1);
            var forecast = new double[5];
            model.ForecastMean(forecast);
            for (var h = 0; h < forecast.Length; h++)
            {
                var expected = c.intercept + (c.slope * (c.length + h));
                if (Math.Abs(forecast[h] - expected) > 1e-3 * expected)
                {
                    return false;
                }
            }

            return model.Name == "ETS(A,A,N)";
        });
    }

    [Fact]
    public void Fit_SeasonalSpecificationOnShortSeries_FallsBackWithoutTheSeason()
    {
        var y = Enumerable.Range(0, 30).Select(t => 50 + (10 * Math.Sin(t * Math.PI / 12))).ToArray();
        var model = new EtsForecaster(new EtsSpecification(EtsErrorType.Additive, EtsTrendType.None, EtsSeasonType.Additive)).Fit(y, 24);
        Assert.Equal("ETS(A,N,N)", model.Name);
    }

    [Fact]
    public void Fit_MultiplicativeSpecificationWithZeros_FallsBackToAdditive()
    {
        var y = Enumerable.Range(0, 40).Select(t => (double)(t % 5)).ToArray();
        var model = new EtsForecaster(new EtsSpecification(EtsErrorType.Multiplicative, EtsTrendType.None, EtsSeasonType.None)).Fit(y, 1);
        Assert.StartsWith("ETS(A,", model.Name, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_TooShortForAnything_LevelOnlyFallbackForecastsTheLastValue()
    {
        double[] y = [5, 7, 6];
        var model = new EtsForecaster(Aan).Fit(y, 1);
        var forecast = model.Forecast(3, [0.1, 0.9]);

        Assert.Contains("fallback", model.Name, StringComparison.Ordinal);
        Assert.All(forecast.Mean.ToArray(), v => Assert.Equal(6, v));
        Assert.True(forecast.Quantile(1)[2] > forecast.Quantile(0)[2]);
    }

    /// <summary>Demand in bytes can be large and demand in fractions of a unit small: a multiplicative model is fitted at
    /// 1e30 and at 1e-15 as at 100 (before, every multiplicative-error fit above about 1e19 was inadmissible, and below
    /// about 1e-10 the absolute floor on its forecasts rejected every point, so the forecaster fell back to the
    /// level-only model).</summary>
    [Theory]
    [InlineData(1e-40)]
    [InlineData(1e-15)]
    [InlineData(1e2)]
    [InlineData(1e30)]
    [InlineData(1e90)]
    public void Fit_MultiplicativeSpecificationOnTinyOrLargeValues_FitsIt(double scale)
    {
        double[] y = [.. ClassicalDecompositionTests.DailyCycle(24 * 10, noise: 5, seed: 4).Select(v => v / 100 * scale)];
        var model = new EtsForecaster(new EtsSpecification(EtsErrorType.Multiplicative, EtsTrendType.None, EtsSeasonType.Multiplicative)).Fit(y, 24);

        Assert.Equal("ETS(M,N,M)", model.Name);
        Assert.True(double.IsFinite(model.Summary.Aicc));
    }

    [Fact]
    public void Summary_Aicc_IsAicPlusTheSmallSampleCorrection()
    {
        var random = new Random(7);
        var y = Enumerable.Range(0, 80).Select(t => 100 + t + (5 * random.NextDouble())).ToArray();
        var summary = new EtsForecaster(Aan).Fit(y, 1).Summary;

        // ETS(A,A,N): alpha, beta, l0, b0 and sigma^2.
        const int k = 5;
        var n = summary.ObservationCount;
        Assert.Equal(80, n);
        Assert.Equal((-2 * summary.LogLikelihood) + (2 * k), summary.Aic, 9);
        Assert.Equal(summary.Aic + (2.0 * k * (k + 1) / (n - k - 1)), summary.Aicc, 9);
        Assert.Equal((-2 * summary.LogLikelihood) + (Math.Log(n) * k), summary.Bic, 9);
    }

    [Fact]
    public void Fit_SeasonalSeries_ParametersWithinTheUsualBounds()
    {
        var random = new Random(3);
        var y = Enumerable.Range(0, 96).Select(t => 100 + (20 * Math.Sin(t * Math.PI / 6)) + (3 * random.NextDouble())).ToArray();
        var model = new EtsForecaster(new EtsSpecification(EtsErrorType.Additive, EtsTrendType.AdditiveDamped, EtsSeasonType.Additive)).Fit(y, 12);
        var p = model.Summary.Parameters;

        Assert.Equal("ETS(A,Ad,A)", model.Name);
        Assert.InRange(p["alpha"], 1e-4, 0.9999);
        Assert.InRange(p["beta"], 1e-4, p["alpha"]);
        Assert.InRange(p["gamma"], 1e-4, 1 - p["alpha"]);
        Assert.InRange(p["phi"], 0.8, 0.98);
    }

    [Fact]
    public void Update_AfterWarmUp_AllocatesNothing()
    {
        var random = new Random(11);
        var y = Enumerable.Range(0, 96).Select(t => 100 + (20 * Math.Sin(t * Math.PI / 6)) + (3 * random.NextDouble())).ToArray();
        var model = new EtsForecaster(new EtsSpecification(EtsErrorType.Multiplicative, EtsTrendType.AdditiveDamped, EtsSeasonType.Multiplicative)).Fit(y, 12);
        model.Update(101);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            model.Update(100 + (i % 7));
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void Update_ObservationEqualToItsForecast_AdvancesByOneSlopeStep()
    {
        var random = new Random(5);
        var y = Enumerable.Range(0, 50).Select(t => 10 + (0.5 * t) + random.NextDouble()).ToArray();
        var model = (EtsModel)new EtsForecaster(Aan).Fit(y, 1);
        var before = new double[1];
        model.ForecastMean(before);
        var slope = model.Slope;

        // A zero error leaves the slope alone and moves the level to its forecast: the next forecast is one slope on.
        model.Update(before[0]);
        var after = new double[1];
        model.ForecastMean(after);

        Assert.Equal(slope, model.Slope, 12);
        Assert.Equal(before[0] + slope, after[0], 9);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(-1.0)]
    public void Update_InvalidObservation_Throws(double observation)
    {
        var model = new EtsForecaster(Aan).Fit(Enumerable.Range(0, 30).Select(t => 5.0 + t).ToArray(), 1);
        Assert.Throws<ArgumentException>(() => model.Update(observation));
    }
}
