namespace Shaping.Accuracy;

/// <summary>One method's scores over the series it ran on.</summary>
/// <param name="Key">The registry name (for example <c>naive2</c>).</param>
/// <param name="Name">The forecaster's own name.</param>
/// <param name="Smape">Mean sMAPE over the series, in percent.</param>
/// <param name="Mase">Mean MASE over the series.</param>
/// <param name="Owa">OWA against the published Naive2 figures.</param>
/// <param name="Msis">Mean MSIS of the 95 % interval (quantiles 0.025 and 0.975, α = 0.05) over the series.</param>
/// <param name="Coverage95">Share of all outcomes inside their 95 % interval, in [0, 1] (every series has the same horizon).</param>
/// <param name="Above95">Share of all outcomes above the 95 % interval's upper bound (0.975 quantile), in [0, 1]; 0.025 when calibrated.</param>
/// <param name="Coverage80">Share of all outcomes inside their 80 % interval (quantiles 0.1 and 0.9), in [0, 1].</param>
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
    double Msis,
    double Coverage95,
    double Above95,
    double Coverage80,
    double TotalSeconds,
    double FitMedianMs,
    double FitMeanMs,
    double FitMaxMs,
    int SeriesCount,
    IReadOnlyList<KeyValuePair<string, int>> ModelCounts);
