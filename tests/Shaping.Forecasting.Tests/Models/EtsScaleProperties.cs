using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Shaping.Forecasting.Models;
using Shaping.Forecasting.Selection;

namespace Shaping.Forecasting.Tests.Models;

/// <summary>
/// ETS does not depend on the series' units: fitting c·y gives the model fitted on y, with c × its forecasts,
/// quantiles and sample paths, also after online updates with c × the observations. Before, the simplex start (edges of
/// 0.1 × the largest parameter, mixing smoothing parameters with states in data units) made the same M4 series choose
/// another model at 0.001 or 1,000 times its values.
/// </summary>
public sealed class EtsScaleProperties
{
    private static readonly double[] Levels = [0.05, 0.2, 0.5, 0.8, 0.95];

    /// <summary>Relative tolerance: the scaled series differs from c × the series by rounding only.</summary>
    private const double Tolerance = 1e-6;

    /// <summary>A case: a positive (sometimes zero-holding) series with level, trend and season, more observations to
    /// absorb, and a factor c = mantissa × 10^exponent with exponent in [−6, 6].</summary>
    public sealed record ScaleCase(int Period, double[] History, double[] Extra, double Factor)
    {
        public override string ToString() => string.Create(
            CultureInfo.InvariantCulture,
            $"m={Period}, c={Factor:R}, n={History.Length}, history=[{string.Join(", ", History.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}]");
    }

    private static Arbitrary<ScaleCase> Cases() =>
        (from period in Gen.Elements(1, 4, 12)
         from seasons in Gen.Choose(3, 6)
         from exponent in Gen.Choose(-6, 6)
         from mantissa in Gen.Choose(100, 999)
         from seed in Gen.Choose(0, int.MaxValue)
         select Build(period, seasons, mantissa / 100.0 * Math.Pow(10, exponent), seed)).ToArbitrary();

    private static ScaleCase Build(int period, int seasons, double factor, int seed)
    {
        var random = new Random(seed);
        var length = Math.Max(24, seasons * period) + 8;
        var level = 5 + (random.NextDouble() * 500);
        var slope = (random.NextDouble() - 0.5) * level / 50;
        var amplitude = random.NextDouble() * 0.5;
        var noise = random.NextDouble() * 0.2;
        var zeros = random.Next(5) == 0; // some series hold a zero, leaving only additive candidates
        var values = new double[length];
        for (var t = 0; t < length; t++)
        {
            var season = period > 1 ? 1 + (amplitude * Math.Sin(2 * Math.PI * t / period)) : 1;
            var value = Math.Max(0.5, (level + (slope * t)) * season * (1 + (noise * ((2 * random.NextDouble()) - 1))));
            values[t] = zeros && t % 7 == 3 ? 0 : Math.Round(value, 3);
        }

        return new ScaleCase(period, values[..^8], values[^8..], factor);
    }

    [Property(MaxTest = 60, Replay = "(20261201,20261203)")]
    public Property AutoEts_ScaledSeries_SameModelAndScaledOutputs() =>
        Prop.ForAll(Cases(), c => SameUpToScale(new AutoEtsForecaster { MaxEvaluationsPerModel = 400 }, c));

    [Property(MaxTest = 60, Replay = "(20261202,20261205)")]
    public Property EtsDampedMultiplicative_ScaledSeries_SameModelAndScaledOutputs() =>
        Prop.ForAll(Cases(), c => SameUpToScale(
            new EtsForecaster(new EtsSpecification(EtsErrorType.Multiplicative, EtsTrendType.AdditiveDamped, EtsSeasonType.Multiplicative)), c));

    [Property(MaxTest = 60, Replay = "(20261203,20261207)")]
    public Property EtsAdditive_ScaledSeries_SameModelAndScaledOutputs() =>
        Prop.ForAll(Cases(), c => SameUpToScale(
            new EtsForecaster(new EtsSpecification(EtsErrorType.Additive, EtsTrendType.Additive, EtsSeasonType.Additive)), c));

    /// <summary>
    /// The fallback for a history too short for any ETS fit (the naive forecast with the variance of the one-step
    /// changes) computed that variance in the series' own units: at c = 3e-300 the squared changes underflowed to 0 and
    /// the intervals had zero width, against "for any c &gt; 0" in the docs.
    /// </summary>
    [Theory]
    [InlineData("auto", 3e-300)]
    [InlineData("ann", 3e-300)]
    [InlineData("auto", 1e-310)]
    [InlineData("ann", 1e95)]
    public void LevelOnlyFallback_ScaledSeries_ScaledOutputs(string forecasterName, double factor)
    {
        IForecaster forecaster = forecasterName == "auto"
            ? new AutoEtsForecaster()
            : new EtsForecaster(new EtsSpecification(EtsErrorType.Additive, EtsTrendType.None, EtsSeasonType.None));
        var c = new ScaleCase(1, [3.0, 5.0], [4.0, 7.0, 6.0], factor);
        Assert.EndsWith("level-only fallback", forecaster.Fit(c.History, 1).Name, StringComparison.Ordinal);

        Assert.Null(DifferenceUpToScale(forecaster, c));
    }

