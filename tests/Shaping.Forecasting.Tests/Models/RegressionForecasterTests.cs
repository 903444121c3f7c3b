using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Shaping.Forecasting.Models;

namespace Shaping.Forecasting.Tests.Models;

public sealed class RegressionForecasterTests
{
    private static readonly double[] ShortHistory = [40, 70, 46];

    [Fact]
    public void Fit_TrendPlusTwoHarmonics_RecoversCoefficients()
    {
        // z_t = 100 + 20·t/n + 10·sin(2πt/24) + 5·cos(4πt/24) + N(0, 0.5²)
        const int n = 24 * 30;
        var random = new Random(3);
        var x = new double[n];
        for (var t = 0; t < n; t++)
        {
            x[t] = 100 + (20.0 * t / n) + (10 * Math.Sin(2 * Math.PI * t / 24)) + (5 * Math.Cos(4 * Math.PI * t / 24))
                + (0.5 * BaselineMathGaussian(random));
        }

        var forecaster = new RegressionForecaster { SeasonalPeriods = [24], Harmonics = 2, ChangePoints = 0, SeasonalPenalty = 0 };
        var model = (RegressionModel)forecaster.Fit(x, 24);

        // Columns: intercept, slope, sin 1, cos 1, sin 2, cos 2.
        double[] expected = [100, 20, 10, 0, 0, 5];
        var beta = model.Coefficients.ToArray();
        Assert.Equal(expected.Length, beta.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(beta[i] - expected[i]) < 0.15, $"coefficient {i}: {beta[i]} vs {expected[i]}");
        }

