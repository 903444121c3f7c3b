using Shaping.Core.Resources;

namespace Shaping.Simulation.Policies;

/// <summary>
/// A cautious operator's rule, and the simplest policy that sees only the past: run the cheapest (shape, replica
/// count) pair covering the highest demand of a trailing window plus a margin.
/// </summary>
/// <remarks>
/// <para>
/// It is a reference point rather than a contender: with a long window it is under-provisioned only when demand
/// sets a new high for the window, so it shows how much capacity a past-only policy must hold to come close to
/// never being short on a trace (on a trace whose spikes come at unpredictable moments, almost the oracle's).
/// The first interval, with nothing observed, runs the catalog's dearest shape once.
/// </para>
/// <para>
/// The window's maximum is kept per dimension in a monotone queue, so a decision costs O(1) amortised however long
/// the window.
/// </para>
/// </remarks>
public sealed class TrailingPeakPolicy : IProvisioningPolicy
{
    private readonly TimeSpan _window;
    private readonly double _margin;
    private readonly int _maxReplicas;
    private readonly ResourceVector? _ceiling;
    private readonly MaxQueue[] _queues = new MaxQueue[ResourceVector.DimensionCount];
    private int _seen;

    /// <summary>Creates the policy.</summary>
    /// <param name="window">How far back the peak is taken; positive. <see langword="null"/> for 7 days.</param>
    /// <param name="margin">Extra capacity as a fraction of the trailing peak, for example 0.1 for 10 %; non-negative.</param>
    /// <param name="maxReplicas">The most replicas the service may run; positive.</param>
    /// <param name="ceiling">The most the whole service's demand can reach, per dimension (cores, GiB, GiB, Gbps), for
    /// example the machine a utilisation metric is a share of: the margin never takes the capacity asked for above it
    /// (nor above the window's peak, where demand has exceeded it). <see cref="double.PositiveInfinity"/> in a dimension
    /// for no ceiling there; <see langword="null"/> (the default) for none at all.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public TrailingPeakPolicy(TimeSpan? window = null, double margin = 0.1, int maxReplicas = 100_000, ResourceVector? ceiling = null)
    {
        _window = window ?? TimeSpan.FromDays(7);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_window, TimeSpan.Zero, nameof(window));
        if (!double.IsFinite(margin) || margin < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(margin), margin, "margin must be finite and non-negative.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxReplicas, 1);
        DemandCeilings.ThrowIfInvalid(ceiling, nameof(ceiling), nameof(ceiling));

        _ceiling = ceiling;
        _margin = margin;
        _maxReplicas = maxReplicas;
        for (var d = 0; d < _queues.Length; d++)
        {
            _queues[d] = new MaxQueue();
        }

        Name = FormattableString.Invariant($"trailing-peak ({_window.TotalDays:0.##} d, +{margin * 100:0.#} %)");
    }

    /// <inheritdoc/>
    public string Name { get; init; }

    /// <inheritdoc/>
    public void Reset()
    {
        _seen = 0;
        foreach (var queue in _queues)
        {
            queue.Clear();
        }
    }

    /// <inheritdoc/>
    public ProvisioningDecision Decide(ProvisioningContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Catalog.IsEmpty)
        {
            throw new InvalidOperationException($"{Name} needs a non-empty catalog.");
        }

        var history = context.History.Span;
        if (history.IsEmpty)
        {
            return new ProvisioningDecision(context.Catalog.Shapes[^1], 1);
        }

        var steps = Math.Max(1, (int)Math.Min(int.MaxValue, Math.Round(_window / context.Step)));
        var peak = ResourceVector.Zero;
        for (var d = 0; d < _queues.Length; d++)
        {
            var queue = _queues[d];
            for (var i = _seen; i < history.Length; i++)
            {
                queue.Push(i, history[i][(Dimension)d]);
            }

            queue.DropBefore(history.Length - steps);
            peak = peak.With((Dimension)d, queue.Max);
        }

        _seen = history.Length;
        var need = peak.Scale(1 + _margin);
        if (_ceiling is { } ceiling)
        {
            need = ResourceVector.Min(need, ResourceVector.Max(ceiling, peak));
        }

        return CapacityPlanner.CheapestCover(context.Catalog, need, _maxReplicas);
    }

    // Indices whose values decrease from front to back: the front is the window's maximum.
    private sealed class MaxQueue
    {
        private readonly LinkedList<(int Index, double Value)> _items = new();

        public double Max => _items.First?.Value.Value ?? 0;

        public void Clear() => _items.Clear();

        public void Push(int index, double value)
        {
            while (_items.Last is { } last && last.Value.Value <= value)
            {
                _items.RemoveLast();
            }

            _items.AddLast((index, value));
        }

        public void DropBefore(int index)
        {
            while (_items.First is { } first && first.Value.Index < index)
            {
                _items.RemoveFirst();
            }
        }
    }
}
