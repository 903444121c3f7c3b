using BenchmarkDotNet.Running;
using Shaping.Benchmarks;

// Run with -c Release (BenchmarkDotNet refuses Debug builds), e.g.
//   dotnet run -c Release --project benchmarks/Shaping.Benchmarks -- --filter '*Selector*'
BenchmarkSwitcher.FromAssembly(typeof(ShapingBenchmarkConfig).Assembly).Run(args, new ShapingBenchmarkConfig());
