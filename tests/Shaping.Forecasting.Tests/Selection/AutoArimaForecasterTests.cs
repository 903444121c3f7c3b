using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;
using Shaping.Forecasting.Models.Arima;
using Shaping.Forecasting.Selection;
using Shaping.Forecasting.Tests.Fixtures;
using Shaping.Forecasting.Tests.Models.Arima;

namespace Shaping.Forecasting.Tests.Selection;

public sealed class AutoArimaForecasterTests
{
    [Fact]
    public void Fit_LogAirPassengers_ChoosesTheAirlineModelAsR()
    {
        // R: auto.arima(log(AirPassengers)) chooses ARIMA(0,1,1)(0,1,1)[12] with AICc = -483.21.
        var model = new AutoArimaForecaster().Fit(AirPassengers.Log(), 12);

        Assert.Equal("ARIMA(0,1,1)(0,1,1)[12]", model.Name);
        Assert.Equal(-483.21, model.Summary.Aicc, 0.1);
    }

    [Property(MaxTest = 12)]
    public Property Fit_SimulatedArma_ModelIsStationaryInvertibleAndForecastsAreFinite()
    {
        var cases = Gen.Choose(-8, 8).SelectMany(phi => Gen.Choose(-8, 8).SelectMany(theta => Gen.Choose(1, 10_000).Select(seed => (phi / 10.0, theta / 10.0, seed))));
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var y = ArimaSimulation.Arma11(200, c.Item1, c.Item2, mean: 20, seed: c.Item3);
            var model = (ArimaModel)new AutoArimaForecaster().Fit(y, 1);
            var p = model.Summary.Parameters;
            var ar = Enumerable.Range(1, model.Specification.Ar).Select(i => p["ar" + i]).ToArray();
            var ma = Enumerable.Range(1, model.Specification.Ma).Select(i => p["ma" + i]).ToArray();
            var forecast = model.Forecast(24, [0.025, 0.975]);
            return ArimaMath.MinRootModulus(ar, -1, 1) > 1 && ArimaMath.MinRootModulus(ma, 1, 1) > 1
                && forecast.Mean.ToArray().All(double.IsFinite) && forecast.Quantile(1)[23] >= forecast.Quantile(0)[23];
        });
    }

    [Fact]
    public void Fit_HourlySeasonalSeries_IsFastEnoughAndSeasonal()
    {
        var random = new Random(42);
        var y = new double[24 * 30];
        for (var t = 0; t < y.Length; t++)
        {
            y[t] = 500 + (0.05 * t) + (200 * Math.Sin(2 * Math.PI * t / 24)) + (10 * (random.NextDouble() - 0.5));
        }

        var model = (ArimaModel)new AutoArimaForecaster().Fit(y, 24);
        var forecast = model.Forecast(48, [0.05, 0.95]);

        Assert.Equal(1, model.Specification.SeasonalDifferences);
        Assert.All(forecast.Mean.ToArray(), v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void Fit_ConstantHistory_ReturnsTheConstantModel()
    {
        var model = new AutoArimaForecaster().Fit(Enumerable.Repeat(3.0, 40).ToArray(), 24);
        var mean = new double[4];
        model.ForecastMean(mean);

        Assert.All(mean, v => Assert.Equal(3.0, v));
    }

    [Fact]
    public void Fit_OneModelBudget_StillReturnsAModel()
    {
        var y = ArimaSimulation.Arma11(300, 0.5, 0.3, mean: 10, seed: 4);

        var model = new AutoArimaForecaster { MaxModels = 1 }.Fit(y, 1);

        Assert.StartsWith("ARIMA(", model.Name, StringComparison.Ordinal);
    }

    [Fact]
    public void Properties_OutOfRange_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AutoArimaForecaster { MaxAr = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new AutoArimaForecaster { TimeBudget = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new AutoArimaForecaster { TimeBudget = TimeSpan.FromSeconds(-1) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new AutoArimaForecaster { MaxModels = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new AutoArimaForecaster { MaxEvaluations = 99 });
    }

    // TimeSpan.MaxValue as "no limit" used to overflow when the refits compared the elapsed time with twice the budget.
    [Fact]
    public void TimeBudget_MaxValue_FitsAsWithoutABudget()
    {
        // A daily cycle with AR(2) noise: models with several coefficients, whose optimisations restart (and poll the
        // budget) after 400 evaluations.
        var random = new Random(3);
        var series = new double[24 * 30];
        double e1 = 0, e2 = 0;
        for (var t = 0; t < series.Length; t++)
        {
            var e = (0.6 * e1) - (0.3 * e2) + (Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
            (e2, e1) = (e1, e);
            series[t] = 100 + (20 * Math.Sin(2 * Math.PI * t / 24)) + (5 * e);
        }

        var unlimited = new AutoArimaForecaster { TimeBudget = TimeSpan.MaxValue }.Fit(series, 24);
        var none = new AutoArimaForecaster().Fit(series, 24);

        Assert.Equal(none.Name, unlimited.Name);
    }

    [Fact]
    public void TimeBudget_Default_IsNoneAndNullIsAccepted()
    {
        Assert.Null(new AutoArimaForecaster().TimeBudget);
        Assert.Null(new AutoArimaForecaster { TimeBudget = null }.TimeBudget);
    }

    /// <summary>
    /// The same input gives the same output, however fast the machine: fitted on a clock that jumps an hour at every
    /// read (a machine stalled between two optimiser steps) and on a clock that never moves, the default forecaster
    /// chooses the same model with the same coefficients and forecasts, to the bit. Under the old default (a 3 s
    /// wall-clock budget) the jumping clock ended the search after its start models and cut the optimiser short.
    /// </summary>
    [Property(MaxTest = 8)]
    public Property Fit_ClockJumpsBetweenEvaluations_SameModelAndForecastsAsOnAStoppedClock() =>
        Prop.ForAll(SeriesCases().ToArbitrary(), c =>
        {
            var (y, m) = Series(c);
            var stopped = new AutoArimaForecaster { TimeProvider = new FakeTimeProvider() }.Fit(y, m);
            var jumping = new AutoArimaForecaster { TimeProvider = new JumpingClock(TimeSpan.FromHours(1)) }.Fit(y, m);
            return SameModel(stopped, jumping);
        });

    [Fact]
    public void Fit_SameSeriesOnTheSystemClockAndOnAJumpingClock_SameModelAndForecasts()
    {
        // The same series twice, once on the real clock and once on a clock that moves on by hours between and during
        // the fit's steps: the same model, coefficients and forecasts, R's choice for this series.
        var onSystemClock = new AutoArimaForecaster().Fit(AirPassengers.Log(), 12);
        var onJumpingClock = new AutoArimaForecaster { TimeProvider = new JumpingClock(TimeSpan.FromHours(1)) }.Fit(AirPassengers.Log(), 12);

        Assert.True(SameModel(onSystemClock, onJumpingClock));
        Assert.Equal("ARIMA(0,1,1)(0,1,1)[12]", onJumpingClock.Name);
    }

    /// <summary>
    /// The work bounds hold for any bounds and series: the search fits at most <see cref="AutoArimaForecaster.MaxModels"/>
    /// models (or its start models, at most five, which are always fitted), and each optimiser stage evaluates the
    /// objective at most MaxEvaluations + ⌈MaxEvaluations / 400⌉·(2k + 3) + 1 times, as documented.
    /// </summary>
    [Property(MaxTest = 12)]
    public Property Fit_AnyBounds_HonoursMaxModelsAndMaxEvaluations()
    {
        var cases = SeriesCases().SelectMany(c => Gen.Choose(1, 30).SelectMany(models => Gen.Choose(100, 1200).Select(evaluations => (c, models, evaluations))));
        return Prop.ForAll(cases.ToArbitrary(), t =>
        {
            var (y, m) = Series(t.c);
            var log = new ArimaWorkLog();
            var model = new AutoArimaForecaster { MaxModels = t.models, MaxEvaluations = t.evaluations }.Fit(y, m, log, CancellationToken.None);
            return model.Name.StartsWith("ARIMA(", StringComparison.Ordinal)
                && log.ModelsFitted <= Math.Max(t.models, 5)
                && log.Refits <= 2
                && log.Stages.All(s => s.Budget <= t.evaluations && s.Evaluations <= EvaluationBound(s.Budget, s.Parameters));
        });
    }

    [Fact]
    public void Fit_MaxModelsBelowWhatTheSearchNeeds_StopsAtMaxModels()
    {
        var y = ArimaSimulation.Arma11(300, 0.5, 0.3, mean: 10, seed: 4);
        var unbounded = new ArimaWorkLog();
        var bounded = new ArimaWorkLog();

        _ = new AutoArimaForecaster().Fit(y, 1, unbounded, CancellationToken.None);
        _ = new AutoArimaForecaster { MaxModels = 7 }.Fit(y, 1, bounded, CancellationToken.None);

        Assert.True(unbounded.ModelsFitted > 7, $"{unbounded.ModelsFitted} models without the bound");
        Assert.Equal(7, bounded.ModelsFitted);
    }

    [Fact]
    public void Fit_SmallEvaluationBudget_SomeStageSpendsItAndNoneExceedsTheBound()
    {
        var log = new ArimaWorkLog();

        _ = new AutoArimaForecaster { MaxEvaluations = 100 }.Fit(AirPassengers.Log(), 12, log, CancellationToken.None);

        Assert.Contains(log.Stages, s => s.Evaluations >= s.Budget);
        Assert.All(log.Stages, s => Assert.True(s.Evaluations <= EvaluationBound(s.Budget, s.Parameters), $"{s.Evaluations} > bound for {s}"));
    }

    [Fact]
    public void Fit_OptInTimeBudgetOnAJumpingClock_StopsAfterTheStartModelsAndTheFirstRefit()
    {
        // The opt-in wall-clock budget still works: every read of this clock is an hour later, so the 1 s budget is
        // spent from the first check, the search keeps its start models and the optimiser stops at its first restart.
        var y = ArimaSimulation.Arma11(300, 0.5, 0.3, mean: 10, seed: 4);
        var unbounded = new ArimaWorkLog();
        var budgeted = new ArimaWorkLog();
        var clock = new JumpingClock(TimeSpan.FromHours(1));

        _ = new AutoArimaForecaster().Fit(y, 1, unbounded, CancellationToken.None);
        var model = new AutoArimaForecaster { TimeBudget = TimeSpan.FromSeconds(1), TimeProvider = clock }.Fit(y, 1, budgeted, CancellationToken.None);

        Assert.StartsWith("ARIMA(", model.Name, StringComparison.Ordinal);
        Assert.True(unbounded.ModelsFitted > 5, $"{unbounded.ModelsFitted} models without a budget");
        Assert.InRange(budgeted.ModelsFitted, 1, 5);
        Assert.InRange(budgeted.Refits, 0, 1);
        Assert.All(budgeted.Stages, s => Assert.True(s.Evaluations <= EvaluationBound(400, s.Parameters), $"{s.Evaluations} evaluations in {s}"));
        Assert.True(clock.Reads > 0);
    }

    [Fact]
    public void Fit_DefaultBounds_NeverReadsTheClock()
    {
        var clock = new JumpingClock(TimeSpan.FromHours(1));

        _ = new AutoArimaForecaster { TimeProvider = clock }.Fit(AirPassengers.Log(), 12);

        Assert.Equal(0, clock.Reads);
    }

    [Fact]
    public void Fit_CancelledBeforehand_ThrowsOperationCanceled()
    {
        using var source = new CancellationTokenSource();
        source.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => new AutoArimaForecaster().Fit(AirPassengers.Log(), 12, source.Token));
    }

    [Fact]
    public void Fit_CancelledDuringTheSearch_StopsWithOperationCanceledBeforeAnotherStageEnds()
    {
        // Cancelled at a fixed point of the search without a wall clock: a clock that cancels the token at its tenth
        // read (the opt-in budget, a day, is what makes the search read it; it is never spent). No optimiser stage may
        // complete after the cancellation: the optimiser checks the token before every evaluation.
        using var source = new CancellationTokenSource();
        var log = new ArimaWorkLog();
        var stagesAtCancellation = -1;
        var clock = new CancellingClock(10, () =>
        {
            stagesAtCancellation = log.Stages.Count;
            source.Cancel();
        });
        var forecaster = new AutoArimaForecaster { TimeBudget = TimeSpan.FromDays(1), TimeProvider = clock };

        Assert.ThrowsAny<OperationCanceledException>(() => forecaster.Fit(AirPassengers.Log(), 12, log, source.Token));
        Assert.True(stagesAtCancellation > 0, "the search had not started when the token was cancelled");
        Assert.Equal(stagesAtCancellation, log.Stages.Count);
    }

    private static double EvaluationBound(int budget, int parameters) =>
        budget + (Math.Ceiling(budget / 400.0) * ((2 * parameters) + 3)) + 1;

    // ARMA(1,1) series, with a seasonal cycle of period 12 on half the cases: 200 points (the search fits by CSS and
    // refits exactly) or 144 (the search fits exactly, as for a short monthly series).
    private static Gen<(double Phi, double Theta, int Seed, bool Seasonal)> SeriesCases() =>
        Gen.Choose(-8, 8).SelectMany(phi => Gen.Choose(-8, 8).SelectMany(theta => Gen.Choose(1, 10_000).SelectMany(
            seed => Gen.Elements(false, true).Select(seasonal => (phi / 10.0, theta / 10.0, seed, seasonal)))));

    private static (double[] Y, int M) Series((double Phi, double Theta, int Seed, bool Seasonal) c)
    {
        if (!c.Seasonal)
        {
            return (ArimaSimulation.Arma11(200, c.Phi, c.Theta, mean: 20, seed: c.Seed), 1);
        }

        var y = ArimaSimulation.Arma11(144, c.Phi, c.Theta, mean: 50, seed: c.Seed);
        for (var t = 0; t < y.Length; t++)
        {
            y[t] += 10 * Math.Sin(2 * Math.PI * t / 12);
        }

        return (y, 12);
    }

    private static bool SameModel(IForecastModel a, IForecastModel b)
    {
        var levels = new[] { 0.025, 0.5, 0.975 };
        var fa = a.Forecast(24, levels);
        var fb = b.Forecast(24, levels);
        return a.Name == b.Name
            && a.Summary.Aicc.Equals(b.Summary.Aicc)
            && a.Summary.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal).SequenceEqual(b.Summary.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
            && fa.Mean.ToArray().SequenceEqual(fb.Mean.ToArray())
            && Enumerable.Range(0, levels.Length).All(i => fa.Quantile(i).ToArray().SequenceEqual(fb.Quantile(i).ToArray()));
    }

    /// <summary>A clock that runs an action at its n-th read, to act at a fixed point of a computation.</summary>
    private sealed class CancellingClock(int n, Action action) : TimeProvider
    {
        private int _reads;

        public override long GetTimestamp()
        {
            if (++_reads == n)
            {
                action();
            }

            return 0;
        }
    }
}
