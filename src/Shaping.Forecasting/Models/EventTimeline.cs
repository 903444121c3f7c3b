namespace Shaping.Forecasting.Models;

/// <summary>
/// Places a history in time so that <see cref="RegressionForecaster"/> can align known events with its steps: the
/// start of the history's first step, the step length, and the events (past ones to learn from, future ones to
/// forecast with).
/// </summary>
public sealed class EventTimeline
{
    private readonly KnownEvent[] _events;
    private readonly string[] _names;

    /// <summary>Creates a timeline.</summary>
    /// <param name="start">The start of the step holding the history's first observation; any time (steps that would
    /// start after <see cref="DateTimeOffset.MaxValue"/> overlap no event).</param>
    /// <param name="step">The length of one step; positive.</param>
    /// <param name="events">The known events; names must be non-empty and each event must end after it starts.</param>
    /// <exception cref="ArgumentNullException"><paramref name="events"/> is or holds <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is not positive.</exception>
    /// <exception cref="ArgumentException">An event has an empty name or does not end after it starts.</exception>
    public EventTimeline(DateTimeOffset start, TimeSpan step, IEnumerable<KnownEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(step, TimeSpan.Zero);
        _events = [.. events];
        foreach (var e in _events)
        {
            ArgumentNullException.ThrowIfNull(e, nameof(events));
            if (string.IsNullOrWhiteSpace(e.Name) || e.End <= e.Start)
            {
                throw new ArgumentException($"Event '{e.Name}' needs a name and must end after it starts.", nameof(events));
            }
        }

        Start = start;
        Step = step;
        _names = [.. _events.Select(e => e.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>Gets the start of the history's first step.</summary>
    public DateTimeOffset Start { get; }

    /// <summary>Gets the length of one step.</summary>
    public TimeSpan Step { get; }

    /// <summary>Gets the known events.</summary>
    public IReadOnlyList<KnownEvent> Events => _events;

    /// <summary>Gets the distinct event names, in ordinal order: one regressor each.</summary>
    public IReadOnlyList<string> EventNames => _names;

    /// <summary>Writes, for step <paramref name="index"/> (0 = the history's first), the share of the step each named
    /// event covers (0 to 1), in <see cref="EventNames"/> order.</summary>
    /// <remarks>Steps are placed in UTC ticks without overflowing: a step that starts after
    /// <see cref="DateTimeOffset.MaxValue"/> (a timeline starting near it, a long horizon) overlaps no event, and one
    /// that straddles it is cut there, since no event ends later.</remarks>
    internal void Activity(long index, Span<double> destination)
    {
        destination.Clear();
        var lastTicks = DateTimeOffset.MaxValue.UtcTicks;
        var step = Step.Ticks;
        var room = lastTicks - Start.UtcTicks;
        if (index > room / step)
        {
            return;
        }

        var fromTicks = Start.UtcTicks + (step * index);
        var from = new DateTimeOffset(fromTicks, TimeSpan.Zero);
        var to = new DateTimeOffset(fromTicks + Math.Min(step, lastTicks - fromTicks), TimeSpan.Zero);
        foreach (var e in _events)
        {
            var overlapStart = e.Start > from ? e.Start : from;
            var overlapEnd = e.End < to ? e.End : to;
            if (overlapEnd > overlapStart)
            {
                var k = Array.BinarySearch(_names, e.Name, StringComparer.Ordinal);
                destination[k] = Math.Min(1, destination[k] + ((overlapEnd - overlapStart) / Step));
            }
        }
    }
}
