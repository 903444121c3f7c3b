using System.Collections.Frozen;

namespace Shaping.Core.Provisioning;

/// <summary>
/// An <see cref="IProvisioner"/> that routes every call to the provisioner of the region it names, so a control
/// plane can serve several regions (and fail over between them) through one port.
/// </summary>
/// <remarks>
/// A call naming a region with no provisioner is answered <see cref="ProvisionStatus.RegionUnavailable"/>: this control
/// plane cannot reach that region, so a caller fails over to another one at once rather than trying every shape there
/// (as it would after <see cref="ProvisionStatus.Rejected"/>, which refuses one request). The routing table
/// is fixed at construction. <b>Thread safety:</b> as thread-safe as the provisioners it routes to.
/// </remarks>
public sealed class RegionalProvisioner : IProvisioner
{
    private readonly FrozenDictionary<string, IProvisioner> _regions;

    /// <summary>Creates a router.</summary>
    /// <param name="regions">Region name → that region's provisioner.</param>
    /// <exception cref="ArgumentNullException"><paramref name="regions"/> or one of its provisioners is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A region name is empty or appears twice.</exception>
    public RegionalProvisioner(IEnumerable<KeyValuePair<string, IProvisioner>> regions)
    {
        ArgumentNullException.ThrowIfNull(regions);
        var table = new Dictionary<string, IProvisioner>(StringComparer.Ordinal);
        foreach (var (name, provisioner) in regions)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(name, nameof(regions));
            ArgumentNullException.ThrowIfNull(provisioner, nameof(regions));
            if (!table.TryAdd(name, provisioner))
            {
                throw new ArgumentException($"The region '{name}' appears more than once.", nameof(regions));
            }
        }

        _regions = table.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Creates a router over in-memory regions, each serving its own <see cref="InMemoryRegion.Name"/>.</summary>
    /// <param name="regions">The regions.</param>
    /// <exception cref="ArgumentNullException"><paramref name="regions"/> or one of its elements is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">Two regions share a name.</exception>
    public RegionalProvisioner(params IEnumerable<InMemoryRegion> regions)
        : this((regions ?? throw new ArgumentNullException(nameof(regions)))
            .Select(r => new KeyValuePair<string, IProvisioner>((r ?? throw new ArgumentNullException(nameof(regions))).Name, r)))
    {
    }

    /// <summary>Gets the names of the regions served.</summary>
    public IReadOnlyCollection<string> Regions => _regions.Keys;

    /// <inheritdoc/>
    public ValueTask<ProvisionResult> ProvisionAsync(ProvisionRequest request, CancellationToken cancellationToken = default) =>
        _regions.TryGetValue(request.Region ?? string.Empty, out var region)
            ? region.ProvisionAsync(request, cancellationToken)
            : ValueTask.FromResult(Unknown(request.Region));

    /// <inheritdoc/>
    public ValueTask<ProvisionResult> ResizeAsync(ResizeRequest request, CancellationToken cancellationToken = default) =>
        _regions.TryGetValue(request.Region ?? string.Empty, out var region)
            ? region.ResizeAsync(request, cancellationToken)
            : ValueTask.FromResult(Unknown(request.Region));

    /// <inheritdoc/>
    public ValueTask<ProvisionResult> ReleaseAsync(string region, string replicaId, CancellationToken cancellationToken = default) =>
        _regions.TryGetValue(region ?? string.Empty, out var provisioner)
            ? provisioner.ReleaseAsync(region!, replicaId, cancellationToken) // region is non-null: the lookup of "" failed otherwise
            : ValueTask.FromResult(Unknown(region));

    private static ProvisionResult Unknown(string? region) =>
        ProvisionResult.Failure(ProvisionStatus.RegionUnavailable, $"No provisioner serves region '{region}'.");
}
