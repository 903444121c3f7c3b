using BenchmarkDotNet.Attributes;
using Shaping.Core.Resources;
using Shaping.Core.Scaling;
using Shaping.Core.Shapes;

namespace Shaping.Benchmarks.Scaling;

/// <summary>
/// Observations per second through <see cref="HysteresisScaler"/> on one core: one replica's stream of 4,096
/// observations every 15 s, mostly inside the bands with excursions that make it move up and down.
/// </summary>
[MemoryDiagnoser]
public class HysteresisScalerBenchmarks
{
    private const int Observations = 4096;

    private readonly ResourceVector[] _used = new ResourceVector[Observations];
    private readonly ResourceVector[] _forecast = new ResourceVector[Observations];
    private readonly DateTimeOffset[] _at = new DateTimeOffset[Observations];
    private HysteresisScaler _scaler = null!;
    private int _startShape;

    [GlobalSetup]
    public void Setup()
    {
        var shapes = new List<ResourceShape>();
        for (var i = 0; i < 12; i++)
        {
            var size = Math.Pow(2, i / 2.0);
            shapes.Add(new ResourceShape($"shape-{i:00}", new ResourceVector(size, size * 4, size * 20, size * 0.5), new ShapeProfile(0.05 * size)));
        }

        var catalog = new ShapeCatalog(shapes);
        _scaler = new HysteresisScaler(catalog, new ScalerPolicy(
            smoothingTimeConstant: TimeSpan.FromMinutes(1),
            upStabilizationWindow: TimeSpan.FromMinutes(1),
            downStabilizationWindow: TimeSpan.FromMinutes(5),
            cooldown: TimeSpan.FromMinutes(3)));
        _startShape = 5;

        var random = new Random(42);
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var level = 2.0;
        for (var i = 0; i < Observations; i++)
        {
            if (i % 256 == 0)
            {
                level = 0.5 + (random.NextDouble() * 8);
            }

            var noise = 0.9 + (0.2 * random.NextDouble());
            _used[i] = new ResourceVector(level * noise, level * 3 * noise, level * 10, level * 0.2 * noise);
            _forecast[i] = _used[i].Scale(1.1);
            at += TimeSpan.FromSeconds(15);
            _at[i] = at;
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Observations, Description = "EWMA only (4 dims, irregular-time weight)")]
    public double EwmaOnly()
    {
        double cpu = 0, memory = 0, storage = 0, network = 0;
        var last = _at[0].UtcTicks;
        var inverseTau = 1.0 / TimeSpan.FromMinutes(1).Ticks;
        for (var i = 0; i < Observations; i++)
        {
            var now = _at[i].UtcTicks;
            var alpha = 1 - Math.Exp(-(now - last) * inverseTau);
            var used = _used[i];
            cpu += alpha * (used.CpuCores - cpu);
            memory += alpha * (used.MemoryGiB - memory);
            storage += alpha * (used.StorageGiB - storage);
            network += alpha * (used.NetworkGbps - network);
            last = now;
        }

        return cpu + memory + storage + network;
    }

    [Benchmark(OperationsPerInvoke = Observations, Description = "Decide (reactive)")]
    public int Reactive()
    {
        var state = ScalerState.Create(_startShape);
        var moves = 0;
        for (var i = 0; i < Observations; i++)
        {
            moves += _scaler.Decide(state, _used[i], _at[i], out state).IsMove ? 1 : 0;
        }

        return moves + state.ShapeIndex;
    }

    [Benchmark(OperationsPerInvoke = Observations, Description = "Decide (proactive, with forecast)")]
    public int Proactive()
    {
        var state = ScalerState.Create(_startShape);
        var moves = 0;
        for (var i = 0; i < Observations; i++)
        {
            moves += _scaler.Decide(state, _used[i], _forecast[i], _at[i], out state).IsMove ? 1 : 0;
        }

        return moves + state.ShapeIndex;
    }
}
