using Shaping.Simulation.Traces;

namespace Shaping.Simulation.Tests.Traces;

public sealed class CsvTraceReaderTests
{
    private static LoadTrace Read(string csv, TraceReadOptions? options = null) =>
        CsvTraceReader.Read(new StringReader(csv), "fixture.csv", options);

    [Fact]
    public void Read_NabFormat_ParsesTimestampsAndDetectsStep()
    {
        var trace = Read("timestamp,value\n2014-02-14 14:30:00,1.5\n2014-02-14 14:35:00,2\n2014-02-14 14:40:00,2.5\n");

        Assert.Equal(TimeSpan.FromMinutes(5), trace.Step);
        Assert.Equal(new DateTimeOffset(2014, 2, 14, 14, 30, 0, TimeSpan.Zero), trace.Start);
        Assert.Equal([1.5, 2, 2.5], trace.GetColumn("value").ToArray());
        Assert.Equal(0, trace.Stats.GapSlots);
    }

    [Theory]
    [InlineData("2024-10-27 02:30:00", true)]
    [InlineData("2024-10-26 02:30:00", false)]
    public void Read_TimestampGoingBack_HintsAtDaylightSavingOnlyWithinAnHour(string back, bool hint)
    {
        // Local times across the autumn clock change repeat 02:00-03:00: a step back of up to an hour says how to fix it.
        var csv = "timestamp,value\n2024-10-27 02:00:00,1\n2024-10-27 02:30:00,1\n2024-10-27 02:55:00,1\n" + back + ",1\n";

        var ex = Assert.Throws<TraceFormatException>(() => Read(csv));

        Assert.Contains("earlier than the previous row's", ex.Message, StringComparison.Ordinal);
        Assert.Equal(hint, ex.Message.Contains("daylight-saving", StringComparison.Ordinal));
        Assert.Contains("line 5", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\uFEFFtimestamp,value\n")]
    [InlineData("\uFEFF\n\ntimestamp,value\n")]
    public void Read_TextStartingWithAByteOrderMark_FindsTheTimestampColumn(string header)
    {
        // Text decoded with Encoding.UTF8.GetString keeps the file's byte order mark, U+FEFF, which is not white space:
        // the first column was named '\uFEFFtimestamp', so the timestamps were read as a metric and refused.
        var trace = Read(header + "2024-01-01 00:00:00,1\n2024-01-01 00:05:00,2\n");

        Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), trace.Start);
        Assert.Equal(["value"], trace.ColumnNames.ToArray());
    }

    [Fact]
    public void Read_JitteredTimestamps_SnapToNearestSlot()
    {
        var trace = Read("timestamp,value\n2014-04-10 00:04:00,1\n2014-04-10 00:09:00,2\n2014-04-10 00:16:00,3\n2014-04-10 00:19:00,4\n2014-04-10 00:24:00,5\n");

        Assert.Equal(TimeSpan.FromMinutes(5), trace.Step);
        Assert.Equal(5, trace.Length);
        Assert.Equal([1, 2, 3, 4, 5], trace.GetColumn("value").ToArray());
        Assert.Equal(TimeSpan.FromMinutes(2), trace.Stats.MaxJitter);
    }

    [Fact]
    public void Read_MissingSlot_CarriesPreviousValueForwardAndFlagsGap()
    {
        var trace = Read("timestamp,value\n2014-04-10 00:00:00,1\n2014-04-10 00:05:00,2\n2014-04-10 00:20:00,5\n2014-04-10 00:25:00,6\n");

        Assert.Equal(6, trace.Length);
        Assert.Equal([1, 2, 2, 2, 5, 6], trace.GetColumn("value").ToArray());
        Assert.Equal([false, false, true, true, false, false], Enumerable.Range(0, 6).Select(trace.IsGap));
        Assert.Equal(2, trace.Stats.GapSlots);
        Assert.Equal(4, trace.Stats.Rows);
    }

    [Fact]
    public void Read_TwoSamplesInOneSlot_AveragesThemAndCounts()
    {
        var trace = Read("timestamp,value\n2014-04-10 00:00:00,1\n2014-04-10 00:05:00,2\n2014-04-10 00:06:00,4\n2014-04-10 00:10:00,5\n2014-04-10 00:15:00,6\n",
            new TraceReadOptions { Step = TimeSpan.FromMinutes(5) });

        Assert.Equal([1, 3, 5, 6], trace.GetColumn("value").ToArray());
        Assert.Equal(1, trace.Stats.MergedSamples);
    }

