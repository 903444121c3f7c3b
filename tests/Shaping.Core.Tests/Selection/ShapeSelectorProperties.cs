using FsCheck.Xunit;
using Shaping.Core.Resources;
using Shaping.Core.Selection;
using Shaping.Core.Shapes;

namespace Shaping.Core.Tests.Selection;

/// <summary>The invariants of DESIGN.md's "Shape selection" section, each over at least 200 random cases.</summary>
[Properties(Arbitrary = [typeof(SelectionArbitraries)], MaxTest = 300)]
public sealed class ShapeSelectorProperties
{
    private static readonly ShapeSelector Selector = new();

    private static (SelectionResult Result, ScoredShape[] Ranking) SelectAll(SelectionCase selectionCase, ShapeCatalog catalog)
    {
        var ranking = new ScoredShape[catalog.Count];
        var result = Selector.Select(catalog, selectionCase.Profile, selectionCase.Policy, ranking);
        return (result, ranking[..result.Count]);
    }

    [Property]
    public bool Winner_IsAlwaysFeasible(SelectionCase selectionCase)
    {
        var catalog = selectionCase.Catalog;
        var (result, ranking) = SelectAll(selectionCase, catalog);
        if (!result.IsSuccess)
        {
            return selectionCase.Feasible.Length == 0 && result.Count == 0;
        }

        return ranking.All(entry => selectionCase.RequiredPeak.FitsWithin(catalog[entry.Index].Capacity))
            && result.FeasibleCount == selectionCase.Feasible.Length;
    }

    [Property]
    public bool PeakCoverage_OfAShapeSizedExactlyToTheRequirement_IsAtLeastTheConfidence(SelectionCase selectionCase, int level, int margin)
    {
        // The tightest feasible shape at a confidence off the stored levels and an odd headroom: its capacity is the
        // required peak itself, where the CDF's round trip through the quantile and the division by 1 + headroom round.
        var policy = new ScoringPolicy(
            0.5, (margin & 0xFFFF) / 65536.0, 0.5 + ((level & 0xFFFF) / 140000.0), TimeSpan.FromHours(1));
        var required = selectionCase.Profile.PeakQuantile(policy.PeakConfidence) * (1 + policy.Headroom);
        var shape = new ResourceShape("exact", ResourceVector.Max(required, new ResourceVector(1e-9, 0, 0, 0)), new ShapeProfile(1));
        var coverage = ShapeSelector.PeakCoverage(shape, selectionCase.Profile, policy);
        return required.FitsWithin(shape.Capacity) && coverage >= policy.PeakConfidence && coverage <= 1;
    }

    [Property]
    public bool TradeoffZero_PicksTheCheapestFeasible(int seed)
    {
        var selectionCase = SelectionCase.Create(seed & int.MaxValue, tradeoff: 0);
        var catalog = selectionCase.Catalog;
        var (result, ranking) = SelectAll(selectionCase, catalog);
        var feasible = selectionCase.Feasible;
        if (feasible.Length == 0)
        {
            return !result.IsSuccess;
        }

        var cheapest = feasible.OrderBy(s => s.PricePerHour).ThenBy(s => s.Name, StringComparer.Ordinal).First();
        return catalog[ranking[0].Index].Name == cheapest.Name;
    }

    [Property]
    public bool TradeoffOne_PicksTheBestPerformance(int seed)
    {
        var selectionCase = SelectionCase.Create(seed & int.MaxValue, tradeoff: 1);
        var catalog = selectionCase.Catalog;
        var (result, ranking) = SelectAll(selectionCase, catalog);
        var feasible = selectionCase.Feasible;
        if (feasible.Length == 0)
        {
            return !result.IsSuccess;
        }

        var model = default(UtilizationPerformanceModel);
        var inputs = selectionCase.Inputs;
        var best = feasible.Max(s => model.Score(s.Capacity, s.Profile.PerformanceFactor, inputs));
        var winner = catalog[ranking[0].Index];
        return model.Score(winner.Capacity, winner.Profile.PerformanceFactor, inputs) == best;
    }

