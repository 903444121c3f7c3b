namespace Shaping.Simulation.Traces;

/// <summary>
/// What <see cref="CsvTraceReader"/> does with a metric cell that holds no measurement: an empty cell, <c>NaN</c>,
/// <c>null</c> or <c>-</c>, which is how Prometheus, Grafana and Datadog exports mark a missed scrape.
/// </summary>
/// <remarks>
/// Only these markers count as missing (case-insensitive, after the field is trimmed and unquoted). Anything else that
/// is not a finite number, such as <c>abc</c> or <c>Infinity</c>, is a malformed row under either value.
/// </remarks>
public enum MissingCellHandling
{
    /// <summary>
    /// A missing cell is a malformed row: reading stops with a <see cref="TraceFormatException"/> naming the line and
    /// the column. The default, so that a trace is never replayed with data the user did not know was absent.
    /// </summary>
    Error = 0,

    /// <summary>
    /// A row with a missing cell in any metric column that is read is treated as if the row were absent: its slot becomes
    /// a gap under the reader's gap rule (the previous slot's values, of every column, carried forward and flagged),
    /// unless another sample shares the slot. Such rows before the first or after the last complete row are dropped,
    /// since a gap needs a previous value. They are counted in <see cref="TraceStats.MissingSamples"/>.
    /// </summary>
    Gap = 1,
}
