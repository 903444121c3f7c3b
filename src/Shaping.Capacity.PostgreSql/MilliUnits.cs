using Shaping.Core.Resources;

namespace Shaping.Capacity.PostgreSql;

/// <summary>
/// Converts amounts to and from the integer milli-units the tables store (0.001 core, 0.001 GiB, 0.001 Gbps).
/// </summary>
/// <remarks>
/// Integers make the database's sums exact: adding and subtracting reservations never drifts, so the free
/// capacity after every reservation is gone equals the start exactly, whatever the order of operations. Reservation
/// amounts round up and capacities down to a whole milli-unit (see <c>ToMilli</c>); <c>milli / 1000.0</c> gives back
/// the nearest double, so 0.1 comes back as 0.1.
/// </remarks>
internal static class MilliUnits
{
    /// <summary>The largest amount of one dimension, in that dimension's unit (10^12), so sums fit a bigint.</summary>
    internal const double MaxAmount = 1e12;

    internal const long MaxMilli = 1_000_000_000_000_000L;

    internal static MilliVector ToMilliUp(ResourceVector vector) => ToMilli(vector, up: true);

    internal static MilliVector ToMilliDown(ResourceVector vector) => ToMilli(vector, up: false);

    private static MilliVector ToMilli(ResourceVector vector, bool up) => new(
        ToMilli(vector.CpuCores, up), ToMilli(vector.MemoryGiB, up), ToMilli(vector.StorageGiB, up), ToMilli(vector.NetworkGbps, up));

    // An amount within a few ulps of a whole milli-unit is that milli-unit (0.007 × 1000 is 7.000000000000001 in binary
    // and must stay 7): only the noise of the multiplication is forgiven, at every magnitude. Any other amount rounds up
    // for a reservation and down for a capacity, so that rounding can only make the ledger stricter, never let it hold
    // more than a region has.
    private static long ToMilli(double amount, bool up)
    {
        var scaled = amount * 1000.0;
        var nearest = Math.Round(scaled, MidpointRounding.AwayFromZero);
        var magnitude = Math.Abs(scaled);
        if (Math.Abs(scaled - nearest) <= 4 * (Math.BitIncrement(magnitude) - magnitude))
        {
            return (long)nearest;
        }

        return (long)(up ? Math.Ceiling(scaled) : Math.Floor(scaled));
    }

    internal static double FromMilli(long milli) => milli / 1000.0;


    internal static ResourceVector FromMilli(MilliVector vector) => new(
        FromMilli(vector.Cpu), FromMilli(vector.Memory), FromMilli(vector.Storage), FromMilli(vector.Network));
}

/// <summary>An amount in integer milli-units per dimension.</summary>
internal readonly record struct MilliVector(long Cpu, long Memory, long Storage, long Network)
{
    /// <summary>Multiplies by a replica count; null when a dimension would exceed <see cref="MilliUnits.MaxMilli"/>.</summary>
    internal MilliVector? TimesOrNull(int factor)
    {
        long Mul(long v) => v > MilliUnits.MaxMilli / factor ? -1 : v * factor;
        var r = new MilliVector(Mul(Cpu), Mul(Memory), Mul(Storage), Mul(Network));
        return r.Cpu < 0 || r.Memory < 0 || r.Storage < 0 || r.Network < 0 ? null : r;
    }
}