    [Fact]
    public void Read_SecondsFromStart_UsesOriginAndSelectedColumns()
    {
        var origin = new DateTimeOffset(2019, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var trace = Read("timestamp,cpu_usage,assigned_mem\n0,10,100\n300,11,101\n600,12,102",
            new TraceReadOptions { Origin = origin, Columns = ["assigned_mem"] });

        Assert.Equal(origin, trace.Start);
        Assert.Equal(TimeSpan.FromSeconds(300), trace.Step);
        Assert.Equal(["assigned_mem"], trace.ColumnNames.ToArray());
        Assert.False(trace.HasColumn("cpu_usage"));
    }

    [Fact]
    public void Read_UnixSecondsWithUnixEpochOrigin_LandOnTheirDate()
    {
        var trace = Read("timestamp,value\n1704067200,1\n1704067500,2\n", new TraceReadOptions { Origin = DateTimeOffset.UnixEpoch });

        Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), trace.Start);
        Assert.Equal(TimeSpan.FromMinutes(5), trace.Step);
    }

    [Fact]
    public void Read_UnixSecondsWithDefaultOrigin_CountFrom2000()
    {
        // The documented default: numeric timestamps are seconds since 2000-01-01, so Unix time lands in late 2053.
        var trace = Read("timestamp,value\n1704067200,1\n1704067500,2\n");

        Assert.Equal(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(1_704_067_200), trace.Start);
        Assert.Equal(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero), new TraceReadOptions().Origin);
    }

    [Fact]
    public void Read_Iso8601WithOffset_ConvertsToUtc()
    {
        var trace = Read("time,value\n2024-01-01T01:00:00+01:00,1\n2024-01-01T01:01:00+01:00,2\n");

        Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), trace.Start);
        Assert.Equal(TimeSpan.FromMinutes(1), trace.Step);
    }

    [Fact]
    public void Read_NoTimestampColumn_UsesDeclaredStep()
    {
        var trace = Read("avg_cpu,avg_mem\n0.4,0.3\n0.5,0.35\n", new TraceReadOptions { Step = TimeSpan.FromMinutes(5) });

        Assert.Equal(2, trace.Length);
        Assert.Equal(TimeSpan.FromMinutes(5), trace.Step);
        Assert.Equal([0.3, 0.35], trace.GetColumn("avg_mem").ToArray());
    }

    [Fact]
    public void Read_NoTimestampColumnAndNoStep_ThrowsNamingTheFile()
    {
        var ex = Assert.Throws<TraceFormatException>(() => Read("avg_cpu\n0.4\n"));

        Assert.Equal("fixture.csv", ex.FilePath);
        Assert.Contains("Step", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_RowWithTooFewFields_ThrowsNamingTheLine()
    {
        var ex = Assert.Throws<TraceFormatException>(() => Read("timestamp,value\n2014-04-10 00:00:00,1\n2014-04-10 00:05:00\n"));

        Assert.Equal(3, ex.Line);
        Assert.Null(ex.Column);
        Assert.Contains("fixture.csv:line 3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NonNumericValue_ThrowsNamingLineAndColumn()
    {
        var ex = Assert.Throws<TraceFormatException>(() =>
            Read("timestamp,value\n2014-04-10 00:00:00,1\n\n2014-04-10 00:05:00,abc\n"));

        Assert.Equal(4, ex.Line);
        Assert.Equal("value", ex.Column);
        Assert.Contains("'abc'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("")]
    public void Read_NonFiniteOrEmptyValue_Throws(string value)
    {
        var ex = Assert.Throws<TraceFormatException>(() => Read($"timestamp,value\n2014-04-10 00:00:00,{value}\n"));

        Assert.Equal(2, ex.Line);
    }

    [Fact]
    public void Read_BadTimestamp_ThrowsNamingTimestampColumn()
    {
        var ex = Assert.Throws<TraceFormatException>(() => Read("timestamp,value\n2014-04-10 00:00:00,1\nyesterday,2\n"));

        Assert.Equal(3, ex.Line);
        Assert.Equal("timestamp", ex.Column);
    }

    [Theory]
    [InlineData("01.02.2024 00:00", "02.02.2024 00:00")] // 1 and 2 February day first; read as 2 January and 2 February
    [InlineData("01-02-2024 00:00", "02-02-2024 00:00")]
    [InlineData("1.2.2024", "2.2.2024")]
    [InlineData("01 02 2024 00:00", "02 02 2024 00:00")]
    public void Read_DayFirstDatesWithDotsDashesOrSpaces_AreRefusedAsAmbiguous(string first, string second)
    {
        // Read month first, two consecutive days of a day-first trace were a month apart, the month between them gaps.
        var ex = Assert.Throws<TraceFormatException>(() => Read($"timestamp,value\n{first},1\n{second},2\n"));

        Assert.Equal(2, ex.Line);
        Assert.Equal("timestamp", ex.Column);
        Assert.Contains("day or month first", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:00", "00:05")]
    [InlineData("T00:00:00Z", "T00:05:00Z")]
    [InlineData("9:00 AM", "9:05 AM")]
    public void Read_TimeOfDayWithoutDate_IsRefused(string first, string second)
    {
        // Such a trace was laid on the date it was read, so its start (and the report's dates) changed every day.
        var ex = Assert.Throws<TraceFormatException>(() => Read($"timestamp,value\n{first},1\n{second},2\n"));

        Assert.Equal(2, ex.Line);
        Assert.Equal("timestamp", ex.Column);
        Assert.Contains("time of day, not a date", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TimestampGoesBackwards_Throws()
    {
        var ex = Assert.Throws<TraceFormatException>(() =>
            Read("timestamp,value\n2014-04-10 00:05:00,1\n2014-04-10 00:00:00,2\n"));

        Assert.Equal(3, ex.Line);
        Assert.Contains("earlier", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_SampleOffGridBeyondAllowedJitter_Throws()
    {
        var ex = Assert.Throws<TraceFormatException>(() => Read(
            "timestamp,value\n2014-04-10 00:00:00,1\n2014-04-10 00:05:00,2\n2014-04-10 00:12:00,3\n",
            new TraceReadOptions { MaxJitterFraction = 0.2, Step = TimeSpan.FromMinutes(5) }));

        Assert.Equal(4, ex.Line);
    }

    [Fact]
    public void Read_UnknownColumn_ThrowsListingHeader()
    {
        var ex = Assert.Throws<TraceFormatException>(() =>
            Read("timestamp,value\n2014-04-10 00:00:00,1\n", new TraceReadOptions { Columns = ["cpu"] }));

        Assert.Equal("cpu", ex.Column);
        Assert.Contains("timestamp, value", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_HeaderOnly_Throws()
    {
        Assert.Throws<TraceFormatException>(() => Read("timestamp,value\n"));
    }

    [Fact]
    public void ReadFile_MissingFile_ThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => CsvTraceReader.ReadFile(Path.Combine(Path.GetTempPath(), "no-such-trace-42.csv")));
    }

    [Fact]
    public void Read_LastSampleExactlyHalfAStepOffTheGrid_SnapsAwayFromTheFirstLikeEveryOther()
    {
        // 150 s is 2.5 steps of 60 s from the first sample: slot 3, so the grid has four slots, the third a gap.
        var trace = Read("timestamp,v\n0,1\n60,2\n120,3\n150,4\n");

        Assert.Equal(TimeSpan.FromMinutes(1), trace.Step);
        Assert.Equal([1, 2, 3, 4], trace.GetColumn("v").ToArray());
        Assert.Equal(0, trace.Stats.GapSlots);
    }

    [Fact]
    public void Read_EpochMilliseconds_ThrowsNamingLineAndColumnAndSayingSeconds()
    {
        var ex = Assert.Throws<TraceFormatException>(() => Read("timestamp,v\n1700000000000,1\n1700000300000,2\n"));

        Assert.Equal(2, ex.Line);
        Assert.Equal("timestamp", ex.Column);
        Assert.Contains("milliseconds", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_OneTimestampFarBeyondTheRest_ThrowsInsteadOfFillingMillionsOfGaps()
    {
        var ex = Assert.Throws<TraceFormatException>(() => Read("timestamp,v\n0,1\n1,2\n2,1\n1e10,3\n"));

        Assert.Equal(5, ex.Line);
        Assert.Equal("timestamp", ex.Column);
        Assert.Contains("at most", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_HeaderNamingAColumnTwice_ThrowsNamingIt()
    {
        var ex = Assert.Throws<TraceFormatException>(() => Read("timestamp,cpu,CPU\n0,1,2\n60,1,2\n"));

        Assert.Equal(1, ex.Line);
        Assert.Equal("CPU", ex.Column);
    }

    [Fact]
    public void Read_NoTimestampAndNoStepAfterBlankLines_ReportsTheHeadersLine()
    {
        // Blank lines are skipped before the header; the error used to report line 1.
        var ex = Assert.Throws<TraceFormatException>(() => Read("\n  \nvalue\n1\n2\n"));

        Assert.Equal(3, ex.Line);
        Assert.Contains("line 3", ex.Message, StringComparison.Ordinal);
        Assert.Contains("TraceReadOptions.Step", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TwoHugeSamplesInOneSlot_AveragesWithoutOverflow()
    {
        // Their sum overflows to infinity; the trace used to be rejected with an ArgumentException naming no file or line.
        var trace = Read("timestamp,value\n2014-04-10 00:00:00,1e308\n2014-04-10 00:01:00,1.5e308\n2014-04-10 00:05:00,-1e308\n2014-04-10 00:06:00,-1.5e308\n",
            new TraceReadOptions { Step = TimeSpan.FromMinutes(5) });

        Assert.Equal([1.25e308, -1.25e308], trace.GetColumn("value").ToArray());
        Assert.Equal(2, trace.Stats.MergedSamples);
    }

    [Fact]
    public void Read_BadValueUnderAnUnnamedColumn_NamesTheColumnByPosition()
    {
        // As TraceFormatException.Column documents; the message used to say "column ''".
        var ex = Assert.Throws<TraceFormatException>(() => Read("timestamp,,value\n2014-04-10 00:00:00,,1\n"));

        Assert.Equal(2, ex.Line);
        Assert.Equal("2", ex.Column);
        Assert.Contains("column '2': the value is empty.", ex.Message, StringComparison.Ordinal);
    }
}
