namespace Shaping.Simulation.Traces;

/// <summary>
/// How <see cref="CsvTraceReader"/> reads a CSV load trace: which column holds the time, which metric columns to
/// keep, and the step of the regular grid the samples are laid on.
/// </summary>
public sealed class TraceReadOptions
{
    /// <summary>
    /// Gets or sets the name of the timestamp column. When <see langword="null"/>, a column named
    /// <c>timestamp</c>, <c>time</c> or <c>period</c> (case-insensitive) is used if the header has one;
    /// otherwise the trace has no timestamp column and <see cref="Step"/> must be set.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (detect).</value>
    public string? TimestampColumn { get; set; }

    /// <summary>
    /// Gets or sets whether the file has no timestamp column at all (one row per <see cref="Step"/>, as in the
    /// Google 2019 aggregate). Detection already handles a header without a time-like name; set this to force it.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool NoTimestampColumn { get; set; }

    /// <summary>
    /// Gets or sets the metric columns to keep, by header name (ordinal, case-insensitive). When
    /// <see langword="null"/>, every column other than the timestamp is kept.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (all).</value>
    public IReadOnlyList<string>? Columns { get; set; }

    /// <summary>
    /// Gets or sets the grid step. Required when there is no timestamp column; otherwise it overrides the step
    /// detected from the data (the median spacing of consecutive samples, in whole seconds).
    /// </summary>
    /// <value>The default value is <see langword="null"/> (detect).</value>
    public TimeSpan? Step { get; set; }

    /// <summary>
    /// Gets or sets the origin of numeric timestamps: a number <c>n</c> in the timestamp column is read as
    /// <c>Origin + n</c> seconds. Without a timestamp column it is the time of the first row.
    /// </summary>
    /// <remarks>
    /// The default suits traces whose numbers count seconds from their own start (as the Azure aggregate does). For
    /// Unix time (seconds since 1970-01-01, such as <c>1704067200</c> for 2024-01-01) set it to
    /// <see cref="DateTimeOffset.UnixEpoch"/>; with the default origin such a value lands after 2030. Milliseconds
    /// are not read: a millisecond Unix timestamp falls outside the calendar and is rejected.
    /// </remarks>
    /// <value>The default value is 2000-01-01T00:00:00Z, an arbitrary origin kept for compatibility.</value>
    public DateTimeOffset Origin { get; set; } = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Gets or sets how far, as a fraction of the step, a sample may lie from its nearest grid slot before the
    /// row is rejected. NAB files jitter by a few minutes around a 5-minute grid, so the default accepts any
    /// sample and snaps it to the nearest slot.
    /// </summary>
    /// <value>The default value is 0.5 (snap anything to its nearest slot).</value>
    public double MaxJitterFraction { get; set; } = 0.5;

    /// <summary>
    /// Gets or sets what a metric cell that holds no measurement (empty, <c>NaN</c>, <c>null</c> or <c>-</c>, as
    /// monitoring exports write a missed scrape) does: stop the read with an error naming the line and column, or make
    /// that row's sample a gap (<see cref="MissingCellHandling.Gap"/>).
    /// </summary>
    /// <remarks>
    /// A gap is a slot whose values are carried forward from the previous slot, the same rule as for a timestamp the
    /// file skips; a row missing one of several metric columns is a gap for all of them, since a slot is a gap or not
    /// as a whole. Non-numeric values other than these markers stay errors either way.
    /// </remarks>
    /// <value>The default value is <see cref="MissingCellHandling.Error"/>.</value>
    public MissingCellHandling MissingCells { get; set; } = MissingCellHandling.Error;
}
