using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Shaping.Forecasting.Models;

namespace Shaping.Forecasting.Tests.Models;

public sealed class BaselineProperties
{
    /// <summary>A case: a seasonal period, a history and observations to absorb, all drawn from one seed.</summary>
    public sealed record BaselineCase(int Period, double[] History, double[] Extra, double[] Levels)
    {
        public override string ToString() =>
            $"m={Period}, history=[{string.Join(", ", History)}], extra=[{string.Join(", ", Extra)}], levels=[{string.Join(", ", Levels)}]";
    }

    private static Arbitrary<BaselineCase> Cases() =>
        (from period in Gen.Choose(1, 8)
         from length in Gen.Choose(1, 40)
         from extra in Gen.Choose(0, 30)
         from seed in Gen.Choose(0, int.MaxValue)
         select Build(period, length, extra, seed)).ToArbitrary();

    private static BaselineCase Build(int period, int length, int extra, int seed)
    {
        var random = new Random(seed);
        double Next() => random.Next(4) == 0 ? random.Next(0, 3) : Math.Round(random.NextDouble() * 1000, 2);
        var levelCount = random.Next(1, 6);
        var levels = Enumerable.Range(0, levelCount).Select(_ => 0.001 + (0.998 * random.NextDouble()))
            .Distinct().Order().ToArray();
        return new BaselineCase(
            period,
            [.. Enumerable.Range(0, length).Select(_ => Next())],
            [.. Enumerable.Range(0, extra).Select(_ => Next())],
            levels);
    }

    [Property(MaxTest = 200, Replay = "(20261128,10007)")]
    public Property NaiveUpdate_EqualsRefitOnExtendedHistory() => UpdateEqualsRefit(new NaiveForecaster());

    [Property(MaxTest = 200, Replay = "(20261129,10009)")]
    public Property SeasonalNaiveUpdate_EqualsRefitOnExtendedHistory() => UpdateEqualsRefit(new SeasonalNaiveForecaster());

    [Property(MaxTest = 200, Replay = "(20261130,10011)")]
    public Property Quantiles_AreMonotoneInLevelAndFinite() =>
        Prop.ForAll(Cases(), c =>
        {
            foreach (var forecaster in new IForecaster[] { new NaiveForecaster(), new SeasonalNaiveForecaster(), new Naive2Forecaster() })
            {
                var forecast = forecaster.Fit(c.History, c.Period).Forecast(2 * c.Period + 3, c.Levels);
                for (var h = 0; h < forecast.Horizon; h++)
                {
                    if (!double.IsFinite(forecast.Mean[h]) || forecast.Mean[h] < 0)
                    {
                        return false;
                    }

                    for (var l = 0; l < c.Levels.Length; l++)
                    {
                        var q = forecast.Quantile(l)[h];
                        if (!double.IsFinite(q) || q < 0 || (l > 0 && q < forecast.Quantile(l - 1)[h]))
                        {
                            return false;
                        }
                    }
                }
            }

            return true;
        });

    private static Property UpdateEqualsRefit(IForecaster forecaster) =>
        Prop.ForAll(Cases(), c =>
        {
            // Compare only once the refit is past the short-history fallback, as Update keeps the fitted structure.
            var fittedSeasonal = c.History.Length >= c.Period + 1;
            var model = forecaster.Fit(c.History, c.Period);
            foreach (var x in c.Extra)
            {
                model.Update(x);
            }

            var refit = forecaster.Fit([.. c.History, .. c.Extra], c.Period);
            var horizon = (2 * c.Period) + 3;
            var updated = new double[horizon];
            var expected = new double[horizon];
            model.ForecastMean(updated);
            refit.ForecastMean(expected);
            return !fittedSeasonal && forecaster is SeasonalNaiveForecaster
                ? updated.All(double.IsFinite)
                : updated.SequenceEqual(expected);
        });
}
