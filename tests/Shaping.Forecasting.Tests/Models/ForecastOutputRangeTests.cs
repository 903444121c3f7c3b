using Shaping.Forecasting.Models;
using Shaping.Forecasting.Models.Arima;
using Shaping.Forecasting.Selection;

namespace Shaping.Forecasting.Tests.Models;

/// <summary>Every forecaster's public output (means, quantiles, sample paths) stays finite for input within
/// <see cref="ForecastLimits.MaximumObservation"/>; larger input is rejected at the boundary naming the argument.</summary>
public sealed class ForecastOutputRangeTests
{
    public static TheoryData<string> Forecasters =>
    [
        "naive", "snaive", "naive2", "theta", "regression", "ets-ann", "ets-mam", "arima-011", "autoets", "autoarima",
        "ens-median", "ens-weighted", "validated",
    ];

    internal static IForecaster Create(string name) => name switch
    {
        "naive" => new NaiveForecaster(),
        "snaive" => new SeasonalNaiveForecaster(),
        "naive2" => new Naive2Forecaster(),
        "theta" => new ThetaForecaster(),
        "regression" => new RegressionForecaster(),
        "ets-ann" => new EtsForecaster(new EtsSpecification(EtsErrorType.Additive, EtsTrendType.None, EtsSeasonType.None)),
        "ets-mam" => new EtsForecaster(new EtsSpecification(EtsErrorType.Multiplicative, EtsTrendType.Additive, EtsSeasonType.Multiplicative)),
        "arima-011" => new ArimaForecaster(new ArimaSpecification(0, 1, 1, 0, 0, 0, false)),
        "autoets" => new AutoEtsForecaster(),
        "autoarima" => new AutoArimaForecaster(),
        "ens-median" => new EnsembleForecaster(Classic(), EnsembleCombination.Median),
        "ens-weighted" => new EnsembleForecaster(Classic(), EnsembleCombination.InverseErrorWeighted),
        "validated" => new ValidatedSelectionForecaster([new NaiveForecaster(), new SeasonalNaiveForecaster(), new ThetaForecaster()]),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static IForecaster[] Classic() =>
        [new AutoEtsForecaster(), new AutoArimaForecaster(), new ThetaForecaster(), new RegressionForecaster(), new SeasonalNaiveForecaster()];

    /// <summary>A noisy daily-seasonal series scaled so its largest value is <paramref name="top"/>.</summary>
    private static double[] Seasonal(double top, int length = 96)
    {
        var random = new Random(7);
        var raw = new double[length];
        for (var t = 0; t < length; t++)
        {
            raw[t] = 10 + (4 * Math.Sin(2 * Math.PI * t / 24)) + random.NextDouble();
        }

        var max = raw.Max();
        return [.. raw.Select(v => v / max * top)];
    }

    [Theory]
    [MemberData(nameof(Forecasters))]
    public void Fit_HistoryAboveMaximum_ThrowsNamingHistory(string name)
    {
        var history = Seasonal(1e200);
        var exception = Assert.ThrowsAny<ArgumentException>(() => Create(name).Fit(history, 24));
        Assert.Equal("history", exception.ParamName);
    }

    /// <summary>Every forecaster names the position of a bad value: ETS and ARIMA said only "The history holds -3",
    /// which in a series of thousands of points leaves the caller searching.</summary>
    [Theory]
    [MemberData(nameof(Forecasters))]
    public void Fit_InvalidValue_MessageNamesItsIndex(string name)
    {
        var history = Seasonal(100);
        history[37] = -3;
        var exception = Assert.ThrowsAny<ArgumentException>(() => Create(name).Fit(history, 24));
        Assert.Equal("history", exception.ParamName);
        Assert.StartsWith(
            "History value at index 37 is -3; observations must be finite, non-negative and at most 1e100 (ForecastLimits.MaximumObservation).",
            exception.Message,
            StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Forecasters))]
    public void Update_ObservationAboveMaximum_ThrowsNamingObservation(string name)
    {
        var model = Create(name).Fit(Seasonal(100), 24);
        var exception = Assert.ThrowsAny<ArgumentException>(() => model.Update(ForecastLimits.MaximumObservation * 2));
        Assert.Equal("observation", exception.ParamName);
        model.Update(ForecastLimits.MaximumObservation); // the bound itself is accepted
    }

    [Theory]
    [MemberData(nameof(Forecasters))]
    public void Forecast_HistoryAtMaximum_IsFinite(string name)
    {
        var model = Create(name).Fit(Seasonal(ForecastLimits.MaximumObservation), 24);
        AssertFinite(model);
        model.Update(ForecastLimits.MaximumObservation);
        AssertFinite(model);
    }

