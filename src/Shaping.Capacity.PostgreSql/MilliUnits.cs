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
    /// <summary>Multiplies by a replica count.</summary>
    /// <remarks>
    /// For a request within <see cref="Shaping.Core.Capacity.CapacityLimits"/> each product is at most
    /// 9 × 10¹² + <paramref name="factor"/> milli-units, so it cannot overflow; the arithmetic is checked all the same.
    /// </remarks>
    internal MilliVector Times(int factor) =>
        new(checked(Cpu * factor), checked(Memory * factor), checked(Storage * factor), checked(Network * factor));
}
