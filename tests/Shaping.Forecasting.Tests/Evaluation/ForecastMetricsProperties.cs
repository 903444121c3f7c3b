using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Shaping.Forecasting.Evaluation;

namespace Shaping.Forecasting.Tests.Evaluation;

public sealed class ForecastMetricsProperties
{
    /// <summary>A history, outcomes and intervals around them, some missing on either side, drawn from one seed.</summary>
    public sealed record IntervalCase(double[] Insample, double[] Actual, double[] Lower, double[] Upper, double Alpha)
    {
        public override string ToString() =>
            $"alpha={Alpha}, insample=[{string.Join(", ", Insample)}], actual=[{string.Join(", ", Actual)}], lower=[{string.Join(", ", Lower)}], upper=[{string.Join(", ", Upper)}]";
    }

    private static readonly double[] Alphas = [0.05, 0.1, 0.2, 0.5];

    private static Arbitrary<IntervalCase> Cases() =>
        (from length in Gen.Choose(1, 30)
         from seed in Gen.Choose(0, int.MaxValue)
         select Build(length, seed)).ToArbitrary();

    private static IntervalCase Build(int length, int seed)
    {
        var random = new Random(seed);
        double Next() => Math.Round(10 + (random.NextDouble() * 1000), 3);
        var insample = Enumerable.Range(0, 30).Select(_ => Next()).ToArray();
        var actual = Enumerable.Range(0, length).Select(_ => Next()).ToArray();
        var lower = new double[length];
        var upper = new double[length];
        for (var i = 0; i < length; i++)
        {
            // Centre anywhere near the outcome, so that some intervals miss below, some above, some cover it.
            var centre = actual[i] + ((random.NextDouble() - 0.5) * 400);
            var half = random.NextDouble() * 150;
            lower[i] = centre - half;
            upper[i] = centre + half;
        }

        return new IntervalCase(insample, actual, lower, upper, Alphas[random.Next(Alphas.Length)]);
    }

    [Property(MaxTest = 300)]
    public Property IntervalScore_IsMeanWidthPlusPenalty_AndEqualsWidthOnlyWhenAllCovered() =>
        Prop.ForAll(Cases(), c =>
        {
            var score = ForecastMetrics.IntervalScore(c.Actual, c.Lower, c.Upper, c.Alpha);
            var width = c.Upper.Zip(c.Lower, (u, l) => u - l).Average();
            var coverage = ForecastMetrics.Coverage(c.Actual, c.Lower, c.Upper);
            var excess = score - width;
            return excess >= -1e-9 * Math.Max(1, width)
                && (coverage == 1) == (excess <= 1e-9 * Math.Max(1, width));
        });

    [Property(MaxTest = 300)]
    public Property MsisAndCoverage_AreInvariantToUnitsAndOffset() =>
        Prop.ForAll(Cases(), Gen.Choose(-3, 6).ToArbitrary(), Gen.Choose(0, 1000).ToArbitrary(), (c, exponent, offset) =>
        {
            // A change of unit (×10^k) and a shift of every value by the same offset change neither measure:
            // MSIS divides by a scale of the same unit, and coverage only compares.
            var factor = Math.Pow(10, exponent);
            double[] Map(double[] x) => [.. x.Select(v => (v * factor) + offset)];
            var before = ForecastMetrics.Msis(c.Insample, c.Actual, c.Lower, c.Upper, 3, c.Alpha);
            var after = ForecastMetrics.Msis(Map(c.Insample), Map(c.Actual), Map(c.Lower), Map(c.Upper), 3, c.Alpha);
            var sameCoverage = ForecastMetrics.Coverage(c.Actual, c.Lower, c.Upper)
                == ForecastMetrics.Coverage(Map(c.Actual), Map(c.Lower), Map(c.Upper));
            return Math.Abs(after - before) <= 1e-6 * Math.Max(1, before) && sameCoverage;
        });
}
