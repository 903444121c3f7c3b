using System.Globalization;

namespace Shaping.Simulation.Traces;

/// <summary>
/// Reads a CSV load trace (one header row, comma separated; a field may be wrapped in double quotes, but may not hold a
/// comma) into a <see cref="LoadTrace"/> on a regular grid.
/// </summary>
/// <remarks>
/// <para>
/// <b>Time.</b> The timestamp column may hold <c>YYYY-MM-DD HH:MM:SS</c> (read as UTC, as NAB and WorldCup98 write
/// it), ISO 8601 with or without an offset (no offset means UTC), or plain numbers, read as seconds from
/// <see cref="TraceReadOptions.Origin"/> (as the Azure aggregate writes it). The origin defaults to 2000-01-01, not
/// the Unix epoch: set it to <see cref="DateTimeOffset.UnixEpoch"/> for Unix-time seconds. Dates with the day or
/// the month first (<c>01/02/2024</c>, <c>01.02.2024</c>, <c>01-02-2024</c>) are refused: they read as day/month and
/// month/day alike. So is a time of day without a date (<c>12:30</c>), which would be put on the day the file is read.
/// Without a timestamp column, row <c>i</c> is at <c>Origin + i × Step</c>. Timestamps must not go backwards: a file
/// written newest first (as some exporters do) is refused at its second row, saying so.
/// </para>
/// <para>
/// <b>Grid and gaps.</b> The step is <see cref="TraceReadOptions.Step"/> or, when not set, the median spacing of
/// consecutive samples rounded to whole seconds. Each sample is snapped to the nearest slot counted from the first
/// sample, which absorbs the few minutes of jitter in NAB files. A sample that snaps onto a slot already holding one
/// is averaged into it (<see cref="TraceStats.MergedSamples"/>). A slot with no sample is a gap: it gets the previous
/// slot's values carried forward (a held last observation, which is what a monitoring system shows a scaler) and is
/// flagged (<see cref="LoadTrace.IsGap(int)"/>, counted in <see cref="TraceStats.GapSlots"/>).
/// </para>
/// <para>
/// <b>Missing cells.</b> Monitoring exports write an empty cell, <c>NaN</c>, <c>null</c> or <c>-</c> where a scrape
/// was missed. By default such a cell is an error like any other bad value. Under
/// <see cref="TraceReadOptions.MissingCells"/> = <see cref="MissingCellHandling.Gap"/> the row is read as if it were
/// absent, so its slot becomes a gap by the rule above (all columns carried forward, even when only one of them was
/// missing) unless another sample shares it; its timestamp is still checked and counts towards the detected step.
/// Such rows before the first or after the last complete row are dropped (there is no previous value to carry). They
/// are counted in <see cref="TraceStats.MissingSamples"/>, and the gaps they leave in
/// <see cref="TraceStats.GapSlotsFromMissingSamples"/>.
/// </para>
/// <para>
/// <b>Errors.</b> Every problem is a <see cref="TraceFormatException"/> naming the file, the 1-based line and the
/// column: a row with the wrong number of fields, an empty or non-numeric value, NaN or infinity (empty and NaN, with
/// <c>null</c> and <c>-</c>, only under the default <see cref="MissingCellHandling.Error"/>), an unreadable or
/// decreasing timestamp, a numeric timestamp outside the calendar, a sample further than
/// <see cref="TraceReadOptions.MaxJitterFraction"/> of a step from its slot, a trace spanning more than
/// <see cref="MaxSlots"/> steps, a header naming a column twice, or a requested column that the header lacks. Blank
/// lines are skipped.
/// </para>
/// </remarks>
public static class CsvTraceReader
{
    /// <summary>
    /// The most grid slots a trace may span (10 million: 19 years of 1-minute samples). A timestamp far beyond the
    /// others, such as a typo or milliseconds read as seconds, would otherwise be filled with millions of gap slots.
    /// </summary>
    public const int MaxSlots = 10_000_000;

    private static readonly string[] TimestampNames = ["timestamp", "time", "period"];

