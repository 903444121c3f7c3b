namespace Shaping.Simulation.Traces;

/// <summary>
/// A load-trace file could not be read: a malformed row, a value that is not a number, a timestamp that is
/// not understood or goes backwards, or a missing column.
/// </summary>
/// <remarks>
/// The message always names the file and, where it applies, the 1-based line and the column, so that a user
/// can open the file at the offending row.
/// </remarks>
public sealed class TraceFormatException : FormatException
{
    /// <summary>Creates an exception with no location.</summary>
    public TraceFormatException()
        : this("The trace is malformed.")
    {
    }

    /// <summary>Creates an exception with a message and no location.</summary>
    /// <param name="message">The message.</param>
    public TraceFormatException(string message)
        : base(message)
    {
        FilePath = string.Empty;
    }

    /// <summary>Creates an exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public TraceFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        FilePath = string.Empty;
    }

    /// <summary>Creates an exception that points at a place in a trace file.</summary>
    /// <param name="filePath">The file (or source name) being read.</param>
    /// <param name="line">The 1-based line number, or 0 when the problem is not on one line.</param>
    /// <param name="column">The column name (or its 1-based position when the header has no name for it); <see langword="null"/> for the whole row.</param>
    /// <param name="problem">What is wrong, without the location.</param>
    public TraceFormatException(string filePath, int line, string? column, string problem)
        : base(Format(filePath, line, column, problem))
    {
        FilePath = filePath;
        Line = line;
        Column = column;
    }

    /// <summary>Gets the file (or source name) that was being read.</summary>
    public string FilePath { get; }

    /// <summary>Gets the 1-based line number of the offending row; 0 when the problem is not on one line.</summary>
    public int Line { get; }

    /// <summary>Gets the offending column's name; <see langword="null"/> when the whole row is at fault.</summary>
    public string? Column { get; }

    private static string Format(string filePath, int line, string? column, string problem)
    {
        var where = line > 0 ? $"{filePath}:line {line}" : filePath;
        return column is null ? $"{where}: {problem}" : $"{where}, column '{column}': {problem}";
    }
}