    /// <summary>
    /// A fit divides its history by its mean / 1,000 and its model multiplies each update by the inverse of that scale:
    /// for a series whose mean is below about 5.6e-306 the inverse was +∞, so the first update made the level infinite
    /// (or NaN for an observation of 0) and Forecast threw "Forecast means must be finite".
    /// </summary>
    [Theory]
    [InlineData("auto", 1e-310)]
    [InlineData("ann", 1e-310)]
    [InlineData("mnn", 1e-310)]
    [InlineData("auto", 1e-320)]
    public void Fit_SeriesOfSubnormalMagnitude_UpdatesAndForecastsFinitely(string forecasterName, double factor)
    {
        IForecaster forecaster = forecasterName switch
        {
            "auto" => new AutoEtsForecaster(),
            "ann" => new EtsForecaster(new EtsSpecification(EtsErrorType.Additive, EtsTrendType.None, EtsSeasonType.None)),
            _ => new EtsForecaster(new EtsSpecification(EtsErrorType.Multiplicative, EtsTrendType.None, EtsSeasonType.None)),
        };
        var random = new Random(3);
        double[] x = [.. Enumerable.Range(0, 40).Select(t => factor * (100 + (10 * Math.Sin(t)) + random.NextDouble()))];
        var model = forecaster.Fit(x, 1);

        model.Update(x[0]);
        model.Update(0);
        model.Update(x[1]);
        var forecast = model.Forecast(3, [0.1, 0.9]);

        Assert.All(forecast.Mean.ToArray(), v => Assert.InRange(v, 0, 200 * factor));
        Assert.All(forecast.Quantile(1).ToArray(), v => Assert.InRange(v, 0, 400 * factor));
    }

    private static Property SameUpToScale(IForecaster forecaster, ScaleCase c)
    {
        var why = DifferenceUpToScale(forecaster, c);
        return (why is null).Label(why ?? string.Empty);
    }

    // Null when fitting c·y gives y's model with c × its outputs, after the fit and after the updates; else what differs.
    private static string? DifferenceUpToScale(IForecaster forecaster, ScaleCase c)
    {
        var scaled = c.History.Select(v => v * c.Factor).ToArray();
        var model = forecaster.Fit(c.History, c.Period);
        var scaledModel = forecaster.Fit(scaled, c.Period);
        var why = Compare(model, scaledModel, c, "after the fit");
        if (why is null)
        {
            foreach (var x in c.Extra)
            {
                model.Update(x);
                scaledModel.Update(x * c.Factor);
            }

            why = Compare(model, scaledModel, c, "after the updates");
        }

        return why;
    }

    private static string? Compare(IForecastModel model, IForecastModel scaledModel, ScaleCase c, string when)
    {
        if (model.Name != scaledModel.Name)
        {
            return $"{when}: {model.Name} at 1, {scaledModel.Name} at c";
        }

        // The likelihood of c·y is that of y less n log c (the density of each observation is divided by c).
        var n = model.Summary.ObservationCount;
        if (double.IsFinite(model.Summary.LogLikelihood)
            && !Close(scaledModel.Summary.LogLikelihood, model.Summary.LogLikelihood - (n * Math.Log(c.Factor)), n))
        {
            return $"{when}: log-likelihood {scaledModel.Summary.LogLikelihood} at c, expected {model.Summary.LogLikelihood} − n log c = {model.Summary.LogLikelihood - (n * Math.Log(c.Factor))}";
        }

        const int horizon = 30;
        var forecast = model.Forecast(horizon, Levels);
        var scaledForecast = scaledModel.Forecast(horizon, Levels);
        var magnitude = 0.0;
        for (var h = 0; h < horizon; h++)
        {
            magnitude = Math.Max(magnitude, Math.Max(forecast.Mean[h], forecast.Quantile(Levels.Length - 1)[h]));
        }

        for (var h = 0; h < horizon; h++)
        {
            if (!Close(scaledForecast.Mean[h], c.Factor * forecast.Mean[h], c.Factor * magnitude))
            {
                return $"{when}: mean at step {h + 1} is {scaledForecast.Mean[h]} at c, expected c × {forecast.Mean[h]} = {c.Factor * forecast.Mean[h]}";
            }

            for (var k = 0; k < Levels.Length; k++)
            {
                if (!Close(scaledForecast.Quantile(k)[h], c.Factor * forecast.Quantile(k)[h], c.Factor * magnitude))
                {
                    return $"{when}: quantile {Levels[k]} at step {h + 1} is {scaledForecast.Quantile(k)[h]} at c, expected c × {forecast.Quantile(k)[h]} = {c.Factor * forecast.Quantile(k)[h]}";
                }
            }
        }

        var paths = new double[20 * horizon];
        var scaledPaths = new double[20 * horizon];
        model.SimulatePaths(paths, horizon, new Random(17));
        scaledModel.SimulatePaths(scaledPaths, horizon, new Random(17));
        var pathMagnitude = paths.Max();
        for (var i = 0; i < paths.Length; i++)
        {
            if (!Close(scaledPaths[i], c.Factor * paths[i], c.Factor * pathMagnitude))
            {
                return $"{when}: path value {i} is {scaledPaths[i]} at c, expected c × {paths[i]} = {c.Factor * paths[i]}";
            }
        }

        return null;
    }

    private static bool Close(double actual, double expected, double magnitude) =>
        Math.Abs(actual - expected) <= Tolerance * Math.Max(Math.Abs(expected), magnitude);
}
