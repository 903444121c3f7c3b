using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Shaping.Simulation.Traces;

namespace Shaping.Simulation.Tests.Traces;

/// <summary>Cells that monitoring exports write for a missed scrape (empty, NaN, null, -), with and without <see cref="MissingCellHandling.Gap"/>.</summary>
public sealed class CsvTraceReaderMissingCellTests
{
    private static readonly TraceReadOptions AsGaps = new() { MissingCells = MissingCellHandling.Gap };

    private static LoadTrace Read(string csv, TraceReadOptions? options = null) =>
        CsvTraceReader.Read(new StringReader(csv), "fixture.csv", options);

    // 5-minute rows from 2024-01-01 00:00, one per value; each value is the rest of the row after the timestamp.
    private static string Rows(string header, params string[] cells) =>
        header + "\n" + string.Concat(cells.Select((c, i) =>
            string.Create(CultureInfo.InvariantCulture, $"{new DateTime(2024, 1, 1, 0, 5 * i, 0, DateTimeKind.Utc):yyyy-MM-dd HH:mm:ss},{c}\n")));

    private static bool[] Gaps(LoadTrace trace) => [.. Enumerable.Range(0, trace.Length).Select(trace.IsGap)];

    [Theory]
    [InlineData("", "the value is empty.")]
    [InlineData("NaN", "'NaN' is not a finite number.")]
    [InlineData("null", "'null' is not a finite number.")]
    [InlineData("-", "'-' is not a finite number.")]
    [InlineData("\"\"", "the value is empty.")]
    public void Read_MissingMarkerByDefault_ThrowsNamingLineAndColumnAndTheOption(string cell, string problem)
    {
        var ex = Assert.Throws<TraceFormatException>(() => Read(Rows("timestamp,value", "1", cell, "3")));

        Assert.Equal(3, ex.Line);
        Assert.Equal("value", ex.Column);
        Assert.Contains($"fixture.csv:line 3, column 'value': {problem}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("TraceReadOptions.MissingCells", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("Infinity")]
    [InlineData("1,5")] // a decimal comma: one field too many
    public void Read_GarbageByDefault_DoesNotSuggestTheOption(string cell)
    {
        var ex = Assert.Throws<TraceFormatException>(() => Read(Rows("timestamp,value", "1", cell, "3")));

        Assert.Equal(3, ex.Line);
        Assert.DoesNotContain("MissingCells", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingMarkersAsGaps_CarryThePreviousValueForwardAndFlagGaps()
    {
        var trace = Read(Rows("timestamp,value", "1", "NaN", "", "null", "-", "nan", "NULL", "\"\"", "9"), AsGaps);

        Assert.Equal(TimeSpan.FromMinutes(5), trace.Step);
        Assert.Equal(9, trace.Length);
        Assert.Equal([1, 1, 1, 1, 1, 1, 1, 1, 9], trace.GetColumn("value").ToArray());
        Assert.Equal([false, true, true, true, true, true, true, true, false], Gaps(trace));
        Assert.Equal(new TraceStats(9, 9, 7, 0, TimeSpan.Zero) { MissingSamples = 7, GapSlotsFromMissingSamples = 7 }, trace.Stats);
    }

    [Fact]
    public void Read_MissingMarkersAsGaps_SameTraceAsIfTheRowsWereAbsent()
    {
        // The documented gap rule, not a second one: a row with a missing cell reads like a skipped timestamp.
        var withMarkers = Read(Rows("timestamp,value", "1", "2", "NaN", "", "5", "6"), AsGaps);
        var withoutRows = Read("timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 00:05:00,2\n2024-01-01 00:20:00,5\n2024-01-01 00:25:00,6\n");

        Assert.Equal(withoutRows.GetColumn("value").ToArray(), withMarkers.GetColumn("value").ToArray());
        Assert.Equal(Gaps(withoutRows), Gaps(withMarkers));
        Assert.Equal(withoutRows.Start, withMarkers.Start);
        Assert.Equal(withoutRows.Stats.GapSlots, withMarkers.Stats.GapSlots);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("Infinity")]
    [InlineData("-inf")]
    [InlineData("--")]
    public void Read_GarbageWithMissingCellsAsGaps_StillThrowsNamingLineAndColumn(string cell)
    {
        var ex = Assert.Throws<TraceFormatException>(() => Read(Rows("timestamp,value", "1", cell, "3"), AsGaps));

        Assert.Equal(3, ex.Line);
        Assert.Equal("value", ex.Column);
        Assert.Contains($"'{cell}' is not a finite number.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_GarbageBesideAMissingCell_StillThrows()
    {
        var ex = Assert.Throws<TraceFormatException>(() => Read(Rows("timestamp,cpu,mem", "1,2", "NaN,abc", "3,4"), AsGaps));

        Assert.Equal(3, ex.Line);
        Assert.Equal("mem", ex.Column);
    }

    [Fact]
    public void Read_OneOfSeveralColumnsMissing_TheWholeSampleIsAGap()
    {
        var trace = Read(Rows("timestamp,cpu,mem", "1,10", "2,", "3,30"), AsGaps);

        Assert.Equal([1, 1, 3], trace.GetColumn("cpu").ToArray());
        Assert.Equal([10, 10, 30], trace.GetColumn("mem").ToArray());
        Assert.Equal([false, true, false], Gaps(trace));
    }

    [Fact]
    public void Read_MissingCellInAColumnNotRead_IsIgnored()
    {
        var trace = Read(Rows("timestamp,cpu,mem", "1,10", "2,", "3,30"), new TraceReadOptions { Columns = ["cpu"] });

        Assert.Equal([1, 2, 3], trace.GetColumn("cpu").ToArray());
        Assert.Equal(0, trace.Stats.MissingSamples);
    }

    [Fact]
    public void Read_MissingRowsAtTheEnds_AreDroppedNotGaps()
    {
        // Grafana leaves the newest, unfinished bucket empty; a gap needs a previous value, so leading rows go too.
        var trace = Read(Rows("timestamp,value", "NaN", "null", "3", "4", "", "5", "-"), AsGaps);

        Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 10, 0, TimeSpan.Zero), trace.Start);
        Assert.Equal([3, 4, 4, 5], trace.GetColumn("value").ToArray());
        Assert.Equal([false, false, true, false], Gaps(trace));
        Assert.Equal(new TraceStats(7, 4, 1, 0, TimeSpan.Zero) { MissingSamples = 4, GapSlotsFromMissingSamples = 1 }, trace.Stats);
    }

    [Fact]
    public void Read_GapsOfMissingRowsAndOfAbsentRows_CountsOnlyTheFormerAsFromMissingSamples()
    {
        // Two missing rows dropped at the ends, one missing inside (a gap it explains), and 00:20 absent from the file (a
        // gap no row explains: what a wrong step or misread dates leave).
        var trace = Read(
            "timestamp,value\n2024-01-01 00:00:00,NaN\n2024-01-01 00:05:00,1\n2024-01-01 00:10:00,\n2024-01-01 00:15:00,3\n"
            + "2024-01-01 00:25:00,5\n2024-01-01 00:30:00,-\n",
            AsGaps);

        Assert.Equal([false, true, false, true, false], Gaps(trace));
        Assert.Equal(new TraceStats(6, 5, 2, 0, TimeSpan.Zero) { MissingSamples = 3, GapSlotsFromMissingSamples = 1 }, trace.Stats);
    }

    [Fact]
    public void Read_EveryOtherRowMissing_KeepsTheStepOfTheTimestamps()
    {
        // Had the rows been dropped before the step was detected, the median spacing would double and hide the gaps.
        var trace = Read(Rows("timestamp,value", "1", "NaN", "3", "NaN", "5", "NaN", "7"), AsGaps);

        Assert.Equal(TimeSpan.FromMinutes(5), trace.Step);
        Assert.Equal([1, 1, 3, 3, 5, 5, 7], trace.GetColumn("value").ToArray());
        Assert.Equal(3, trace.Stats.GapSlots);
        Assert.Equal(3, trace.Stats.GapSlotsFromMissingSamples);
    }

    [Fact]
    public void Read_MissingRowSharingASlotWithASample_IsNoGap()
    {
        var trace = Read("timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 00:05:00,2\n2024-01-01 00:06:00,NaN\n2024-01-01 00:10:00,3\n",
            new TraceReadOptions { MissingCells = MissingCellHandling.Gap, Step = TimeSpan.FromMinutes(5) });

        Assert.Equal([1, 2, 3], trace.GetColumn("value").ToArray());
        Assert.Equal(0, trace.Stats.GapSlots);
        Assert.Equal(0, trace.Stats.MergedSamples);
        Assert.Equal(1, trace.Stats.MissingSamples);
        Assert.Equal(0, trace.Stats.GapSlotsFromMissingSamples);
    }

    [Fact]
    public void Read_NoTimestampColumn_MissingRowIsAGapInItsPlace()
    {
        var origin = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var trace = Read("cpu\n\nNaN\n1\n\"\"\n3\n",
            new TraceReadOptions { MissingCells = MissingCellHandling.Gap, Step = TimeSpan.FromMinutes(1), Origin = origin });

        // Blank lines are skipped (not rows); the quoted empty cell is a row with a missing value.
        Assert.Equal(origin.AddMinutes(1), trace.Start);
        Assert.Equal([1, 1, 3], trace.GetColumn("cpu").ToArray());
        Assert.Equal([false, true, false], Gaps(trace));
        Assert.Equal(new TraceStats(4, 3, 1, 0, TimeSpan.Zero) { MissingSamples = 2, GapSlotsFromMissingSamples = 1 }, trace.Stats);
    }

    [Fact]
    public void Read_NoTimestampColumnAndNothingMissing_AsBefore()
    {
        var origin = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var trace = Read("cpu,mem\n1,2\n3,4\n5,6\n", new TraceReadOptions { Step = TimeSpan.FromSeconds(0.1), Origin = origin, MaxJitterFraction = 0 });

        Assert.Equal(origin, trace.Start);
        Assert.Equal([1, 3, 5], trace.GetColumn("cpu").ToArray());
        Assert.Equal(new TraceStats(3, 3, 0, 0, TimeSpan.Zero), trace.Stats);
    }

    [Fact]
    public void Read_EveryRowMissing_Throws()
    {
        var ex = Assert.Throws<TraceFormatException>(() => Read(Rows("timestamp,value", "NaN", "", "null"), AsGaps));

        Assert.Contains("all 3 data rows have a missing value", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_EmptyTimestampWithMissingCellsAsGaps_StillThrows()
    {
        var ex = Assert.Throws<TraceFormatException>(() => Read("timestamp,value\n2024-01-01 00:00:00,1\n,2\n", AsGaps));

        Assert.Equal(3, ex.Line);
        Assert.Equal("timestamp", ex.Column);
    }

    [Fact]
    public void Read_BackwardsTimestampOnAMissingRow_StillThrows()
    {
        var ex = Assert.Throws<TraceFormatException>(() =>
            Read("timestamp,value\n2024-01-01 00:05:00,1\n2024-01-01 00:00:00,NaN\n", AsGaps));

        Assert.Equal(3, ex.Line);
        Assert.Contains("newest first", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// For any trace and any rows marked missing (the first and last kept), reading with missing cells as gaps gives the
    /// same grid as reading the file with those rows deleted: the same values, gap flags, start and gap count.
    /// </summary>
    [Property(MaxTest = 300)]
    public Property Read_MissingCellsAsGaps_EqualDeletingTheRows(int seed, PositiveInt length)
    {
        var random = new Random(seed);
        var count = 2 + (length.Get % 60);
        var markers = new[] { "", "NaN", "null", "-" };
        var stamps = Enumerable.Range(0, count)
            .Select(i => new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes((5 * i) + random.Next(-2, 3)))
            .ToArray();
        var values = stamps.Select(_ => Math.Round(random.NextDouble() * 100, 3)).ToArray();
        var missing = stamps.Select((_, i) => i > 0 && i < count - 1 && random.NextDouble() < 0.3).ToArray();
        string Row(int i, string cell) => string.Create(CultureInfo.InvariantCulture, $"{stamps[i]:yyyy-MM-dd HH:mm:ss},{cell}\n");
        var marked = "timestamp,value\n" + string.Concat(Enumerable.Range(0, count).Select(i =>
            Row(i, missing[i] ? markers[random.Next(markers.Length)] : values[i].ToString(CultureInfo.InvariantCulture))));
        var deleted = "timestamp,value\n" + string.Concat(Enumerable.Range(0, count).Where(i => !missing[i]).Select(i =>
            Row(i, values[i].ToString(CultureInfo.InvariantCulture))));
        var step = new TraceReadOptions { Step = TimeSpan.FromMinutes(5) };

        var a = Read(marked, new TraceReadOptions { Step = step.Step, MissingCells = MissingCellHandling.Gap });
        var b = Read(deleted, step);
        var slotsOfMissingRows = Enumerable.Range(0, count).Where(i => missing[i])
            .Select(i => (int)Math.Round((new DateTimeOffset(stamps[i]) - a.Start) / a.Step, MidpointRounding.AwayFromZero))
            .ToHashSet();

        return (a.GetColumn("value").ToArray().SequenceEqual(b.GetColumn("value").ToArray())
                && Gaps(a).SequenceEqual(Gaps(b))
                && a.Start == b.Start
                && a.Stats with { Rows = 0, MissingSamples = 0, GapSlotsFromMissingSamples = 0 } == b.Stats with { Rows = 0 }
                && a.Stats.GapSlotsFromMissingSamples == slotsOfMissingRows.Count(a.IsGap)
                && a.Stats.MissingSamples == missing.Count(m => m)
                && a.Stats.Rows == count)
            .Label($"count={count} missing={missing.Count(m => m)}");
    }
}
