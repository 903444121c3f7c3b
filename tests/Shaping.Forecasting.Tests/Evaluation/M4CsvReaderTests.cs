using Shaping.Forecasting.Evaluation;

namespace Shaping.Forecasting.Tests.Evaluation;

public sealed class M4CsvReaderTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    [Fact]
    public void ReadFiles_PaddedQuotedFixture_ReadsEverySeriesAndStopsAtPadding()
    {
        var series = M4CsvReader.ReadFiles(Fixture("tiny-train.csv"), Fixture("tiny-test.csv"));

        Assert.Equal(["T1", "T2", "T3"], series.Select(s => s.Id));
        Assert.Equal([10, 12, 14, 11, 10, 12, 15, 11, 10, 13], series[0].Train);
        Assert.Equal([20.5, 21, 22.25, 20, 19, 21.5, 23], series[1].Train);
        Assert.Equal([100, 110, 105, 120], series[2].Train);
        Assert.Equal([115, 118, 121], series[2].Test);
        Assert.All(series, s => Assert.Equal(3, s.Test.Length));
    }

    [Fact]
    public void Read_MismatchedIds_Throws()
    {
        using var train = new StringReader("\"V1\",\"V2\"\n\"A\",\"1\"\n");
        using var test = new StringReader("\"V1\",\"V2\"\n\"B\",\"2\"\n");
        var e = Assert.Throws<InvalidDataException>(() => M4CsvReader.Read(train, test));
        Assert.Contains("'A'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ValueAfterEmptyField_Throws()
    {
        using var train = new StringReader("\"V1\",\"V2\",\"V3\",\"V4\"\n\"A\",\"1\",,\"3\"\n");
        using var test = new StringReader("\"V1\",\"V2\"\n\"A\",\"2\"\n");
        Assert.Throws<InvalidDataException>(() => M4CsvReader.Read(train, test));
    }

    [Fact]
    public void Read_NonNumericValue_ThrowsNamingSeries()
    {
        using var train = new StringReader("\"V1\",\"V2\"\n\"A\",\"x1\"\n");
        using var test = new StringReader("\"V1\",\"V2\"\n\"A\",\"2\"\n");
        var e = Assert.Throws<InvalidDataException>(() => M4CsvReader.Read(train, test));
        Assert.Contains("(A)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_DifferentSeriesCounts_Throws()
    {
        using var train = new StringReader("\"V1\",\"V2\"\n\"A\",\"1\"\n\"B\",\"1\"\n");
        using var test = new StringReader("\"V1\",\"V2\"\n\"A\",\"2\"\n");
        Assert.Throws<InvalidDataException>(() => M4CsvReader.Read(train, test));
    }
}
