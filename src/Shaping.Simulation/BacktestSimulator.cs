using System.Collections.Immutable;
using Shaping.Core.Resources;
using Shaping.Core.Shapes;
using Shaping.Simulation.Demand;
using Shaping.Simulation.Policies;

namespace Shaping.Simulation;

/// <summary>
/// Replays a demand series through a provisioning policy, interval by interval, and accounts for capacity and cost.
/// </summary>
/// <remarks>
/// <para>
/// For each interval <c>t</c> the policy is asked for a decision seeing only the demand of intervals before
/// <c>t</c>; the decision is then in force for the whole interval: capacity = replicas × shape capacity, cost =
/// replicas × shape price per hour × interval hours. The demand of interval <c>t</c> is then compared with that
/// capacity. Nothing is carried over between intervals (no start-up delay): a policy's decision takes effect at
/// once, which flatters reactive policies slightly and is the same for all of them. Capacity is compared in raw
/// units: a shape's <see cref="Shaping.Core.Shapes.ShapeProfile.PerformanceFactor"/> is not applied (a core is a core).
/// </para>
/// <para>The simulator holds no state between runs and is safe to share; the policies it runs are not.</para>
/// </remarks>
/// <param name="catalog">The shapes the policies choose from.</param>
public sealed class BacktestSimulator(ShapeCatalog catalog)
{
    private const double Tolerance = 1e-9;
    private readonly ShapeCatalog _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));

    /// <summary>Gets the catalog the policies choose from.</summary>
    public ShapeCatalog Catalog => _catalog;

    /// <summary>Runs one policy over a series.</summary>
    /// <param name="demand">The demand to replay.</param>
    /// <param name="policy">The policy; it is <see cref="IProvisioningPolicy.Reset"/> first.</param>
    /// <param name="progress">Receives the number of intervals done, every 1 % or so; <see langword="null"/> for none.</param>
    /// <returns>Every interval and the summary metrics.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// The demand needs a dimension that no shape in the catalog provides (every policy would be short all the time).
    /// </exception>
    public BacktestResult Run(DemandSeries demand, IProvisioningPolicy policy, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(demand);
        ArgumentNullException.ThrowIfNull(policy);
        ThrowIfUncoverable(demand);
        policy.Reset();

        var values = demand.Values.AsMemory();
        var hours = demand.Step.TotalHours;
        var steps = ImmutableArray.CreateBuilder<BacktestStep>(demand.Length);
        ProvisioningDecision? previous = null;
        var forecasts = 0;
        var covered = 0;
        var reportEvery = Math.Max(1, demand.Length / 100);
        for (var t = 0; t < demand.Length; t++)
        {
            var context = new ProvisioningContext(t, demand.TimeOf(t), demand.Step, _catalog, values[..t], previous);
            var decision = policy.Decide(context);
            if (decision.Shape is null)
            {
                throw new InvalidOperationException($"Policy {policy.Name} returned an empty decision at interval {t}.");
            }

            var actual = values.Span[t];
            if (decision.Forecast is { } forecast)
            {
                forecasts++;
                if (forecast.Contains(actual))
                {
                    covered++;
                }
            }

            steps.Add(new BacktestStep(
                context.Time, actual, decision.Shape.Name, decision.Replicas, decision.Capacity, decision.PricePerHour * hours));
            previous = decision;
            if (progress is not null && (t + 1) % reportEvery == 0)
            {
                progress.Report(t + 1);
            }
        }

        var built = steps.MoveToImmutable();
        var coverage = forecasts == 0 ? double.NaN : (double)covered / forecasts;
        return new BacktestResult(policy.Name, demand.Name, demand.Step, built, Summarise(built, demand, coverage));
    }

    /// <summary>Runs several policies over the same series, one after the other.</summary>
    /// <param name="demand">The demand to replay.</param>
    /// <param name="policies">The policies.</param>
    /// <returns>One result per policy, in the given order.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public ImmutableArray<BacktestResult> RunAll(DemandSeries demand, IEnumerable<IProvisioningPolicy> policies)
    {
        ArgumentNullException.ThrowIfNull(policies);
        return [.. policies.Select(p => Run(demand, p))];
    }

    private void ThrowIfUncoverable(DemandSeries demand)
    {
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            var dimension = (Dimension)d;
            if (demand.Peak[dimension] > 0 && !_catalog.Shapes.Any(shape => shape.Capacity[dimension] > 0))
            {
                throw new ArgumentException(
                    $"The demand '{demand.Name}' needs {dimension} (peak {demand.Peak[dimension]:G4}) but no shape in the catalog provides any: give the shapes that dimension or leave it out of the demand model.",
                    nameof(demand));
            }
        }
    }

    private static BacktestMetrics Summarise(ImmutableArray<BacktestStep> steps, DemandSeries demand, double coverage)
    {
        var hours = demand.Step.TotalHours;
        var active = new bool[ResourceVector.DimensionCount];
        for (var d = 0; d < active.Length; d++)
        {
            active[d] = demand.Peak[(Dimension)d] > 0;
        }

        double cost = 0, slackSum = 0, worst = 0, switches = 0;
        var slackTerms = 0;

        // Replicas are counted in whole replica-intervals and multiplied by the step once: summing replicas × hours
        // in doubles drifted (a constant single replica averaged 1.0000000000000067).
        long replicaSteps = 0;
        var under = 0;
        for (var t = 0; t < steps.Length; t++)
        {
            var step = steps[t];
            cost += step.Cost;
            replicaSteps += step.Replicas;
            if (t > 0 && !string.Equals(step.ShapeName, steps[t - 1].ShapeName, StringComparison.Ordinal))
            {
                switches += step.Replicas;
            }

            var isUnder = false;
            for (var d = 0; d < active.Length; d++)
            {
                var dimension = (Dimension)d;
                var want = step.Demand[dimension];
                var have = step.Provisioned[dimension];
                if (want > have * (1 + Tolerance) + Tolerance)
                {
                    isUnder = true;
                    worst = Math.Max(worst, (want - have) / want);
                }

                if (active[d])
                {
                    slackSum += have > 0 ? (have - Math.Min(want, have)) / have : 0;
                    slackTerms++;
                }
            }

            if (isUnder)
            {
                under++;
            }
        }

        var replicaHours = replicaSteps * hours;
        var replicaDays = replicaHours / 24;
        return new BacktestMetrics(
            cost,
            slackTerms == 0 ? 1 : slackSum / slackTerms, // a series that demands nothing leaves all capacity unused
            (double)under / steps.Length,
            worst,
            replicaDays > 0 ? switches / replicaDays : 0,
            coverage,
            replicaHours,
            (double)replicaSteps / steps.Length,
            steps.Length);
    }
}
