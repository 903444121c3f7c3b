using Shaping.Core.Resources;
using Shaping.Simulation.Demand;
using Shaping.Simulation.Policies;

namespace Shaping.Accuracy.Backtest;

/// <summary>
/// A reference, not a policy: it reads the whole trace in advance. It is told every interval's demand except where a
/// burst starts, so the only thing it must guard against is a burst's first step. To be never short it holds, in
/// every interval, at least one constant guard per regime (the highest demand, per dimension, of that regime's burst
/// starts) and otherwise exactly the demand, with no headroom, through the cheapest (shape, replica count) cover.
/// Its cost shows how much room a target leaves to a policy that cannot foresee when bursts start.
/// </summary>
/// <remarks>
/// A burst starts at an interval whose demand, in some dimension, exceeds by more than <see cref="Jump"/> both the
/// previous interval's and the highest at the same position of the period (the same minute of the hour) over the
/// previous day: a sudden rise that the recent pattern does not already show. Regimes split the trace where the guard
/// may change (for example a labelled anomaly window).
/// </remarks>
internal sealed class BurstStartBound : IProvisioningPolicy
{
    /// <summary>The rise over the previous interval and over the previous day's same position that makes a burst start: 50 %.</summary>
    public const double Jump = 0.5;

    private readonly DemandSeries _demand;
    private readonly int[] _regimeStarts;
    private readonly ResourceVector[] _guards;
    private readonly int[] _burstStarts;

    /// <summary>Reads the trace and finds its burst starts.</summary>
    /// <param name="demand">The whole trace.</param>
    /// <param name="period">The period a recurring spike repeats at (one hour on the 5-minute traces); the previous
    /// day's intervals at the same position of it are the pattern a burst must exceed.</param>
    /// <param name="regimeStarts">Where new regimes begin (each gets its own guard); empty for one regime.</param>
    public BurstStartBound(DemandSeries demand, TimeSpan period, IReadOnlyList<DateTimeOffset> regimeStarts)
    {
        ArgumentNullException.ThrowIfNull(demand);
        ArgumentNullException.ThrowIfNull(regimeStarts);
        _demand = demand;
        var lag = Math.Max(1, (int)Math.Round(period / demand.Step));
        var lags = Math.Max(1, (int)Math.Round(TimeSpan.FromDays(1) / (lag * demand.Step)));
        _regimeStarts = [0, .. regimeStarts.Select(s => (int)Math.Clamp(Math.Ceiling((s - demand.Start) / demand.Step), 0, demand.Length)).Order()];
        _guards = new ResourceVector[_regimeStarts.Length];
        _burstStarts = new int[_regimeStarts.Length];
        var values = demand.Values;
        for (var t = 1; t < values.Length; t++)
        {
            var pattern = ResourceVector.Zero;
            for (var k = 1; k <= lags && t - (k * lag) >= 0; k++)
            {
                pattern = ResourceVector.Max(pattern, values[t - (k * lag)]);
            }

            if (!IsBurstStart(values[t], values[t - 1], pattern))
            {
                continue;
            }

            var regime = RegimeOf(t);
            _guards[regime] = ResourceVector.Max(_guards[regime], values[t]);
            _burstStarts[regime]++;
        }

        Name = "bound: foresight except burst starts";
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>Gets each regime's first interval, guard and number of burst starts, in order.</summary>
    public IEnumerable<(int Start, ResourceVector Guard, int BurstStarts)> Regimes =>
        _regimeStarts.Select((start, i) => (start, _guards[i], _burstStarts[i]));

    /// <inheritdoc/>
    public void Reset()
    {
    }

    /// <inheritdoc/>
    public ProvisioningDecision Decide(ProvisioningContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var t = context.Index;
        var requirement = ResourceVector.Max(_demand.Values[t], _guards[RegimeOf(t)]);

        // The cheapest (shape, replica count) cover of this interval's requirement, as the static-peak policy finds it.
        return new StaticPeakPolicy(requirement).Decide(context);
    }

    private static bool IsBurstStart(ResourceVector now, ResourceVector previous, ResourceVector pattern)
    {
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            var value = now[(Dimension)d];
            if (value > (1 + Jump) * previous[(Dimension)d] && value > (1 + Jump) * pattern[(Dimension)d])
            {
                return true;
            }
        }

        return false;
    }

    private int RegimeOf(int t)
    {
        var regime = 0;
        while (regime + 1 < _regimeStarts.Length && _regimeStarts[regime + 1] <= t)
        {
            regime++;
        }

        return regime;
    }
}
