using Shaping.Core.Resources;
using Shaping.Simulation.Traces;

namespace Shaping.Simulation.Demand;

/// <summary>
/// Demand from a request-count metric: a fixed baseline plus a per-request cost in every dimension.
/// </summary>
/// <remarks>
/// The column holds requests per <paramref name="countPeriod"/> (for example requests per minute in WorldCup98,
/// requests per 5-minute sample in NAB's ELB trace). It is converted to requests per second, and
/// <c>demand = baseline + perRequestPerSecond × rps</c>. Example: 0.002 cores, 0.004 GiB and 0.0001 Gbps per
/// request/s on top of a 0.5-core, 1 GiB baseline.
/// </remarks>
/// <param name="column">The column holding the request count.</param>
/// <param name="countPeriod">The period each value counts requests over; positive.</param>
/// <param name="perRequestPerSecond">Resources one request per second needs (cores, GiB, GiB, Gbps per request/s); not all zero.</param>
/// <param name="baseline">Resources the service needs with no traffic.</param>
public sealed class RequestRateDemandModel(
    string column, TimeSpan countPeriod, ResourceVector perRequestPerSecond, ResourceVector baseline = default) : IDemandModel
{
    private readonly string _column = Validate(column, countPeriod, perRequestPerSecond, baseline);

    /// <inheritdoc/>
    public DemandSeries Map(LoadTrace trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var counts = DemandColumns.ReadNonNegative(trace, _column, nameof(RequestRateDemandModel));
        var seconds = countPeriod.TotalSeconds;
        var demand = new ResourceVector[counts.Length];
        for (var i = 0; i < demand.Length; i++)
        {
            demand[i] = baseline + perRequestPerSecond.Scale(counts[i] / seconds);
            DemandColumns.ThrowIfOverflowed(demand[i].IsValidAmount, trace, _column, i, counts[i], nameof(RequestRateDemandModel));
        }

        return new DemandSeries(trace.Name, trace.Start, trace.Step, demand);
    }

    // Parameter names match the primary constructor's, which is what a caller sees in the exception.
    private static string Validate(string column, TimeSpan countPeriod, ResourceVector perRequestPerSecond, ResourceVector baseline)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(column);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(countPeriod, TimeSpan.Zero);
        ResourceVector.ThrowIfInvalidAmount(perRequestPerSecond);
        ResourceVector.ThrowIfInvalidAmount(baseline);
        if (perRequestPerSecond.IsZero)
        {
            throw new ArgumentOutOfRangeException(
                nameof(perRequestPerSecond), perRequestPerSecond, "perRequestPerSecond must be positive in at least one dimension.");
        }

        return column;
    }
}
