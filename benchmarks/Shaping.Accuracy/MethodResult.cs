namespace Shaping.Accuracy;

/// <summary>One method's scores over the series it ran on.</summary>
/// <param name="Key">The registry name (for example <c>naive2</c>).</param>
/// <param name="Name">The forecaster's own name.</param>
/// <param name="Smape">Mean sMAPE over the series, in percent.</param>
/// <param name="Mase">Mean MASE over the series.</param>
/// <param name="Owa">OWA against the published Naive2 figures.</param>
/// <param name="TotalSeconds">Wall time of the whole run for this method, in seconds.</param>
/// <param name="FitMedianMs">Median fit + forecast time per series, in milliseconds.</param>
/// <param name="FitMeanMs">Mean fit + forecast time per series, in milliseconds.</param>
/// <param name="FitMaxMs">Largest fit + forecast time of one series, in milliseconds.</param>
/// <param name="SeriesCount">How many series were scored.</param>
/// <param name="ModelCounts">How often each fitted model name occurred (which candidate a selector chose).</param>
internal sealed record MethodResult(
    string Key,
    string Name,
    double Smape,
    double Mase,
    double Owa,
    double TotalSeconds,
    double FitMedianMs,
    double FitMeanMs,
    double FitMaxMs,
    int SeriesCount,
    IReadOnlyList<KeyValuePair<string, int>> ModelCounts);
