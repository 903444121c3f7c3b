using Shaping.Core.Prediction;
using Shaping.Core.Resources;
using Shaping.Core.Selection;
using Shaping.Core.Shapes;

namespace Shaping.Core.Tests.Selection;

public sealed class ShapeSelectorTests
{
    private static readonly ShapeSelector Selector = new();

    private static readonly ShapeCatalog Catalog = new(
    [
        new ResourceShape("small", new ResourceVector(2, 4, 50, 1), new ShapeProfile(0.10, 1.0, SizeClass.Small)),
        new ResourceShape("medium", new ResourceVector(4, 16, 100, 5), new ShapeProfile(0.20, 1.0, SizeClass.Medium)),
        new ResourceShape("medium-fast", new ResourceVector(4, 16, 100, 5), new ShapeProfile(0.26, 1.5, SizeClass.Medium)),
        new ResourceShape("large", new ResourceVector(16, 64, 200, 10), new ShapeProfile(0.80, 1.0, SizeClass.Large)),
    ]);

    private static LoadProfile Load(double cores, double peakCores) =>
        LoadProfile.Exact(new ResourceVector(cores, 2, 10, 0.1), new ResourceVector(peakCores, 3, 10, 0.2), TimeSpan.FromHours(1));

    [Fact]
    public void Select_TradeoffZero_ReturnsCheapestFeasibleFirst()
    {
        Span<ScoredShape> ranking = stackalloc ScoredShape[4];
        var result = Selector.Select(Catalog, Load(1, 3), new ScoringPolicy(0, 0.1, 0.95, TimeSpan.FromHours(1)), ranking);

        Assert.Equal(SelectionOutcome.Selected, result.Outcome);
        Assert.Equal(3, result.FeasibleCount); // 3 × 1.1 cores rules out "small"
        Assert.Equal("medium", Catalog[ranking[0].Index].Name);
        Assert.Equal(1.0, ranking[0].CostScore);
    }

    [Fact]
    public void Select_TradeoffOne_PrefersFasterCoresAtEqualCapacity()
    {
        Span<ScoredShape> ranking = stackalloc ScoredShape[4];
        var result = Selector.Select(Catalog, Load(3.5, 3.5), new ScoringPolicy(1, 0, 0.95, TimeSpan.FromHours(1)), ranking);

        Assert.Equal(3, result.Count);
        Assert.Equal("large", Catalog[ranking[0].Index].Name);
        Assert.Equal("medium-fast", Catalog[ranking[1].Index].Name);
        Assert.Equal("medium", Catalog[ranking[2].Index].Name);
    }

    [Fact]
    public void PeakCoverage_DefaultPolicy_ThrowsAsSelectDoes()
    {
        // Before: Select rejected the invalid default policy, but PeakCoverage returned a figure for it.
        var profile = Load(1, 3);
        ScoringPolicy invalid = default;

        Assert.Throws<ArgumentException>("policy", () => Selector.Select(Catalog, profile, invalid, new ScoredShape[1]));
        Assert.Throws<ArgumentException>("policy", () => ShapeSelector.PeakCoverage(Catalog[1], profile, invalid));
    }

    [Fact]
    public void Select_EqualScores_BreaksTiesByPriceThenName()
    {
        var catalog = new ShapeCatalog(
        [
            new ResourceShape("b", new ResourceVector(4, 8, 10, 1), new ShapeProfile(0.5)),
            new ResourceShape("a", new ResourceVector(4, 8, 10, 1), new ShapeProfile(0.5)),
            new ResourceShape("c", new ResourceVector(4, 8, 10, 1), new ShapeProfile(0.4)),
        ]);
        Span<ScoredShape> ranking = stackalloc ScoredShape[3];
        Selector.Select(catalog, LoadProfile.Exact(ResourceVector.Zero, ResourceVector.Zero, TimeSpan.FromHours(1)), new ScoringPolicy(1, 0, 0.9, TimeSpan.FromHours(1)), ranking);

        Assert.Equal(["c", "a", "b"], ranking.ToArray().Select(e => catalog[e.Index].Name));
    }

