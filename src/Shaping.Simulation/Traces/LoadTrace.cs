using System.Collections.Frozen;
using System.Collections.Immutable;

namespace Shaping.Simulation.Traces;

/// <summary>
/// A load trace on a regular time grid: one or more named metric columns with one value per slot.
/// </summary>
/// <remarks>
/// <para>
/// Slot <c>i</c> covers <c>[Start + i × Step, Start + (i + 1) × Step)</c>. Slots that had no sample in the source
/// (gaps) hold the previous slot's values (carried forward) and are flagged by <see cref="IsGap(int)"/>. The
/// simulator replays every slot and scores a carried-forward slot like any other (a held value is what a scaler
/// would have seen); <see cref="TraceStats.GapSlots"/> says how many there were, so a reader can judge whether that
/// matters for a trace.
/// </para>
/// <para>A trace is immutable and safe to share between threads.</para>
/// </remarks>
public sealed class LoadTrace
{
    private readonly FrozenDictionary<string, double[]> _columns;
    private readonly bool[] _gaps;

    /// <summary>Creates a trace from columns already on a regular grid (synthetic traces, tests).</summary>
    /// <param name="name">A name for reports, such as the file name.</param>
    /// <param name="start">The start of slot 0.</param>
    /// <param name="step">The slot length; positive.</param>
    /// <param name="columns">The metric columns by name (case-insensitive, so no two names may differ only in case), all the same non-zero length; values finite.</param>
    /// <param name="gaps">Per-slot gap flags (same length), or <see langword="null"/> for none.</param>
    /// <param name="stats">Reading statistics, or <see langword="null"/> to derive them from the gap flags.</param>
    /// <exception cref="ArgumentException">
    /// Columns are missing, empty, of different lengths, hold a non-finite value, or have names that differ only in case
    /// (column names are case-insensitive).
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is not positive.</exception>
    public LoadTrace(
        string name,
        DateTimeOffset start,
        TimeSpan step,
        IReadOnlyDictionary<string, double[]> columns,
        IReadOnlyList<bool>? gaps = null,
        TraceStats? stats = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(step, TimeSpan.Zero);
        if (columns.Count == 0)
        {
            throw new ArgumentException("A trace needs at least one metric column.", nameof(columns));
        }

        var length = -1;
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (columnName, values) in columns)
        {
            ArgumentNullException.ThrowIfNull(values, nameof(columns));
            if (!names.TryAdd(columnName, columnName))
            {
                throw new ArgumentException(
                    $"Columns '{names[columnName]}' and '{columnName}' differ only in case; column names are case-insensitive.",
                    nameof(columns));
            }

            if (length < 0)
            {
                length = values.Length;
            }

            if (values.Length != length || values.Length == 0)
            {
                throw new ArgumentException(
                    $"Column '{columnName}' has {values.Length} values; every column needs the same, non-zero length ({length}).",
                    nameof(columns));
            }

            var bad = Array.FindIndex(values, v => !double.IsFinite(v));
            if (bad >= 0)
            {
                throw new ArgumentException($"Column '{columnName}' slot {bad} is not finite ({values[bad]}).", nameof(columns));
            }
        }

        if (gaps is not null && gaps.Count != length)
        {
            throw new ArgumentException($"The gap flags have {gaps.Count} entries; the columns have {length}.", nameof(gaps));
        }

        Name = name;
        Start = start;
        Step = step;
        _columns = columns.ToFrozenDictionary(
            pair => pair.Key, pair => (double[])pair.Value.Clone(), StringComparer.OrdinalIgnoreCase);
        ColumnNames = [.. columns.Keys];
        _gaps = gaps?.ToArray() ?? new bool[length];
        var gapCount = _gaps.Count(g => g);
        Stats = stats ?? new TraceStats(length - gapCount, length, gapCount, 0, TimeSpan.Zero);
    }

    /// <summary>Gets the trace's name, for reports.</summary>
    public string Name { get; }

    /// <summary>Gets the start of slot 0.</summary>
    public DateTimeOffset Start { get; }

    /// <summary>Gets the slot length.</summary>
    public TimeSpan Step { get; }

    /// <summary>Gets the number of slots.</summary>
    public int Length => _gaps.Length;

    /// <summary>Gets the total time the trace covers (<see cref="Length"/> × <see cref="Step"/>).</summary>
    public TimeSpan Duration => Step * Length;

    /// <summary>Gets the metric column names, in file order.</summary>
    public ImmutableArray<string> ColumnNames { get; }

    /// <summary>Gets what happened while the samples were laid on the grid (rows, gaps, merged samples).</summary>
    public TraceStats Stats { get; }

    /// <summary>Gets the start time of a slot.</summary>
    /// <param name="slot">The slot index, from 0.</param>
    /// <returns><see cref="Start"/> + <paramref name="slot"/> × <see cref="Step"/>.</returns>
    public DateTimeOffset TimeOf(int slot) => Start + (Step * slot);

    /// <summary>Gets whether a slot had no sample in the source (its values were carried forward).</summary>
    /// <param name="slot">The slot index, from 0.</param>
    /// <returns><see langword="true"/> for a gap.</returns>
    public bool IsGap(int slot) => _gaps[slot];

    /// <summary>Gets whether the trace has a column (case-insensitive).</summary>
    /// <param name="column">The column name.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool HasColumn(string column) => _columns.ContainsKey(column);

    /// <summary>Gets one metric column's values, one per slot.</summary>
    /// <param name="column">The column name (case-insensitive).</param>
    /// <returns>The values, read-only.</returns>
    /// <exception cref="ArgumentException">The trace has no such column; the message lists the ones it has.</exception>
    public ReadOnlyMemory<double> GetColumn(string column)
    {
        ArgumentNullException.ThrowIfNull(column);
        if (!_columns.TryGetValue(column, out var values))
        {
            throw new ArgumentException(
                $"Trace '{Name}' has no column '{column}'; it has: {string.Join(", ", ColumnNames)}.", nameof(column));
        }

        return values;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Name}: {Length} slots of {Step} from {Start:u} ({Stats.GapSlots} gaps), columns {string.Join(", ", ColumnNames)}";
}
