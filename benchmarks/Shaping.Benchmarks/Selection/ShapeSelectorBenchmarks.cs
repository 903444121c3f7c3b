using BenchmarkDotNet.Attributes;
using Shaping.Core.Prediction;
using Shaping.Core.Selection;
using Shaping.Core.Shapes;

namespace Shaping.Benchmarks.Selection;

/// <summary>
/// Selection over catalogs of 5, 64 and 1,024 shapes: the Span-based selector (top-8 ranking into a
/// caller-supplied buffer) against the seed's literal dictionary-and-sort algorithm in the same run.
/// </summary>
[MemoryDiagnoser]
public class ShapeSelectorBenchmarks
{
    private readonly ShapeSelector _selector = new();
    private readonly ScoredShape[] _ranking = new ScoredShape[8];
    private ShapeCatalog _catalog = ShapeCatalog.Empty;
    private ResourceShape[] _shapes = [];
    private LoadProfile _profile = null!;
    private ScoringPolicy _policy;

    [Params(5, 64, 1024)]
    public int Shapes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _catalog = BenchmarkCatalogs.Create(Shapes);
        _shapes = [.. _catalog.Shapes];
        _profile = BenchmarkCatalogs.Profile();
        _policy = new ScoringPolicy(0.5, 0.1, 0.95, TimeSpan.FromHours(4));
        var result = _selector.Select(_catalog, _profile, _policy, _ranking);
        if (!result.IsSuccess && Shapes >= 64)
        {
            throw new InvalidOperationException("The benchmark profile should leave some shapes feasible.");
        }
    }

    [Benchmark(Baseline = true, Description = "Literal seed (dictionary + sort)")]
    public ResourceShape? Literal() => LiteralSeedSelector.Select(_shapes, _profile, _policy);

    [Benchmark(Description = "ShapeSelector (Span, top-8)")]
    public int Span() => _selector.Select(_catalog, _profile, _policy, _ranking).Count;
}