    [Fact]
    public void Select_NothingCoversThePeak_ReturnsNoFeasibleShapeWithoutThrowing()
    {
        Span<ScoredShape> ranking = stackalloc ScoredShape[2];
        var result = Selector.Select(Catalog, Load(10, 40), ScoringPolicy.Default, ranking);

        Assert.Equal(SelectionOutcome.NoFeasibleShape, result.Outcome);
        Assert.False(result.IsSuccess);
        Assert.Equal(0, result.Count);
        Assert.Equal(0, result.FeasibleCount);
        Assert.Equal(Catalog.Version, result.CatalogVersion);
    }

    [Fact]
    public void Select_RankingShorterThanFeasibleSet_KeepsTheBest()
    {
        Span<ScoredShape> ranking = stackalloc ScoredShape[1];
        var result = Selector.Select(Catalog, Load(1, 1), new ScoringPolicy(0, 0, 0.95, TimeSpan.FromHours(1)), ranking);

        Assert.Equal(1, result.Count);
        Assert.Equal(4, result.FeasibleCount);
        Assert.Equal("small", Catalog[ranking[0].Index].Name);
    }

    [Fact]
    public void Select_ReportsCostForTheDuration()
    {
        Span<ScoredShape> ranking = stackalloc ScoredShape[1];
        Selector.Select(Catalog, Load(1, 1), new ScoringPolicy(0, 0, 0.95, TimeSpan.FromHours(10)), ranking);

        Assert.Equal(1.0, ranking[0].CostForDuration, 12);
    }

    [Fact]
    public void Select_EmptyCatalog_ThrowsNamingCatalog()
    {
        var ranking = new ScoredShape[1];
        var exception = Assert.Throws<ArgumentException>(() => Selector.Select(ShapeCatalog.Empty, Load(1, 1), ScoringPolicy.Default, ranking));
        Assert.Equal("catalog", exception.ParamName);
    }

    [Fact]
    public void Select_EmptyRanking_ThrowsNamingRanking()
    {
        var exception = Assert.Throws<ArgumentException>(() => Selector.Select(Catalog, Load(1, 1), ScoringPolicy.Default, Span<ScoredShape>.Empty));
        Assert.Equal("ranking", exception.ParamName);
    }

    [Fact]
    public void Select_DefaultPolicy_ThrowsNamingPolicy()
    {
        var ranking = new ScoredShape[1];
        var exception = Assert.Throws<ArgumentException>(() => Selector.Select(Catalog, Load(1, 1), default, ranking));
        Assert.Equal("policy", exception.ParamName);
    }

