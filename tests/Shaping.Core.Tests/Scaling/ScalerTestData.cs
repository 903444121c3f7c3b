using FsCheck;
using FsCheck.Fluent;
using Shaping.Core.Resources;
using Shaping.Core.Scaling;
using Shaping.Core.Shapes;

namespace Shaping.Core.Tests.Scaling;

/// <summary>A scenario for scaler properties: a policy and a seed for the observation stream.</summary>
public sealed record ScalerCase(ScalerPolicy Policy, int Seed, bool Proactive)
{
    public override string ToString() => $"{Policy} seed {Seed} proactive {Proactive}";
}

public static class ScalerTestData
{
    /// <summary>Five shapes, each twice the one before in every dimension and twice the price.</summary>
    public static ShapeCatalog Ladder { get; } = new(
    [
        Shape("xs", 1, 0.05),
        Shape("s", 2, 0.10),
        Shape("m", 4, 0.20),
        Shape("l", 8, 0.40),
        Shape("xl", 16, 0.80),
    ]);

    public static ResourceShape Shape(string name, double size, double price) =>
        new(name, new ResourceVector(size, size * 4, size * 10, size * 0.5), new ShapeProfile(price));

    /// <summary>A demand that is <paramref name="utilization"/> of a ladder shape's CPU, and lower in the other dimensions.</summary>
    public static ResourceVector CpuDemand(int shapeIndex, double utilization, double otherFraction = 0.5)
    {
        var capacity = Ladder[shapeIndex].Capacity;
        var other = utilization * otherFraction;
        return new ResourceVector(
            capacity.CpuCores * utilization, capacity.MemoryGiB * other, capacity.StorageGiB * other, capacity.NetworkGbps * other);
    }

    public static Gen<ScalerPolicy> Policies() =>
        from up in Gen.Choose(55, 95)
        from down in Gen.Choose(5, up - 20)
        from target in Gen.Choose(down + 5, up - 5)
        from tauSeconds in Gen.Elements(0, 5, 30, 60, 300)
        from upWindowSeconds in Gen.Choose(1, 300)
        from extraDownSeconds in Gen.Choose(0, 1200)
        from cooldownSeconds in Gen.Choose(0, 600)
        from cap in Gen.Choose(1, ScalerPolicy.MaxSwitchCap)
        from periodMinutes in Gen.Choose(1, 240)
        select new ScalerPolicy(
            up / 100.0,
            down / 100.0,
            target / 100.0,
            TimeSpan.FromSeconds(tauSeconds),
            TimeSpan.FromSeconds(upWindowSeconds),
            TimeSpan.FromSeconds(upWindowSeconds + extraDownSeconds),
            TimeSpan.FromSeconds(cooldownSeconds),
            cap,
            TimeSpan.FromMinutes(periodMinutes));

    public static Arbitrary<ScalerCase> Cases() =>
        (from policy in Policies()
         from seed in Gen.Choose(0, int.MaxValue)
         from proactive in Gen.Elements(false, true)
         select new ScalerCase(policy, seed, proactive)).ToArbitrary();

    public static DateTimeOffset Start { get; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Feeds one observation in the case's mode.</summary>
    public static ScalerDecision Feed(
        HysteresisScaler scaler, ScalerCase scenario, in ScalerState state, ResourceVector used, ResourceVector forecast, DateTimeOffset at, out ScalerState next) =>
        scenario.Proactive
            ? scaler.Decide(state, used, forecast, at, out next)
            : scaler.Decide(state, used, at, out next);
}
