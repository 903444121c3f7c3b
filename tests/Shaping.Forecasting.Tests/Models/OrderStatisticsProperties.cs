using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Shaping.Forecasting.Models;

namespace Shaping.Forecasting.Tests.Models;

/// <summary>
/// Selection must give bit for bit what a full sort gives: <see cref="OrderStatistics.Select"/> at any ranks, and the
/// simulated-interval quantiles of <see cref="EtsModel"/> built on it at any levels.
/// </summary>
public sealed class OrderStatisticsProperties
{
    /// <summary>A case: values, ranks to select (any order, repeats allowed) and quantile levels (any order).</summary>
    public sealed record SelectionCase(string Shape, double[] Values, int[] Ranks, double[] Levels)
    {
        public override string ToString() =>
            $"{Shape}, n={Values.Length}, values=[{Join(Values)}], ranks=[{string.Join(", ", Ranks)}], levels=[{Join(Levels)}]";

        private static string Join(double[] values) =>
            string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
    }

    private static readonly string[] Shapes = ["random", "few distinct", "ascending", "descending", "organ pipe", "all equal", "signed zeros", "with NaN, -0 and infinities"];

    private static Arbitrary<SelectionCase> Cases() =>
        (from length in Gen.Frequency(
             (2, Gen.Choose(1, 3)),
             (5, Gen.Choose(4, 40)),
             (3, Gen.Choose(41, 2500)))
         from shape in Gen.Elements(Shapes)
         from seed in Gen.Choose(0, int.MaxValue)
         select Build(length, shape, seed)).ToArbitrary();

    private static SelectionCase Build(int length, string shape, int seed)
    {
        var random = new Random(seed);
        double[] pool = [-3, -1.5, -1, 0, 0.25, 1, 2, 2, 7, double.PositiveInfinity, double.NegativeInfinity];
        double[] special = [double.NaN, -0.0, 0.0, double.PositiveInfinity, double.NegativeInfinity, -2, 5];
        double Next() => random.Next(3) == 0 ? pool[random.Next(pool.Length)] : Math.Round((random.NextDouble() - 0.3) * 1000, random.Next(4));
        var values = new double[length];
        for (var i = 0; i < length; i++)
        {
            values[i] = shape switch
            {
                "few distinct" => pool[random.Next(4)],
                "all equal" => 4.5,
                "signed zeros" => random.Next(3) switch { 0 => -0.0, 1 => 0.0, _ => random.Next(-2, 3) },
                "with NaN, -0 and infinities" => random.Next(4) == 0 ? special[random.Next(special.Length)] : Next(),
                _ => Next(),
            };
        }

        if (shape is "ascending" or "descending" or "organ pipe")
        {
            Array.Sort(values);
            if (shape == "descending")
            {
                Array.Reverse(values);
            }
            else if (shape == "organ pipe")
            {
                Array.Reverse(values, length / 2, length - (length / 2));
            }
        }

        var ranks = Enumerable.Range(0, random.Next(0, 9)).Select(_ => random.Next(length)).ToArray();

        // Levels anywhere in (0, 1), some exactly on an order statistic and some next to the ends, in any order.
        var levels = Enumerable.Range(0, random.Next(1, 7)).Select(_ => random.Next(4) switch
        {
            0 when length > 2 => random.Next(1, length - 1) / (double)(length - 1),
            1 => random.Next(2) == 0 ? 1e-12 : 1 - 1e-12,
            _ => 0.001 + (0.998 * random.NextDouble()),
        }).ToArray();
        if (random.Next(2) == 0)
        {
            Array.Sort(levels);
        }

        return new SelectionCase(shape, values, ranks, levels);
    }

    [Property(MaxTest = 500, Replay = "(20261201,10013)")]
    public Property Select_AnyValuesAndRanks_EqualsFullSortBitForBit() =>
        Prop.ForAll(Cases(), c =>
        {
            var sorted = c.Values.ToArray();
            sorted.AsSpan().Sort();
            var selected = c.Values.ToArray();

            OrderStatistics.Select(selected, c.Ranks);

            return c.Ranks.All(r => Bits(selected[r]) == Bits(sorted[r]))
                && selected.Select(Bits).Order().SequenceEqual(c.Values.Select(Bits).Order()); // a permutation
        });

    [Property(MaxTest = 500, Replay = "(20261202,10015)")]
    public Property FillQuantilesFromPaths_AnyPathsAndLevels_EqualsSortBasedQuantilesBitForBit() =>
        Prop.ForAll(Cases(), c =>
        {
            // The case's values are the paths of one step; a second and third step hold them reversed and negated.
            const int horizon = 3;
            var pathCount = c.Values.Length;
            var paths = new double[pathCount * horizon];
            for (var p = 0; p < pathCount; p++)
            {
                paths[p * horizon] = c.Values[p];
                paths[(p * horizon) + 1] = c.Values[pathCount - 1 - p];
                paths[(p * horizon) + 2] = -c.Values[p];
            }

            var expected = SortBasedQuantiles(paths, horizon, c.Levels, pathCount);
            var actual = c.Levels.Select(_ => new double[horizon]).ToArray();
            EtsModel.FillQuantilesFromPaths(paths, horizon, c.Levels, actual, new double[pathCount]);

            return expected.Zip(actual).All(pair => pair.First.Select(Bits).SequenceEqual(pair.Second.Select(Bits)));
        });

    /// <summary>The quantiles as <see cref="EtsModel"/> computed them before selection: each step's column fully sorted.</summary>
    private static double[][] SortBasedQuantiles(double[] paths, int horizon, double[] levels, int pathCount)
    {
        var quantiles = levels.Select(_ => new double[horizon]).ToArray();
        var column = new double[pathCount];
        for (var h = 0; h < horizon; h++)
        {
            for (var p = 0; p < pathCount; p++)
            {
                column[p] = paths[(p * horizon) + h];
            }

            column.AsSpan().Sort();
            for (var k = 0; k < levels.Length; k++)
            {
                var position = levels[k] * (pathCount - 1);
                var lower = (int)Math.Floor(position);
                var upper = Math.Min(lower + 1, pathCount - 1);
                var value = column[lower] + ((position - lower) * (column[upper] - column[lower]));
                quantiles[k][h] = k > 0 ? Math.Max(value, quantiles[k - 1][h]) : value;
            }
        }

        return quantiles;
    }

    private static long Bits(double value) => BitConverter.DoubleToInt64Bits(value);
}