        Assert.Equal("Regression", model.Name);
    }

    [Fact]
    public void FitWithEvents_WeeklyPromotion_EffectLearntAndForecastForFutureOccurrence()
    {
        // A daily cycle around 200 with a 6-hour promotion every Saturday that adds 80; the next one lies in the horizon.
        var start = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero); // a Monday
        const int n = 24 * 7 * 6;
        var events = Enumerable.Range(0, 7)
            .Select(w => new KnownEvent("promo", start.AddDays((7 * w) + 5).AddHours(12), start.AddDays((7 * w) + 5).AddHours(18)))
            .ToList();
        var timeline = new EventTimeline(start, TimeSpan.FromHours(1), events);
        var random = new Random(8);
        var x = new double[n];
        var activity = new double[1];
        for (var t = 0; t < n; t++)
        {
            timeline.Activity(t, activity);
            x[t] = 200 + (30 * Math.Sin(2 * Math.PI * t / 24)) + (80 * activity[0]) + (2 * BaselineMathGaussian(random));
        }

        var forecaster = new RegressionForecaster { SeasonalPeriods = [24] };
        var model = forecaster.FitWithEvents(x, 24, timeline);
        var withoutEvents = forecaster.Fit(x, 24);

        Assert.InRange(model.Summary.Parameters["event0"], 75, 85);
        var forecast = new double[24 * 7];
        var plain = new double[24 * 7];
        model.ForecastMean(forecast);
        withoutEvents.ForecastMean(plain);

        // The seventh Saturday, 12:00-18:00, is steps 5·24 + 12 … + 17 of the horizon.
        for (var h = (5 * 24) + 12; h < (5 * 24) + 18; h++)
        {
            Assert.InRange(forecast[h] - (200 + (30 * Math.Sin(2 * Math.PI * (n + h) / 24))), 70, 90);
        }

        // Outside the event the forecast is the plain cycle, and the model without events does not see the promotion.
        Assert.InRange(forecast[5 * 24] - (200 + (30 * Math.Sin(2 * Math.PI * (n + (5 * 24)) / 24))), -6, 6);
        Assert.True(plain[(5 * 24) + 14] < forecast[(5 * 24) + 14] - 50);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(30)]
    [InlineData(400)]
    public void Fit_AnyShortOrOddHistory_ForecastsQuantilesAndPathsFinite(int length)
    {
        var random = new Random(length);
        double[] x = [.. Enumerable.Range(0, length).Select(i => i % 7 == 0 ? 0 : random.NextDouble() * 1000)];
        foreach (var forecaster in new[] { new RegressionForecaster(), new RegressionForecaster { LogTransform = true } })
        {
            var model = forecaster.Fit(x, 24);
            var forecast = model.Forecast(48, [0.05, 0.5, 0.95]);
            var paths = new double[20 * 48];
            model.SimulatePaths(paths, 48, new Random(1));
            model.Update(5);
            Assert.All(forecast.Mean.ToArray(), v => Assert.True(double.IsFinite(v) && v >= 0));
            Assert.All(paths, v => Assert.True(double.IsFinite(v) && v >= 0));
            for (var h = 0; h < 48; h++)
            {
                Assert.True(forecast.Quantile(0)[h] <= forecast.Quantile(2)[h]);
            }
        }
    }

    /// <summary>
    /// Noise around a level, 2 to 60 points, hourly (m = 24): the 95 % interval of the next step must be at least half
    /// the history's own standard deviation wide. Before, the default design (intercept, slope, up to 10 change points
    /// and 20 Fourier terms) had more coefficients than a short history has points, so the fit interpolated it: zero
    /// residuals, a width of about 1e-8, around an arbitrary extrapolation (a 23-point history near 100 was forecast
    /// as 0 with the interval [0, 0] two days out).
    /// </summary>
    [Property(MaxTest = 200)]
    public Property Fit_ShortNoisyHistory_IntervalAsWideAsTheNoise() =>
        Prop.ForAll(
            (from length in Gen.Choose(2, 60)
             from seed in Gen.Choose(0, int.MaxValue)
             select (length, seed)).ToArbitrary(),
            c =>
            {
                var random = new Random(c.seed);
                double[] x = [.. Enumerable.Range(0, c.length).Select(_ => 100 + (20 * random.NextDouble()))];
                var mean = x.Average();
                var sd = Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / (x.Length - 1));
                foreach (var forecaster in new[] { new RegressionForecaster(), new RegressionForecaster { LogTransform = true } })
                {
                    var forecast = forecaster.Fit(x, 24).Forecast(48, [0.025, 0.975]);
                    if (!(forecast.Quantile(1)[0] - forecast.Quantile(0)[0] >= 0.5 * sd))
                    {
                        return false;
                    }
                }

                return true;
            });

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Fit_FewerThanFourPoints_ForecastsTheMean(int length)
    {
        double[] x = [.. ShortHistory.Take(length)];

        var model = new RegressionForecaster().Fit(x, 24);
        var mean = new double[30];
        model.ForecastMean(mean);

        Assert.All(mean, v => Assert.Equal(x.Average(), v, 6));
    }

    [Fact]
    public void Update_AfterFit_MatchesOneStepResidualCarry()
    {
        double[] x = [.. Enumerable.Range(0, 24 * 20).Select(t => 50 + (10 * Math.Sin(2 * Math.PI * t / 24)))];
        var model = new RegressionForecaster().Fit(x, 24);
        var before = new double[2];
        model.ForecastMean(before);
        model.Update(before[0]);
        var after = new double[1];
        model.ForecastMean(after);
        Assert.Equal(before[1], after[0], 6);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    [InlineData(-24)]
    public void Fit_SeasonalPeriodBelowTwo_ThrowsNamingTheSetting(int period)
    {
        var forecaster = new RegressionForecaster { SeasonalPeriods = [24, period] };

        Assert.Throws<ArgumentOutOfRangeException>(nameof(RegressionForecaster.SeasonalPeriods), () => forecaster.Fit(new double[100], 24));
    }

    [Fact]
    public void FitWithEvents_TimelineEndingPastTheLastRepresentableTime_ForecastsAsAnywhereElse()
    {
        // The same history and events placed at an ordinary time and 50 hours before DateTimeOffset.MaxValue: the
        // 48 history steps fit, the horizon runs past the end of time, where no event can be. Before: Fit threw
        // ArgumentOutOfRangeException ("un-representable DateTime", parameter 't') from inside the timeline.
        const int n = 48;
        var random = new Random(5);
        double[] x = [.. Enumerable.Range(0, n).Select(t => 100 + (t is >= 20 and < 24 ? 50 : 0) + random.NextDouble())];
        var ordinaryStart = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);
        var lateStart = DateTimeOffset.MaxValue - TimeSpan.FromHours(50);
        EventTimeline At(DateTimeOffset start) =>
            new(start, TimeSpan.FromHours(1), [new KnownEvent("promo", start.AddHours(20), start.AddHours(24))]);
        var forecaster = new RegressionForecaster { SeasonalPeriods = [24], ChangePoints = 2 };

        var ordinary = forecaster.FitWithEvents(x, 24, At(ordinaryStart));
        var late = forecaster.FitWithEvents(x, 24, At(lateStart));
        ordinary.Update(101);
        late.Update(101);
        var expected = ordinary.Forecast(24, [0.1, 0.9]);
        var actual = late.Forecast(24, [0.1, 0.9]);

        Assert.Equal(expected.Mean.ToArray(), actual.Mean.ToArray());
        Assert.Equal(expected.Quantile(1).ToArray(), actual.Quantile(1).ToArray());
        Assert.InRange(late.Summary.Parameters["event0"], 45, 55);
    }

    [Fact]
    public void EventTimeline_Activity_PastTheLastRepresentableTime_IsZero()
    {
        var start = DateTimeOffset.MaxValue - TimeSpan.FromMinutes(90);
        var timeline = new EventTimeline(start, TimeSpan.FromHours(1), [new KnownEvent("e", start, DateTimeOffset.MaxValue)]);
        var activity = new double[1];

        timeline.Activity(1, activity); // the step straddles the end of time: the event covers its representable half
        Assert.Equal(0.5, activity[0], 6);
        timeline.Activity(2, activity);
        Assert.Equal(0, activity[0]);
        timeline.Activity(long.MaxValue, activity);
        Assert.Equal(0, activity[0]);
    }

    [Fact]
    public void EventTimeline_EventEndingBeforeStart_Throws() =>
        Assert.Throws<ArgumentException>("events", () => new EventTimeline(
            DateTimeOffset.UnixEpoch, TimeSpan.FromHours(1), [new KnownEvent("x", DateTimeOffset.UnixEpoch.AddHours(2), DateTimeOffset.UnixEpoch)]));

    /// <summary>Ninety-six hours of a daily cycle around 100 with autocorrelated noise (so the last residual carries
    /// into the forecast), times <paramref name="factor"/>.</summary>
    private static double[] LogCycle(double factor)
    {
        var random = new Random(8);
        var noise = 0.0;
        var x = new double[96];
        for (var t = 0; t < x.Length; t++)
        {
            noise = (0.8 * noise) + (5 * ((2 * random.NextDouble()) - 1));
            x[t] = factor * (100 + (30 * Math.Sin(2 * Math.PI * t / 24)) + noise);
        }

        return x;
    }

    /// <summary>
    /// The log scale makes the fit of c·y that of y with the intercept moved by log c, so an update with c·v should move
    /// the forecast as an update with v does. Update floored each observation at an absolute 1e-9 before the log (the fit
    /// has no floor: it takes the log only of a positive history), so on a series of values near 1e-10 every update was
    /// raised to 1e-9, ten times the series, and the forecast jumped.
    /// </summary>
    [Fact]
    public void LogUpdate_SeriesBelowTheOldFloor_MovesTheForecastAsTheSeriesScaledUp()
    {
        const double factor = 1e-12;
        var forecaster = new RegressionForecaster { LogTransform = true };
        var x = LogCycle(1);
        var model = forecaster.Fit(x, 24);
        var scaled = forecaster.Fit(LogCycle(factor), 24);
        Assert.Equal("Regression(log)", scaled.Name);
        Assert.True(scaled.Summary.Parameters["phi"] > 0.3);

        foreach (var v in new[] { 80.0, 130.0, 95.0 })
        {
            model.Update(v);
            scaled.Update(v * factor);
        }

        var forecast = model.Forecast(24, [0.1, 0.9]);
        var scaledForecast = scaled.Forecast(24, [0.1, 0.9]);
        for (var h = 0; h < 24; h++)
        {
            Assert.Equal(forecast.Mean[h], scaledForecast.Mean[h] / factor, 1e-6 * forecast.Mean[h]);
            Assert.Equal(forecast.Quantile(1)[h], scaledForecast.Quantile(1)[h] / factor, 1e-6 * forecast.Quantile(1)[h]);
        }
    }

    /// <summary>
    /// An observation of 0 has no log; Update takes it as a small positive value. That value was an absolute 1e-9, so on a
    /// series of values near 1e-10 a 0 counted as ten times the series and raised the forecast; it must never count as
    /// more than the smallest value the fit saw.
    /// </summary>
    [Fact]
    public void LogUpdate_ZeroOnASeriesOfTinyValues_CountsAsNoMoreThanItsSmallestValue()
    {
        var forecaster = new RegressionForecaster { LogTransform = true };
        var x = LogCycle(1e-12);
        var afterZero = forecaster.Fit(x, 24);
        var afterSmallest = forecaster.Fit(x, 24);

        afterZero.Update(0);
        afterSmallest.Update(x.Min());

        var zeroMean = new double[24];
        var smallestMean = new double[24];
        afterZero.ForecastMean(zeroMean);
        afterSmallest.ForecastMean(smallestMean);
        Assert.True(zeroMean[0] < smallestMean[0], $"after 0: {zeroMean[0]}, after the smallest value: {smallestMean[0]}");
    }

    private static double BaselineMathGaussian(Random random) => BaselineMath.NextGaussian(random);
}