    /// <summary>Reads a trace file.</summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="options">How to read it; <see langword="null"/> for the defaults.</param>
    /// <returns>The trace, named after the file.</returns>
    /// <exception cref="TraceFormatException">The file is malformed; the message names the line and column.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    public static LoadTrace ReadFile(string path, TraceReadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var reader = new StreamReader(path);
        return Read(reader, path, options);
    }

    /// <summary>Reads a trace from text.</summary>
    /// <param name="reader">The CSV text.</param>
    /// <param name="sourceName">The name used in errors and as the trace's name, such as a file path.</param>
    /// <param name="options">How to read it; <see langword="null"/> for the defaults.</param>
    /// <returns>The trace.</returns>
    /// <exception cref="TraceFormatException">The text is malformed; the message names the line and column.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="reader"/> is <see langword="null"/>.</exception>
    public static LoadTrace Read(TextReader reader, string sourceName, TraceReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentException.ThrowIfNullOrWhiteSpace(sourceName);
        options ??= new TraceReadOptions();
        if (options.Step is { } declared && declared <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), declared, "TraceReadOptions.Step must be positive.");
        }

        if (!(options.MaxJitterFraction is >= 0 and <= 0.5))
        {
            throw new ArgumentOutOfRangeException(
                nameof(options), options.MaxJitterFraction, "TraceReadOptions.MaxJitterFraction must be in [0, 0.5].");
        }

        var lineNumber = 0;
        string? headerLine;
        do
        {
            headerLine = reader.ReadLine();
            lineNumber++;

            // A UTF-8 byte order mark left in decoded text (StreamReader drops it, Encoding.UTF8.GetString does not) is
            // not white space: it would be part of the first column's name, hiding a 'timestamp' column.
            if (lineNumber == 1 && headerLine is not null && headerLine.StartsWith('\uFEFF'))
            {
                headerLine = headerLine[1..];
            }
        }
        while (headerLine is not null && string.IsNullOrWhiteSpace(headerLine));

        if (headerLine is null)
        {
            throw new TraceFormatException(sourceName, 0, null, "the file is empty; a header row is required.");
        }

        var headerLineNumber = lineNumber; // blank lines before it are skipped

        var header = SplitFields(headerLine);
        if (NotCommaSeparated(headerLine) is { } separator)
        {
            throw new TraceFormatException(sourceName, lineNumber, null, separator);
        }

        for (var i = 1; i < header.Length; i++)
        {
            var earlier = Array.FindIndex(header, 0, i, h => string.Equals(h, header[i], StringComparison.OrdinalIgnoreCase));
            if (earlier >= 0)
            {
                throw new TraceFormatException(
                    sourceName, lineNumber, ColumnLabel(header, i), $"the header names this column twice (fields {earlier + 1} and {i + 1}); column names are case-insensitive.");
            }
        }

        var timeIndex = FindTimestampColumn(header, options, sourceName, lineNumber);
        var metricIndexes = SelectMetricColumns(header, timeIndex, options, sourceName, lineNumber);

        // Every data row's time (seconds from the first) goes into allTimes, for the step and the order checks; only the
        // rows with every metric cell present go into times, values and lines, the samples laid on the grid. Without a
        // timestamp column a row's time is its position in the file, in steps.
        var allTimes = new List<double>();
        var times = new List<double>();
        var values = metricIndexes.Select(_ => new List<double>()).ToArray();
        var lines = new List<int>();
        var row = new double[metricIndexes.Length];
        var missingAsGap = options.MissingCells == MissingCellHandling.Gap;
        var missingTimes = new List<double>(); // the times of the rows read as missing, to tell which gaps they explain
        DateTimeOffset? firstAbsolute = null;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var fields = SplitFields(line);
            if (fields.Length != header.Length)
            {
                throw new TraceFormatException(
                    sourceName,
                    lineNumber,
                    null,
                    $"expected {header.Length} fields as in the header, found {fields.Length}{(line.Contains('"', StringComparison.Ordinal) ? " (a quoted field holding a comma, such as a decimal comma, is not supported)" : "")}.");
            }

            if (timeIndex >= 0)
            {
                var seconds = ParseTime(fields[timeIndex], ref firstAbsolute, options.Origin, out var timeError);
                if (timeError is not null)
                {
                    throw new TraceFormatException(sourceName, lineNumber, ColumnLabel(header, timeIndex), timeError);
                }

                if (allTimes.Count > 0 && seconds < allTimes[^1])
                {
                    throw new TraceFormatException(
                        sourceName,
                        lineNumber,
                        ColumnLabel(header, timeIndex),
                        allTimes.Count == 1
                            ? "the timestamp is earlier than the first row's: the rows look newest first (as some exporters write them); sort them oldest first."
                            : allTimes[^1] - seconds <= 3600
                                ? "the timestamp is earlier than the previous row's; rows must be in time order. If the timestamps are local time, a change from daylight-saving time repeats an hour: write them in UTC or with their offset (2024-10-27T02:30:00+01:00)."
                                : "the timestamp is earlier than the previous row's; rows must be in time order.");
                }

                allTimes.Add(seconds);
            }
            else
            {
                allTimes.Add(allTimes.Count); // in steps, scaled once the step is known
            }

            var missing = false;
            for (var m = 0; m < metricIndexes.Length; m++)
            {
                var text = fields[metricIndexes[m]];
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
                {
                    row[m] = value;
                    continue;
                }

                // Every cell of the row is checked, so garbage next to a missing cell is still reported.
                var marker = IsMissingMarker(text);
                if (!(marker && missingAsGap))
                {
                    var problem = text.Length == 0 ? "the value is empty." : $"'{text}' is not a finite number.";
                    throw new TraceFormatException(
                        sourceName, lineNumber, ColumnLabel(header, metricIndexes[m]), marker ? problem + MissingCellHint : problem);
                }

                missing = true;
            }

            if (missing)
            {
                missingTimes.Add(allTimes[^1]);
                continue;
            }

            times.Add(allTimes[^1]);
            for (var m = 0; m < metricIndexes.Length; m++)
            {
                values[m].Add(row[m]);
            }

            lines.Add(lineNumber);
        }

        if (allTimes.Count == 0)
        {
            throw new TraceFormatException(sourceName, lineNumber, null, "the file has a header but no data rows.");
        }

        if (lines.Count == 0)
        {
            throw new TraceFormatException(
                sourceName, 0, null, $"all {allTimes.Count} data rows have a missing value (empty, NaN, null or -); there is no sample to replay.");
        }

        var origin = firstAbsolute ?? options.Origin;
        TimeSpan step;
        if (timeIndex < 0)
        {
            step = options.Step ?? throw new TraceFormatException(
                sourceName, headerLineNumber, null, "the trace has no timestamp column, so TraceReadOptions.Step must be set.");

            // Row i is at Origin + i × Step: exact slots, so the grid below only fills the gaps left by missing rows.
            for (var i = 0; i < times.Count; i++)
            {
                times[i] *= step.TotalSeconds;
            }

            for (var i = 0; i < missingTimes.Count; i++)
            {
                missingTimes[i] *= step.TotalSeconds;
            }
        }
        else
        {
            step = options.Step ?? DetectStep(allTimes, sourceName);
        }

        return LayOnGrid(sourceName, origin, step, times, values, lines, header, metricIndexes, timeIndex, options, allTimes.Count, missingTimes);
    }

    /// <summary>Appended to the error for a missing-value marker under <see cref="MissingCellHandling.Error"/>.</summary>
    private const string MissingCellHint =
        " If it marks a missed sample, set TraceReadOptions.MissingCells to Gap to read such cells (empty, NaN, null or -) as gaps.";

    /// <summary>Whether a trimmed, unquoted cell is one of the markers exports write for a missed sample.</summary>
    private static bool IsMissingMarker(string text) =>
        text.Length == 0
        || text == "-"
        || text.Equals("NaN", StringComparison.OrdinalIgnoreCase)
        || text.Equals("null", StringComparison.OrdinalIgnoreCase);

    private static LoadTrace LayOnGrid(
        string sourceName,
        DateTimeOffset origin,
        TimeSpan step,
        List<double> times,
        List<double>[] values,
        List<int> lines,
        string[] header,
        int[] metricIndexes,
        int timeIndex,
        TraceReadOptions options,
        int rows,
        List<double> missingTimes)
    {
        var stepSeconds = step.TotalSeconds;
        var first = times[0];

        // The same rounding as each sample's slot below, so the last sample always has a slot (a sample exactly half a
        // step off the grid rounds away from zero in both places).
        // Without a timestamp column there are no more slots than rows, and every row is on its slot.
        var lastSlot = Math.Round((times[^1] - first) / stepSeconds, MidpointRounding.AwayFromZero);
        if (timeIndex >= 0 && lastSlot + 1 > MaxSlots)
        {
            throw new TraceFormatException(
                sourceName, lines[^1], ColumnLabel(header, timeIndex),
                $"the trace spans {lastSlot + 1:0} steps of {step} from line {lines[0]} to this row; at most {MaxSlots:N0} are read (is this timestamp wrong, or the step too small?).");
        }

        var slotCount = (int)lastSlot + 1;
        var sums = new double[metricIndexes.Length][];
        for (var m = 0; m < sums.Length; m++)
        {
            sums[m] = new double[slotCount];
        }

        var counts = new int[slotCount];
        var firstSample = new int[slotCount];
        var merged = 0;
        var maxJitter = 0.0;
        for (var i = 0; i < times.Count; i++)
        {
            var exact = (times[i] - first) / stepSeconds;
            var slot = (int)Math.Round(exact, MidpointRounding.AwayFromZero);
            var jitter = Math.Abs(exact - slot);
            if (timeIndex >= 0 && jitter > options.MaxJitterFraction + 1e-9)
            {
                throw new TraceFormatException(
                    sourceName, lines[i], ColumnLabel(header, timeIndex),
                    $"the sample is {jitter:0.###} of a step ({step}) away from the grid; at most {options.MaxJitterFraction} is allowed.");
            }

            maxJitter = Math.Max(maxJitter, jitter * stepSeconds);
            if (counts[slot] > 0)
            {
                merged++;
            }
            else
            {
                firstSample[slot] = i;
            }

            counts[slot]++;
            for (var m = 0; m < sums.Length; m++)
            {
                sums[m][slot] += values[m][i];
            }
        }

        var gaps = new bool[slotCount];
        var columns = new Dictionary<string, double[]>(StringComparer.OrdinalIgnoreCase);
        for (var m = 0; m < sums.Length; m++)
        {
            var column = sums[m];
            for (var s = 0; s < slotCount; s++)
            {
                if (counts[s] > 0)
                {
                    // A slot's samples are consecutive rows. Their sum overflows only for values near
                    // double.MaxValue; those are averaged part by part instead.
                    column[s] = double.IsFinite(column[s])
                        ? column[s] / counts[s]
                        : MeanByParts(values[m], firstSample[s], counts[s]);
                }
                else
                {
                    column[s] = column[s - 1]; // slot 0 always holds the first sample
                    gaps[s] = true;
                }
            }

            columns[header[metricIndexes[m]]] = column;
        }

        var gapCount = gaps.Count(g => g);

        // A missing row explains the gap at its slot; one before the first or after the last sample was dropped, and
        // one sharing a slot with a sample left no gap. Several missing rows on one slot explain one gap.
        var explained = new bool[slotCount];
        foreach (var time in missingTimes)
        {
            var slot = Math.Round((time - first) / stepSeconds, MidpointRounding.AwayFromZero);
            if (slot >= 0 && slot < slotCount && gaps[(int)slot])
            {
                explained[(int)slot] = true;
            }
        }

        var stats = new TraceStats(rows, slotCount, gapCount, merged, TimeSpan.FromSeconds(Math.Round(maxJitter, 3)))
        {
            MissingSamples = missingTimes.Count,
            GapSlotsFromMissingSamples = explained.Count(e => e),
        };
        return new LoadTrace(sourceName, origin.AddSeconds(first), step, columns, gaps, stats);
    }

    /// <summary>
    /// Splits one line as the reader does: on commas, each field trimmed of white space and of one pair of surrounding
    /// double quotes (many exporters quote every field). A comma inside quotes is not supported: it splits the field.
    /// </summary>
    /// <param name="line">A header or data line.</param>
    /// <returns>The fields.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="line"/> is <see langword="null"/>.</exception>
    public static string[] SplitFields(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var fields = line.Split(',');
        for (var i = 0; i < fields.Length; i++)
        {
            var field = fields[i].Trim();
            fields[i] = field.Length >= 2 && field[0] == '"' && field[^1] == '"' ? field[1..^1].Trim() : field;
        }

        return fields;
    }

    /// <summary>
    /// Why a header line that holds no comma is probably not comma-separated (it holds semicolons or tabs, as European
    /// spreadsheets and some exporters write), or <see langword="null"/> when it looks like a one-column header.
    /// </summary>
    /// <param name="headerLine">The header line.</param>
    /// <returns>A one-sentence explanation, or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="headerLine"/> is <see langword="null"/>.</exception>
    public static string? NotCommaSeparated(string headerLine)
    {
        ArgumentNullException.ThrowIfNull(headerLine);
        var separator = headerLine.Contains(';', StringComparison.Ordinal) ? "semicolons"
            : headerLine.Contains('\t', StringComparison.Ordinal) ? "tabs"
            : null;
        return separator is null || headerLine.Contains(',', StringComparison.Ordinal)
            ? null
            : $"the header is separated by {separator}, not commas; the reader takes comma-separated files (convert the separator, and any decimal commas to points).";
    }

    private static double MeanByParts(List<double> values, int first, int count)
    {
        var mean = 0.0;
        for (var i = first; i < first + count; i++)
        {
            mean += values[i] / count;
        }

        return mean;
    }

    /// <summary>The column's name for an error, or its 1-based position when the header leaves it unnamed.</summary>
    private static string ColumnLabel(string[] header, int index) =>
        header[index].Length > 0 ? header[index] : (index + 1).ToString(CultureInfo.InvariantCulture);

    private static TimeSpan DetectStep(List<double> times, string sourceName)
    {
        var diffs = new List<double>(times.Count);
        for (var i = 1; i < times.Count; i++)
        {
            var d = times[i] - times[i - 1];
            if (d > 0)
            {
                diffs.Add(d);
            }
        }

        if (diffs.Count == 0)
        {
            throw new TraceFormatException(
                sourceName, 0, null, "the step cannot be detected from fewer than two distinct timestamps; set TraceReadOptions.Step.");
        }

        diffs.Sort();
        var median = diffs[diffs.Count / 2];
        return TimeSpan.FromSeconds(Math.Max(1, Math.Round(median)));
    }

    private static double ParseTime(string text, ref DateTimeOffset? firstAbsolute, DateTimeOffset origin, out string? error)
    {
        error = null;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds))
        {
            // Seconds from the origin must land between year 1 and year 9999; epoch milliseconds do not.
            if (seconds > (DateTimeOffset.MaxValue - origin).TotalSeconds || seconds < (DateTimeOffset.MinValue - origin).TotalSeconds)
            {
                error = $"{text} seconds from {origin:yyyy-MM-dd HH:mm:ss} is outside the calendar (years 1 to 9999); numeric timestamps are seconds, not milliseconds.";
                return 0;
            }

            firstAbsolute ??= origin;
            return seconds + (origin - firstAbsolute.Value).TotalSeconds;
        }

        const DateTimeStyles Styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
        if (DateTimeOffset.TryParseExact(text, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, Styles, out var stamp))
        {
            firstAbsolute ??= stamp;
            return (stamp - firstAbsolute.Value).TotalSeconds;
        }

        // Slashed dates read as month/day in the invariant culture, so 01/02/2024 (1 February in much of the world) would
        // silently become 2 January, and a day-first trace would be laid out in the wrong order without an error until
        // day 13: refuse them all.
        if (text.Contains('/', StringComparison.Ordinal))
        {
            error = $"'{text}' is a date with slashes, which reads as day/month or month/day alike; write timestamps as YYYY-MM-DD HH:MM:SS, ISO 8601, or seconds from the start.";
            return 0;
        }

        // The same holds for 01.02.2024 and 01-02-2024 (day first in much of Europe and Asia), which the invariant culture
        // also reads month first, so a day-first trace of a few days was laid out a month apart per day, silently.
        if (DayOrMonthFirst(text))
        {
            error = $"'{text}' is a date written day or month first, which reads as day.month or month.day alike; write timestamps as YYYY-MM-DD HH:MM:SS, ISO 8601, or seconds from the start.";
            return 0;
        }

        // A time of day alone was put on the date the trace is read, so the same file gave other dates each day.
        if (TimeOnly(text))
        {
            error = $"'{text}' starts with a time of day, not a date; write timestamps as YYYY-MM-DD HH:MM:SS, ISO 8601, or seconds from the start.";
            return 0;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, Styles, out stamp))
        {
            firstAbsolute ??= stamp;
            return (stamp - firstAbsolute.Value).TotalSeconds;
        }

        error = $"'{text}' is not a timestamp (expected YYYY-MM-DD HH:MM:SS, ISO 8601, or seconds from the start).";
        return 0;
    }

    /// <summary>Whether a timestamp starts with a date whose day and month come first (01.02.2024, 1-2-24, 01 02 2024).</summary>
    private static bool DayOrMonthFirst(string text)
    {
        var i = Digits(text, 0);
        if (i is < 1 or > 2 || i >= text.Length || text[i] is not ('.' or '-' or ' '))
        {
            return false;
        }

        var separator = text[i];
        var j = Digits(text, i + 1);
        return j - (i + 1) is >= 1 and <= 2 && j + 1 < text.Length && text[j] == separator && char.IsAsciiDigit(text[j + 1]);
    }

    /// <summary>Whether a timestamp starts with a time of day rather than a date (12:30, T12:30:00Z, 9:05 PM).</summary>
    private static bool TimeOnly(string text)
    {
        var start = text.Length > 0 && text[0] is 'T' or 't' ? 1 : 0;
        var end = Digits(text, start);
        return end - start is >= 1 and <= 2 && end < text.Length && text[end] == ':';
    }

    /// <summary>The index of the first character at or after <paramref name="from"/> that is not an ASCII digit.</summary>
    private static int Digits(string text, int from)
    {
        var i = from;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        return i;
    }

    private static int FindTimestampColumn(string[] header, TraceReadOptions options, string sourceName, int line)
    {
        if (options.NoTimestampColumn)
        {
            return -1;
        }

        if (options.TimestampColumn is { } named)
        {
            var index = Array.FindIndex(header, h => string.Equals(h, named, StringComparison.OrdinalIgnoreCase));
            return index >= 0
                ? index
                : throw new TraceFormatException(
                    sourceName, line, named, $"the header has no timestamp column '{named}'; it has: {string.Join(", ", header)}.");
        }

        return Array.FindIndex(header, h => TimestampNames.Contains(h, StringComparer.OrdinalIgnoreCase));
    }

    private static int[] SelectMetricColumns(string[] header, int timeIndex, TraceReadOptions options, string sourceName, int line)
    {
        if (options.Columns is null)
        {
            var all = Enumerable.Range(0, header.Length).Where(i => i != timeIndex).ToArray();
            return all.Length > 0
                ? all
                : throw new TraceFormatException(sourceName, line, null, "the header has no metric column besides the timestamp.");
        }

        if (options.Columns.Count == 0)
        {
            throw new ArgumentException("TraceReadOptions.Columns must name at least one column when set.", nameof(options));
        }

        return [.. options.Columns.Select(name =>
        {
            var index = Array.FindIndex(header, h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase));
            return index >= 0 && index != timeIndex
                ? index
                : throw new TraceFormatException(
                    sourceName, line, name, $"the header has no metric column '{name}'; it has: {string.Join(", ", header)}.");
        })];
    }
}