    [Property]
    public bool MoreCapacity_NeverLowersThePerformanceScore(SelectionCase selectionCase, byte dimension, byte extraTenths)
    {
        var model = default(UtilizationPerformanceModel);
        var inputs = selectionCase.Inputs;
        var grow = (Dimension)(dimension % ResourceVector.DimensionCount);
        foreach (var shape in selectionCase.Shapes)
        {
            var bigger = shape.Capacity.With(grow, shape.Capacity[grow] + (extraTenths / 10.0));
            if (model.Score(bigger, shape.Profile.PerformanceFactor, inputs) < model.Score(shape.Capacity, shape.Profile.PerformanceFactor, inputs))
            {
                return false;
            }
        }

        // And through the selector: growing a shape never lowers the performance score it is ranked with.
        var target = selectionCase.Shapes[0];
        var grown = new ResourceShape(target.Name, target.Capacity.With(grow, target.Capacity[grow] + (extraTenths / 10.0)), target.Profile);
        var before = PerformanceOf(selectionCase, target.Name);
        var after = PerformanceOf(selectionCase with { Shapes = [grown, .. selectionCase.Shapes[1..]] }, target.Name);
        return before is null || (after is not null && after >= before);
    }

    [Property]
    public bool Ranking_DoesNotDependOnCatalogOrder(SelectionCase selectionCase, int shuffleSeed)
    {
        var (_, original) = SelectAll(selectionCase, selectionCase.Catalog);
        var shuffledCase = selectionCase.Shuffled(shuffleSeed);
        var shuffledCatalog = shuffledCase.Catalog;
        var (_, shuffled) = SelectAll(shuffledCase, shuffledCatalog);
        var originalCatalog = selectionCase.Catalog;
        return original.Select(e => (originalCatalog[e.Index].Name, e.Score))
            .SequenceEqual(shuffled.Select(e => (shuffledCatalog[e.Index].Name, e.Score)));
    }

    [Property]
    public bool Ranking_MatchesAFullSortOfTheFeasibleShapes(SelectionCase selectionCase, byte depth)
    {
        // Oracle: score every feasible shape, sort by (score desc, price asc, name asc), keep the top k.
        var catalog = selectionCase.Catalog;
        var k = 1 + (depth % 8);
        var ranking = new ScoredShape[k];
        var result = Selector.Select(catalog, selectionCase.Profile, selectionCase.Policy, ranking);

        var feasible = selectionCase.Feasible;
        var model = default(UtilizationPerformanceModel);
        var inputs = selectionCase.Inputs;
        var t = selectionCase.Policy.Tradeoff;
        var cheapest = feasible.Length == 0 ? 0 : feasible.Min(s => s.PricePerHour);
        var expected = feasible
            .Select(s => (s.Name, s.PricePerHour, Score: (t * Math.Clamp(model.Score(s.Capacity, s.Profile.PerformanceFactor, inputs), 0, 1)) + ((1 - t) * cheapest / s.PricePerHour)))
            .OrderByDescending(x => x.Score).ThenBy(x => x.PricePerHour).ThenBy(x => x.Name, StringComparer.Ordinal)
            .Take(k)
            .ToArray();

        return result.Count == expected.Length
            && ranking[..result.Count].Select(e => catalog[e.Index].Name).SequenceEqual(expected.Select(x => x.Name))
            && ranking[..result.Count].Zip(expected).All(p => Math.Abs(p.First.Score - p.Second.Score) < 1e-12);
    }

    [Property]
    public bool Scores_AreInTheUnitIntervalAndDescending(SelectionCase selectionCase)
    {
        var catalog = selectionCase.Catalog;
        var (_, ranking) = SelectAll(selectionCase, catalog);
        for (var i = 0; i < ranking.Length; i++)
        {
            var e = ranking[i];
            var coverage = ShapeSelector.PeakCoverage(catalog[e.Index], selectionCase.Profile, selectionCase.Policy);
            if (e.Score is < 0 or > 1 || e.PerformanceScore is < 0 or > 1 || e.CostScore is <= 0 or > 1
                || coverage < selectionCase.Policy.PeakConfidence - 1e-9 || coverage > 1)
            {
                return false;
            }

            if (i > 0 && ranking[i - 1].Score < e.Score)
            {
                return false;
            }
        }

        return true;
    }

    private static double? PerformanceOf(SelectionCase selectionCase, string name)
    {
        var catalog = selectionCase.Catalog;
        var (_, ranking) = SelectAll(selectionCase, catalog);
        foreach (var entry in ranking)
        {
            if (catalog[entry.Index].Name == name)
            {
                return entry.PerformanceScore;
            }
        }

        return null;
    }
}
