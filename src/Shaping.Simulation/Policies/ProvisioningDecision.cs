using Shaping.Core.Resources;
using Shaping.Core.Shapes;

namespace Shaping.Simulation.Policies;

/// <summary>A policy's decision for one interval: run <see cref="Replicas"/> replicas of <see cref="Shape"/>.</summary>
public readonly record struct ProvisioningDecision
{
    /// <summary>Creates a decision.</summary>
    /// <param name="shape">The shape every replica runs on.</param>
    /// <param name="replicas">The replica count, at least 1.</param>
    /// <param name="forecast">The forecast interval for this interval's demand, for forecasting policies; otherwise <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="replicas"/> is below 1.</exception>
    public ProvisioningDecision(ResourceShape shape, int replicas, ForecastInterval? forecast = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        Shape = shape;
        Replicas = replicas;
        Forecast = forecast;
    }

    /// <summary>Gets the shape every replica runs on.</summary>
    public ResourceShape Shape { get; }

    /// <summary>Gets the number of replicas.</summary>
    public int Replicas { get; }

    /// <summary>Gets the forecast interval, for forecasting policies.</summary>
    public ForecastInterval? Forecast { get; }

    /// <summary>Gets the whole service's capacity: replicas × shape capacity.</summary>
    public ResourceVector Capacity => Shape.Capacity.Scale(Replicas);

    /// <summary>Gets the whole service's price, in currency per hour: replicas × shape price.</summary>
    public double PricePerHour => Shape.PricePerHour * Replicas;
}
