namespace Shaping.Simulation.Policies;

/// <summary>
/// A provisioning policy under backtest: before each interval it decides the shape and the number of replicas to
/// run, seeing only the demand observed so far.
/// </summary>
/// <remarks>
/// <para>
/// The whole service's capacity for the interval is <c>replicas × shape capacity</c>, and it costs
/// <c>replicas × shape price × interval length</c>. The simulator calls <see cref="Reset"/> before each run, then
/// <see cref="Decide"/> once per interval in time order; <see cref="ProvisioningContext.History"/> holds the demand
/// of the intervals before the one being decided, never the current or a later one.
/// </para>
/// <para>
/// Policies are stateful (a scaler remembers its recommendations, a recommender its histogram) and not thread-safe;
/// use one instance per concurrent run. A forecasting policy reports the interval it predicted through
/// <see cref="ProvisioningDecision.Forecast"/> so the simulator can score its coverage.
/// </para>
/// </remarks>
public interface IProvisioningPolicy
{
    /// <summary>Gets the name used in reports, such as <c>hpa-like</c>.</summary>
    string Name { get; }

    /// <summary>Clears all state learned in a previous run.</summary>
    void Reset();

    /// <summary>Decides the capacity for the interval <see cref="ProvisioningContext.Index"/>.</summary>
    /// <param name="context">The interval, the catalog, the past demand and the previous decision.</param>
    /// <returns>The shape and replica count to run during that interval.</returns>
    ProvisioningDecision Decide(ProvisioningContext context);
}
