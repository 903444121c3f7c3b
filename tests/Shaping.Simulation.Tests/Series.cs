using Shaping.Core.Resources;
using Shaping.Simulation.Demand;

namespace Shaping.Simulation.Tests;

internal static class Series
{
    public static readonly DateTimeOffset Start = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static DemandSeries Cpu(TimeSpan step, params double[] cores) =>
        new("test", Start, step, cores.Select(c => new ResourceVector(c, 0, 0, 0)));
}
