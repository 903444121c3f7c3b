using System.Collections.Frozen;
using Shaping.Core.ControlPlane;
using Shaping.Core.Resources;

namespace Shaping.Core.Provisioning;

/// <summary>
/// An <see cref="IUtilizationSource"/> that reports, for every replica that exists, what it would use under a
/// synthetic load: each region's demand follows a <see cref="SyntheticLoadModel"/> on the injected
/// <see cref="TimeProvider"/>, is spread evenly over the region's replicas, and is capped by each replica's shape.
/// It lets a host without a monitoring system (the embedded default, samples, tests) run the adjustment loop.
/// </summary>
/// <remarks>
/// <para>
/// <b>Which replicas.</b> Each <see cref="ReadAsync"/> takes a snapshot of the replicas: those a
/// <see cref="ReplicaInventory"/> tracks (what the control plane provisioned, on the shape it believes each runs on),
/// or those that run in a set of <see cref="InMemoryRegion"/>s (what the regions actually hold). Replicas of a
/// region with no model, and no default model, are not reported.
/// </para>
/// <para>
/// <b>What each uses.</b> At the read's time <i>t</i>, a region with <i>n</i> replicas reported has expected demand
/// <i>D(t)</i> (<see cref="SyntheticLoadModel.ExpectedDemand"/>); each replica sees the share <i>D(t)/n</i>, times its
/// own noise factor <c>max(0, 1 + noise × z)</c> with <i>z</i> a standard normal draw, as a load balancer spreading
/// requests round-robin would. A replica can't use more than it has, so the reported
/// <see cref="ReplicaUtilization.Used"/> is that demand capped per dimension at the shape's capacity: utilisation
/// (used ÷ capacity) is always finite and in [0, 1], and equals demand ÷ capacity while the replica is not saturated.
/// Moving a replica to a larger shape lowers its utilisation; adding replicas to a region lowers everyone's.
/// </para>
/// <para>
/// <b>Reproducibility.</b> Noise comes from a <see cref="Random"/> seeded at construction, drawn per replica in the
/// ordinal order of (region, replica id), so a sequence of reads at the same times over the same replicas gives the
/// same observations.
/// </para>
/// <para><b>Thread safety:</b> all members are safe to call concurrently.</para>
/// </remarks>
public sealed class SyntheticUtilizationSource : IUtilizationSource
{
    private readonly Func<List<ReplicaRecord>> _snapshot;
    private readonly FrozenDictionary<string, SyntheticLoadModel> _loads;
    private readonly SyntheticLoadModel? _defaultLoad;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _randomGate = new();
    private readonly Random _random;

    /// <summary>Creates a source over the replicas a <see cref="ReplicaInventory"/> tracks.</summary>
    /// <param name="inventory">The replicas the control plane provisioned, with their current shapes.</param>
    /// <param name="regionLoads">Region name → that region's load model; may be empty.</param>
    /// <param name="defaultLoad">The model of regions not in <paramref name="regionLoads"/>; <see langword="null"/> to report nothing for them.</param>
    /// <param name="seed">The seed of the noise.</param>
    /// <param name="timeProvider">The clock that timestamps observations and drives the cycle; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="inventory"/> or <paramref name="regionLoads"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="regionLoads"/> has an empty region name or a <see langword="null"/> model.</exception>
    public SyntheticUtilizationSource(
        ReplicaInventory inventory,
        IReadOnlyDictionary<string, SyntheticLoadModel> regionLoads,
        SyntheticLoadModel? defaultLoad = null,
        int seed = 0,
        TimeProvider? timeProvider = null)
        : this(SnapshotOf(inventory), regionLoads, defaultLoad, seed, timeProvider)
    {
    }

    /// <summary>Creates a source over the replicas that actually run in in-memory regions.</summary>
    /// <param name="regions">The regions; each replica is reported under its region's <see cref="InMemoryRegion.Name"/>.</param>
    /// <param name="regionLoads">Region name → that region's load model; may be empty.</param>
    /// <param name="defaultLoad">The model of regions not in <paramref name="regionLoads"/>; <see langword="null"/> to report nothing for them.</param>
    /// <param name="seed">The seed of the noise.</param>
    /// <param name="timeProvider">The clock that timestamps observations and drives the cycle; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="regions"/>, one of its elements, or <paramref name="regionLoads"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// Two regions share a name, or <paramref name="regionLoads"/> has an empty region name or a <see langword="null"/> model.
    /// </exception>
    /// <returns>The source.</returns>
    public static SyntheticUtilizationSource ForRegions(
        IEnumerable<InMemoryRegion> regions,
        IReadOnlyDictionary<string, SyntheticLoadModel> regionLoads,
        SyntheticLoadModel? defaultLoad = null,
        int seed = 0,
        TimeProvider? timeProvider = null) =>
        new(SnapshotOf(regions), regionLoads, defaultLoad, seed, timeProvider);

