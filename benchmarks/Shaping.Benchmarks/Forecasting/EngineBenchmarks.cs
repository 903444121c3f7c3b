using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;
using Shaping.Core.Prediction;
using Shaping.Core.Resources;
using Shaping.Forecasting.Engine;
using Shaping.Forecasting.Models;

namespace Shaping.Benchmarks.Forecasting;

/// <summary>
/// The request path's step 2: a profile lookup in the Predictive Load Engine after a background refresh. It must
/// be a lookup (no fit, no simulation) and allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class EngineBenchmarks
{
    private PredictiveLoadEngine _engine = null!;

    [GlobalSetup]
    public void Setup()
    {
        var options = new PredictiveLoadEngineOptions
        {
            Resolution = TimeSpan.FromHours(1),
            RefreshInterval = TimeSpan.FromHours(1),
            StaleAfter = TimeSpan.FromHours(3),
            PathCount = 200,
        };
        options.Windows.Clear();
        options.Windows.Add(TimeSpan.FromHours(1));
        options.Windows.Add(TimeSpan.FromDays(1));
        _engine = new PredictiveLoadEngine(new SeasonalNaiveForecaster(), new NoFallback(), options);
        // Two weeks of data ending now: the engine falls back once a region's latest observation is older than StaleAfter.
        var start = TimeProvider.System.GetUtcNow().AddDays(-14);
        var random = new Random(42);
        for (var h = 0; h < 24 * 14; h++)
        {
            var cpu = 20 + (10 * Math.Sin(2 * Math.PI * h / 24)) + random.NextDouble();
            _engine.Observe("eu-west", start.AddHours(h), new ResourceVector(cpu, cpu * 4, 100, cpu / 10));
        }

        _engine.RefreshAsync().GetAwaiter().GetResult();
        if (!_engine.TryGetProfile("eu-west", TimeSpan.FromHours(1), out var profile) || profile.Source != ProfileSource.Forecast)
        {
            throw new InvalidOperationException("The engine should hold a forecast profile after the refresh.");
        }
    }

    [Benchmark]
    public LoadProfile? ProfileLookup() =>
        _engine.TryGetProfile("eu-west", TimeSpan.FromMinutes(30), out var profile) ? profile : null;

    private sealed class NoFallback : ILoadPredictor
    {
        public void Observe(string region, DateTimeOffset timestamp, ResourceVector demand)
        {
        }

        public bool TryGetProfile(string region, TimeSpan window, [NotNullWhen(true)] out LoadProfile? profile)
        {
            profile = null;
            return false;
        }
    }
}