    [Fact]
    public void Select_NullArguments_Throw()
    {
        var ranking = new ScoredShape[1];
        Assert.Throws<ArgumentNullException>("catalog", () => Selector.Select(null!, Load(1, 1), ScoringPolicy.Default, ranking));
        Assert.Throws<ArgumentNullException>("profile", () => Selector.Select(Catalog, null!, ScoringPolicy.Default, ranking));
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    public void ScoringPolicy_TradeoffOutsideUnitInterval_ThrowsNamingTradeoff(double tradeoff)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => new ScoringPolicy(tradeoff, 0.1, 0.95, TimeSpan.FromHours(1)));
        Assert.Equal("tradeoff", exception.ParamName);
    }

    [Theory]
    [InlineData(0.1, -0.1, 0.95, "headroom")]
    [InlineData(0.1, double.NaN, 0.95, "headroom")]
    [InlineData(0.1, 0.1, 1.0, "peakConfidence")]
    [InlineData(0.1, 0.1, 0.0, "peakConfidence")]
    [InlineData(0.1, 0.1, double.NaN, "peakConfidence")]
    public void ScoringPolicy_BadArguments_ThrowNamingTheArgument(double tradeoff, double headroom, double confidence, string name)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => new ScoringPolicy(tradeoff, headroom, confidence, TimeSpan.FromHours(1)));
        Assert.Equal(name, exception.ParamName);
    }

    [Fact]
    public void ScoringPolicy_NonPositiveDuration_ThrowsNamingDuration()
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => new ScoringPolicy(0.5, 0.1, 0.9, TimeSpan.Zero));
        Assert.Equal("duration", exception.ParamName);
    }

    [Fact]
    public void Select_CustomModel_IsUsedForThePerformanceTerm()
    {
        Span<ScoredShape> ranking = stackalloc ScoredShape[4];
        Selector.Select(Catalog, Load(1, 1), new ScoringPolicy(1, 0, 0.95, TimeSpan.FromHours(1)), ranking, new MemoryOnlyModel());

        // Memory-only scoring: 64 GiB "large" wins; the two 16 GiB shapes tie and the cheaper goes first.
        Assert.Equal(["large", "medium", "medium-fast", "small"], ranking.ToArray().Select(e => Catalog[e.Index].Name));
    }

    private readonly struct MemoryOnlyModel : IPerformanceModel
    {
        public double Score(in ResourceVector capacity, double performanceFactor, in PerformanceInputs inputs) =>
            capacity.MemoryGiB / 64;
    }

    [Fact]
    public void Select_NegativeZeroCapacity_ScoresLikePositiveZeroInBothLoops()
    {
        // −0.0 CPU passes "≥ 0" but its reciprocal is −∞: the vector loop once scored the shape +∞ (t = 0.5) or NaN
        // (t = 0, dropping the cheapest feasible shape). Load on the CPU in the mean but a zero peak keeps it feasible.
        var catalog = new ShapeCatalog(
        [
            new ResourceShape("disk", new ResourceVector(-0.0, 1, 100, 1), new ShapeProfile(1.0)),
            new ResourceShape("m", new ResourceVector(2, 4, 100, 1), new ShapeProfile(2.0)),
        ]);
        var zero = QuantileDistribution.Degenerate(0);
        var profile = new LoadProfile(
            [QuantileDistribution.FromQuantiles(0.5, new double[QuantileDistribution.LevelCount]), zero, zero, zero],
            [zero, zero, zero, zero],
            TimeSpan.FromHours(1));

        Assert.Equal(0.0, catalog[0].Capacity.CpuCores);
        Assert.False(double.IsNegative(catalog[0].Capacity.CpuCores));
        foreach (var tradeoff in new[] { 0.0, 0.5, 1.0 })
        {
            var vector = new ScoredShape[2];
            var scalar = new ScoredShape[2];
            var policy = new ScoringPolicy(tradeoff, 0.1, 0.95, TimeSpan.FromHours(1));
            var result = Selector.Select(catalog, profile, policy, vector);

            Assert.Equal(ShapeSelector.SelectScalar(catalog, profile, policy, scalar, default(UtilizationPerformanceModel)), result);
            Assert.Equal(scalar, vector);
            Assert.Equal(2, result.Count);
            Assert.All(vector, e => Assert.InRange(e.Score, 0, 1));
        }
    }

    [Theory]
    [InlineData(49.0)]
    [InlineData(1e-300)]
    [InlineData(0.1)]
    public void Select_CheapestFeasibleShape_HasCostScoreExactlyOne(double price)
    {
        // p × (1/p) rounds below 1 for some prices (49 gives 0.9999999999999999).
        var catalog = new ShapeCatalog(
        [
            new ResourceShape("a", new ResourceVector(4, 16, 100, 5), new ShapeProfile(price)),
            new ResourceShape("b", new ResourceVector(4, 16, 100, 5), new ShapeProfile(price)),
            new ResourceShape("c", new ResourceVector(8, 32, 100, 5), new ShapeProfile(price * 3)),
        ]);
        var vector = new ScoredShape[3];
        var scalar = new ScoredShape[3];
        var policy = new ScoringPolicy(0, 0.1, 0.95, TimeSpan.FromHours(1));

        Selector.Select(catalog, Load(1, 3), policy, vector);
        ShapeSelector.SelectScalar(catalog, Load(1, 3), policy, scalar, default(UtilizationPerformanceModel));

        Assert.Equal(1.0, vector[0].CostScore);
        Assert.Equal(1.0, vector[1].CostScore);
        Assert.True(vector[2].CostScore < 1);
        Assert.Equal(scalar, vector);
    }
}