    private SyntheticUtilizationSource(
        Func<List<ReplicaRecord>> snapshot,
        IReadOnlyDictionary<string, SyntheticLoadModel> regionLoads,
        SyntheticLoadModel? defaultLoad,
        int seed,
        TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(regionLoads);
        foreach (var (region, model) in regionLoads)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(region, nameof(regionLoads));
            if (model is null)
            {
                throw new ArgumentException($"The load model of region '{region}' is null.", nameof(regionLoads));
            }
        }

        _snapshot = snapshot;
        _loads = regionLoads.ToFrozenDictionary(StringComparer.Ordinal);
        _defaultLoad = defaultLoad;
        _random = new Random(seed);
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the load model of a region: its own, the default, or none.</summary>
    /// <param name="region">The region name.</param>
    /// <returns>The model, or <see langword="null"/> when the source reports nothing for the region.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="region"/> is <see langword="null"/>.</exception>
    public SyntheticLoadModel? GetLoadModel(string region)
    {
        ArgumentNullException.ThrowIfNull(region);
        return _loads.TryGetValue(region, out var model) ? model : _defaultLoad;
    }

    /// <inheritdoc/>
    /// <remarks>One observation per replica with a load model, all timestamped with the clock's current time.</remarks>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<IReadOnlyList<ReplicaUtilization>> ReadAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var now = _timeProvider.GetUtcNow();
        var replicas = _snapshot();
        replicas.Sort(static (a, b) =>
        {
            var byRegion = string.CompareOrdinal(a.Region, b.Region);
            return byRegion != 0 ? byRegion : string.CompareOrdinal(a.ReplicaId, b.ReplicaId);
        });

        // Per region: the expected demand share of one replica (the region's demand over its reported replicas).
        var shares = new Dictionary<string, (SyntheticLoadModel Model, int Count, ResourceVector Share)>(StringComparer.Ordinal);
        foreach (var replica in replicas)
        {
            if (shares.TryGetValue(replica.Region, out var entry))
            {
                shares[replica.Region] = entry with { Count = entry.Count + 1 };
            }
            else if (GetLoadModel(replica.Region) is { } model)
            {
                shares[replica.Region] = (model, 1, default);
            }
        }

        foreach (var (region, entry) in shares)
        {
            shares[region] = entry with { Share = entry.Model.ExpectedDemand(now) * (1.0 / entry.Count) };
        }

        var observations = new List<ReplicaUtilization>(replicas.Count);
        lock (_randomGate)
        {
            foreach (var replica in replicas)
            {
                if (!shares.TryGetValue(replica.Region, out var entry))
                {
                    continue;
                }

                var demand = entry.Share * entry.Model.NoiseFactor(StandardNormal());
                var used = ResourceVector.Min(demand, replica.Shape.Capacity);
                observations.Add(new ReplicaUtilization(replica.Region, replica.ReplicaId, replica.Shape.Name, now, used));
            }
        }

        return ValueTask.FromResult<IReadOnlyList<ReplicaUtilization>>(observations);
    }

    private static Func<List<ReplicaRecord>> SnapshotOf(ReplicaInventory inventory)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        return () => [.. inventory.Snapshot()];
    }

    private static Func<List<ReplicaRecord>> SnapshotOf(IEnumerable<InMemoryRegion> regions)
    {
        ArgumentNullException.ThrowIfNull(regions);
        var list = new List<InMemoryRegion>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var region in regions)
        {
            ArgumentNullException.ThrowIfNull(region, nameof(regions));
            if (!names.Add(region.Name))
            {
                throw new ArgumentException($"The region '{region.Name}' appears more than once.", nameof(regions));
            }

            list.Add(region);
        }

        InMemoryRegion[] fixedRegions = [.. list];
        return () =>
        {
            var replicas = new List<ReplicaRecord>();
            foreach (var region in fixedRegions)
            {
                foreach (var (id, shape) in region.GetReplicas())
                {
                    replicas.Add(new ReplicaRecord(region.Name, id, shape, default));
                }
            }

            return replicas;
        };
    }

    // Must be called under _randomGate. Box–Muller: 1 − u is in (0, 1], so the logarithm is finite.
    private double StandardNormal()
    {
        var u1 = 1.0 - _random.NextDouble();
        var u2 = _random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
