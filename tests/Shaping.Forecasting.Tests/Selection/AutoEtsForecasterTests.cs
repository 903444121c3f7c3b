using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Shaping.Forecasting.Selection;

namespace Shaping.Forecasting.Tests.Selection;

public sealed class AutoEtsForecasterTests
{
    private static readonly double[] Levels = [0.025, 0.1, 0.5, 0.9, 0.975];

    private static readonly AutoEtsForecaster Fast = new() { MaxEvaluationsPerModel = 300 };

    [FsCheck.Xunit.Property(MaxTest = 100, Replay = "(4242,4243)")]
    public Property Fit_ConstantSeries_ForecastsTheConstantWithZeroWidthIntervals()
    {
        var gen = from value in Gen.Choose(0, 100_000)
                  from length in Gen.Choose(1, 60)
                  from period in Gen.Elements(1, 4, 12)
                  select (value: value / 10.0, length, period);
        return Prop.ForAll(gen.ToArbitrary(), c =>
        {
            var model = Fast.Fit(Enumerable.Repeat(c.value, c.length).ToArray(), c.period);
            var forecast = model.Forecast(12, Levels);
            for (var h = 0; h < forecast.Horizon; h++)
            {
                if (forecast.Mean[h] != c.value)
                {
                    return false;
                }

                for (var k = 0; k < Levels.Length; k++)
                {
                    if (forecast.Quantile(k)[h] != c.value)
                    {
                        return false;
                    }
                }
            }

            return true;
        });
    }

    [FsCheck.Xunit.Property(MaxTest = 100, Replay = "(777,779)")]
    public Property Fit_AnyFiniteNonNegativeSeries_ForecastsAreFiniteAndQuantilesMonotone()
    {
        var gen = from length in Gen.Choose(1, 50)
                  from period in Gen.Elements(1, 4)
                  from values in Gen.ArrayOf(Gen.Choose(0, 1000).Select(v => v * v / 100.0), length)
                  select (values, period);
        return Prop.ForAll(gen.ToArbitrary(), c =>
        {
            var model = Fast.Fit(c.values, c.period);
            var forecast = model.Forecast(8, Levels);
            for (var h = 0; h < forecast.Horizon; h++)
            {
                if (!double.IsFinite(forecast.Mean[h]))
                {
                    return false;
                }

                for (var k = 0; k < Levels.Length; k++)
                {
                    var q = forecast.Quantile(k)[h];
                    if (!double.IsFinite(q) || (k > 0 && q < forecast.Quantile(k - 1)[h]))
                    {
                        return false;
                    }
                }
            }

            return true;
        });
    }

    [Fact]
    public void Fit_LinearTrend_ChoosesATrendedModelThatExtrapolatesTheLine()
    {
        var y = Enumerable.Range(0, 60).Select(t => 200 + (3.0 * t)).ToArray();
        var model = new AutoEtsForecaster().Fit(y, 1);
        var forecast = new double[6];
        model.ForecastMean(forecast);

        Assert.Matches(@"ETS\([AM],A,N\)", model.Name);
        for (var h = 0; h < forecast.Length; h++)
        {
            Assert.Equal(200 + (3.0 * (60 + h)), forecast[h], 0.01 * forecast[h]);
        }
    }

    [Fact]
    public void Fit_SeasonalSeries_ChoosesASeasonalModelWithSensibleForecasts()
    {
        var random = new Random(21);
        var y = Enumerable.Range(0, 24 * 8).Select(t => 100 + (30 * Math.Sin(2 * Math.PI * t / 24)) + (2 * random.NextDouble())).ToArray();
        var model = Fast.Fit(y, 24);
        var forecast = model.Forecast(24, Levels);

        Assert.EndsWith(",A)", model.Name.Replace(",M)", ",A)", StringComparison.Ordinal), StringComparison.Ordinal);
        for (var h = 0; h < 24; h++)
        {
            var truth = 101 + (30 * Math.Sin(2 * Math.PI * (y.Length + h) / 24));
            Assert.InRange(forecast.Mean[h], truth - 6, truth + 6);
            Assert.InRange(truth, forecast.Quantile(0)[h] - 3, forecast.Quantile(4)[h] + 3);
        }
    }

    [Fact]
    public void Candidates_PositiveHourlySeries_IsRsDefaultSetOfFifteen()
    {
        var candidates = AutoEtsForecaster.Candidates(960, 24, strictlyPositive: true);
        Assert.Equal(15, candidates.Count);
        Assert.DoesNotContain(candidates, c => c.ToString() == "ETS(A,N,M)");
        Assert.Equal(6, AutoEtsForecaster.Candidates(960, 24, strictlyPositive: false).Count);
        Assert.Equal(3, AutoEtsForecaster.Candidates(960, 48, strictlyPositive: false).Count);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(-0.5)]
    public void Fit_InvalidValue_ThrowsArgumentException(double bad)
    {
        double[] y = [1, 2, bad, 4];
        Assert.Throws<ArgumentException>(() => new AutoEtsForecaster().Fit(y, 1));
    }

    [Fact]
    public void Fit_EmptyHistoryOrBadPeriod_Throws()
    {
        Assert.Throws<ArgumentException>(() => new AutoEtsForecaster().Fit([], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AutoEtsForecaster().Fit([1.0, 2.0], 0));
    }

    [Fact]
    public void SimulatePaths_SameSeed_SameNumbers()
    {
        var y = Enumerable.Range(0, 48).Select(t => 50 + (10 * Math.Sin(t / 3.0)) + (t % 5)).ToArray();
        var model = Fast.Fit(y, 4);
        var first = new double[40];
        var second = new double[40];
        model.SimulatePaths(first, 8, new Random(9));
        model.SimulatePaths(second, 8, new Random(9));

        Assert.Equal(first, second);
        Assert.All(first, v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void Fit_OneHugeSpike_IntervalsAndPathsStayFinite()
    {
        // A spike inflates a multiplicative-error model's relative variance (σ² ≈ 1.6e15): compounding draws used to
        // overflow, so Forecast threw "quantiles must be finite" and the paths held infinities.
        var y = Enumerable.Repeat(10.0, 99).Append(1e9).ToArray();
        var model = new AutoEtsForecaster().Fit(y, 1);

        var forecast = model.Forecast(200, Levels);
        var paths = new double[500 * 200];
        model.SimulatePaths(paths, 200, new Random(1));
        var window = Shaping.Forecasting.Intervals.WindowDistribution.Compute(model, 200);

        for (var k = 0; k < Levels.Length; k++)
        {
            Assert.All(forecast.Quantile(k).ToArray(), v => Assert.True(double.IsFinite(v) && v >= 0, $"quantile {v}"));
        }

        Assert.All(paths, v => Assert.True(double.IsFinite(v) && v >= 0, $"path value {v}"));
        Assert.True(double.IsFinite(window.Peak.Quantile(0.99)) && double.IsFinite(window.Mean.Mean), $"{window}");
    }

    [Fact]
    public void Fit_ExactlyPeriodicSeriesWithZeros_KeepsTheSeasonalModel()
    {
        // An exact fit used to get log(0) = −∞ as its likelihood, and AutoEts dropped it for a flat forecast.
        var y = Enumerable.Range(0, 24 * 8).Select(t => (double)(t % 24)).ToArray();
        var model = new AutoEtsForecaster().Fit(y, 24);
        var mean = new double[24];
        model.ForecastMean(mean);

        Assert.Equal(Enumerable.Range(0, 24).Select(v => (double)v), mean.Select(v => Math.Round(v, 6)));
    }
}