    [Theory]
    [MemberData(nameof(Forecasters))]
    public void Update_LargeValueWhereTheSeasonalIndexIsTiny_IsFinite(string name)
    {
        // Period 2, alternating 1e-208 and 1e100 (both within the limits): the decomposition's index for the small
        // positions is about 2e-308, positive and finite. Updating such a position with 1e100 divided by it: the
        // seasonally adjusted level overflowed to +∞ (Naive2, Theta) and every forecast after it with it.
        double[] history = [.. Enumerable.Range(0, 40).Select(t => t % 2 == 0 ? 1e-208 : 1e100)];
        var model = Create(name).Fit(history, 2);
        AssertFinite(model);
        model.Update(1e100);
        AssertFinite(model);
    }

    [Fact]
    public void Forecast_NonFiniteQuantile_Throws()
    {
        var exception = Assert.Throws<ArgumentException>(() => new Forecast([1.0], [0.5], [[double.NaN]]));
        Assert.Equal("quantiles", exception.ParamName);
        Assert.Throws<ArgumentException>(() => new Forecast([1.0], [0.5], [[double.PositiveInfinity]]));
    }

    public static TheoryData<string, string> ForecastersOnLowSeries()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in Forecasters)
        {
            data.Add(name, "declining");
            data.Add(name, "intermittent");
        }

        return data;
    }

    /// <summary>Demand is non-negative: no mean, quantile or path below 0, even on a series falling to 0
    /// (AutoEts picked ETS(M,A,N) with mean −1, AutoArima a drift with every quantile −1) or an intermittent one.</summary>
    [Theory]
    [MemberData(nameof(ForecastersOnLowSeries))]
    public void Forecast_LowSeries_IsNonNegative(string name, string series)
    {
        double[] history = series == "declining"
            ? [.. Enumerable.Range(1, 100).Select(i => 101.0 - i)]
            : [.. Enumerable.Range(0, 120).Select(t => t % 7 == 0 ? 5.0 + (t % 3) : 0)];
        var model = Create(name).Fit(history, 24);
        AssertNonNegative(model);
        model.Update(0);
        AssertNonNegative(model);
    }

    [Fact]
    public void AutoArima_DecliningSeries_QuantilesCentredOnFlooredMeanAreOrdered()
    {
        var model = new AutoArimaForecaster().Fit([.. Enumerable.Range(1, 100).Select(i => 101.0 - i)], 1);
        var forecast = model.Forecast(5, [0.05, 0.5, 0.95]);
        for (var h = 0; h < 5; h++)
        {
            Assert.True(forecast.Quantile(0)[h] <= forecast.Mean[h] && forecast.Mean[h] <= forecast.Quantile(2)[h]);
        }
    }

    private static void AssertNonNegative(IForecastModel model)
    {
        const int horizon = 48;
        var mean = new double[horizon];
        model.ForecastMean(mean);
        Assert.All(mean, v => Assert.True(v >= 0, $"{model.Name}: ForecastMean {v}"));
        var forecast = model.Forecast(horizon, [0.05, 0.5, 0.95]);
        Assert.All(forecast.Mean.ToArray(), v => Assert.True(v >= 0, $"{model.Name}: mean {v}"));
        for (var l = 0; l < forecast.Levels.Length; l++)
        {
            Assert.All(forecast.Quantile(l).ToArray(), v => Assert.True(v >= 0, $"{model.Name}: quantile {v}"));
        }

        var paths = new double[500 * horizon];
        model.SimulatePaths(paths, horizon, new Random(3));
        Assert.All(paths, v => Assert.True(v >= 0, $"{model.Name}: path {v}"));
    }

    private static void AssertFinite(IForecastModel model)
    {
        const int horizon = 48;
        var forecast = model.Forecast(horizon, [0.05, 0.5, 0.95]);
        Assert.All(forecast.Mean.ToArray(), v => Assert.True(double.IsFinite(v), $"{model.Name}: mean {v}"));
        for (var l = 0; l < forecast.Levels.Length; l++)
        {
            Assert.All(forecast.Quantile(l).ToArray(), v => Assert.True(double.IsFinite(v), $"{model.Name}: quantile {v}"));
        }

        var paths = new double[200 * horizon];
        model.SimulatePaths(paths, horizon, new Random(3));
        Assert.All(paths, v => Assert.True(double.IsFinite(v), $"{model.Name}: path {v}"));
    }
}
