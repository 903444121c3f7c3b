namespace Shaping.Accuracy;

/// <summary>The parsed <c>m4</c> command line.</summary>
internal sealed record M4Settings(
    DirectoryInfo Data,
    string? Methods,
    FileInfo? Output,
    DirectoryInfo? Forecasts,
    int? SeriesLimit,
    int Every,
    int SeasonalPeriod,
    int Parallelism,
    double Scale,
    IReadOnlyList<string> Arguments);
