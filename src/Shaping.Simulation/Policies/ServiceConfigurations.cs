using Shaping.Core.Shapes;

namespace Shaping.Simulation.Policies;

/// <summary>
/// Every way to run a service on one catalog: shape × replica count, as a catalog of its own (capacity and price
/// multiplied by the count), so the shape selector and the hysteresis scaler choose the shape and the replica
/// count in one pass.
/// </summary>
internal sealed class ServiceConfigurations
{
    private readonly Dictionary<(string Shape, int Replicas), int> _index = [];

    public ServiceConfigurations(ShapeCatalog catalog, int maxReplicas)
    {
        Source = catalog;
        var shapes = new List<ResourceShape>(catalog.Count * maxReplicas);
        var origin = new Dictionary<string, (ResourceShape Shape, int Replicas)>(StringComparer.Ordinal);
        foreach (var shape in catalog.Shapes)
        {
            for (var n = 1; n <= maxReplicas; n++)
            {
                var name = FormattableString.Invariant($"{shape.Name}×{n}");
                shapes.Add(new ResourceShape(
                    name,
                    shape.Capacity.Scale(n),
                    new ShapeProfile(shape.PricePerHour * n, shape.Profile.PerformanceFactor, shape.Profile.SizeClass)));
                origin[name] = (shape, n);
            }
        }

        Catalog = new ShapeCatalog(shapes, catalog.Version);
        BaseShape = new ResourceShape[Catalog.Count];
        Replicas = new int[Catalog.Count];
        for (var i = 0; i < Catalog.Count; i++)
        {
            var (shape, n) = origin[Catalog[i].Name];
            BaseShape[i] = shape;
            Replicas[i] = n;
            _index[(shape.Name, n)] = i;
        }
    }

    /// <summary>Gets the catalog the configurations were built from.</summary>
    public ShapeCatalog Source { get; }

    /// <summary>Gets the configurations as a catalog (ascending total price).</summary>
    public ShapeCatalog Catalog { get; }

    /// <summary>Gets each configuration's shape, by configuration index.</summary>
    public ResourceShape[] BaseShape { get; }

    /// <summary>Gets each configuration's replica count, by configuration index.</summary>
    public int[] Replicas { get; }

    /// <summary>Finds the configuration of a decision; −1 when it is not one (for example more replicas than the maximum).</summary>
    public int IndexOf(ProvisioningDecision decision) =>
        _index.TryGetValue((decision.Shape.Name, decision.Replicas), out var i) ? i : -1;

    /// <summary>Turns a configuration into a decision.</summary>
    public ProvisioningDecision ToDecision(int index, ForecastInterval? forecast) => new(BaseShape[index], Replicas[index], forecast);
}
