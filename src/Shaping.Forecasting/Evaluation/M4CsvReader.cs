using System.Globalization;

namespace Shaping.Forecasting.Evaluation;

/// <summary>
/// Reads data sets in the M4 competition's CSV format: a header row (<c>"V1","V2",…</c>), then one row per series
/// with the quoted id first and the quoted values in time order. Rows may be padded to the widest row with empty,
/// unquoted fields; row i of the test file continues row i of the training file.
/// </summary>
public static class M4CsvReader
{
    /// <summary>Reads a training file and its test file into series.</summary>
    /// <param name="trainPath">The path of the training CSV (for example <c>hourly-train.csv</c>).</param>
    /// <param name="testPath">The path of the test CSV (for example <c>hourly-test.csv</c>).</param>
    /// <returns>The series, in file order.</returns>
    /// <exception cref="InvalidDataException">A row is malformed, or the two files' ids do not line up.</exception>
    public static IReadOnlyList<M4Series> ReadFiles(string trainPath, string testPath)
    {
        using var train = new StreamReader(trainPath);
        using var test = new StreamReader(testPath);
        return Read(train, test);
    }

    /// <summary>Reads a training part and its test part into series.</summary>
    /// <param name="train">The training CSV text.</param>
    /// <param name="test">The test CSV text.</param>
    /// <returns>The series, in file order.</returns>
    /// <exception cref="InvalidDataException">A row is malformed, or the two parts' ids do not line up.</exception>
    public static IReadOnlyList<M4Series> Read(TextReader train, TextReader test)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        var trainRows = ReadRows(train, "train");
        var testRows = ReadRows(test, "test");
        if (trainRows.Count != testRows.Count)
        {
            throw new InvalidDataException(
                $"The training part has {trainRows.Count} series but the test part has {testRows.Count}.");
        }

        var series = new List<M4Series>(trainRows.Count);
        for (var i = 0; i < trainRows.Count; i++)
        {
            if (!string.Equals(trainRows[i].Id, testRows[i].Id, StringComparison.Ordinal))
            {
                throw new InvalidDataException(
                    $"Row {i + 1}: training id '{trainRows[i].Id}' does not match test id '{testRows[i].Id}'.");
            }

            series.Add(new M4Series(trainRows[i].Id, trainRows[i].Values, testRows[i].Values));
        }

        return series;
    }

    private static List<(string Id, double[] Values)> ReadRows(TextReader reader, string part)
    {
        var rows = new List<(string Id, double[] Values)>();
        var values = new List<double>();
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0 || (lineNumber == 1 && Unquote(line.AsSpan(0, line.IndexOf(',') < 0 ? line.Length : line.IndexOf(','))).SequenceEqual("V1")))
            {
                continue;
            }

            var fields = line.Split(',');
            var id = Unquote(fields[0]).ToString();
            if (id.Length == 0)
            {
                throw new InvalidDataException($"{part} line {lineNumber}: the series id is empty.");
            }

            values.Clear();
            var ended = false;
            for (var f = 1; f < fields.Length; f++)
            {
                var field = Unquote(fields[f]);
                if (field.IsEmpty)
                {
                    ended = true;
                    continue;
                }

                if (ended)
                {
                    throw new InvalidDataException(
                        $"{part} line {lineNumber} ({id}): a value follows an empty field at column {f + 1}.");
                }

                if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                {
                    throw new InvalidDataException(
                        $"{part} line {lineNumber} ({id}): column {f + 1} holds '{field.ToString()}', not a number.");
                }

                values.Add(value);
            }

            if (values.Count == 0)
            {
                throw new InvalidDataException($"{part} line {lineNumber} ({id}): the series has no values.");
            }

            rows.Add((id, values.ToArray()));
        }

        return rows;
    }

    private static ReadOnlySpan<char> Unquote(ReadOnlySpan<char> field)
    {
        field = field.Trim();
        if (field.Length >= 2 && field[0] == '"' && field[^1] == '"')
        {
            field = field[1..^1];
        }

        return field.Trim();
    }
}
