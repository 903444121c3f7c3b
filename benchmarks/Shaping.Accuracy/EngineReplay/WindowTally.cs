using System.Globalization;
using Shaping.Core.Prediction;
using Shaping.Core.Resources;

namespace Shaping.Accuracy.EngineReplay;

/// <summary>
/// The scores of one window length and one dimension over a replay: how often the realised peak (and mean) of a
/// window landed at or below each quantile the engine stated for it, and proper scores of the stated peak quantiles.
/// </summary>
internal sealed class WindowTally(TimeSpan window, Dimension dimension)
{
    /// <summary>The peak levels scored, as indices into <see cref="QuantileDistribution.Levels"/>: 0.5, 0.9, 0.95, 0.99.</summary>
    public static readonly int[] PeakLevelIndices = [2, 4, 5, 6];

    private readonly int[] _peakCovered = new int[PeakLevelIndices.Length];
    private int _meanCoveredP50;
    private int _meanCoveredP95;
    private double _pinball;
    private double _intervalScore;
    private double _realisedPeak;
    private double _statedP95;

    public TimeSpan Window { get; } = window;

    public Dimension Dimension { get; } = dimension;

    public int Count { get; private set; }

    public void Add(QuantileDistribution peak, QuantileDistribution mean, double realisedPeak, double realisedMean)
    {
        Count++;
        var pinball = 0.0;
        for (var i = 0; i < PeakLevelIndices.Length; i++)
        {
            var level = QuantileDistribution.Levels[PeakLevelIndices[i]];
            var q = peak.QuantileAt(PeakLevelIndices[i]);
            if (realisedPeak <= q)
            {
                _peakCovered[i]++;
            }

            pinball += realisedPeak >= q ? level * (realisedPeak - q) : (1 - level) * (q - realisedPeak);
        }

        _pinball += pinball / PeakLevelIndices.Length;

        // Interval score of the central 90 % interval [P05, P95] (Gneiting and Raftery 2007), in the series' unit.
        const double Alpha = 0.1;
        var lower = peak.QuantileAt(0);
        var upper = peak.P95;
        _intervalScore += (upper - lower)
            + (2 / Alpha * Math.Max(0, lower - realisedPeak))
            + (2 / Alpha * Math.Max(0, realisedPeak - upper));
        _realisedPeak += realisedPeak;
        _statedP95 += upper;
        _meanCoveredP50 += realisedMean <= mean.P50 ? 1 : 0;
        _meanCoveredP95 += realisedMean <= mean.P95 ? 1 : 0;
    }

    /// <summary>Gets the share of windows whose realised peak was at most the stated quantile, per level of <see cref="PeakLevelIndices"/>.</summary>
    public double PeakCoverage(int i) => Count == 0 ? double.NaN : (double)_peakCovered[i] / Count;

    /// <summary>Gets the mean pinball loss over the four peak levels, divided by the mean realised peak.</summary>
    public double ScaledPinball => _pinball / _realisedPeak;

    /// <summary>Gets the mean interval score of [P05, P95] of the peak, divided by the mean realised peak.</summary>
    public double ScaledIntervalScore => _intervalScore / _realisedPeak;

    /// <summary>Gets the mean stated P95 of the peak over the mean realised peak: how much capacity a 0.95 sizing holds.</summary>
    public double P95OverRealised => _statedP95 / _realisedPeak;

    public double MeanCoverageP50 => Count == 0 ? double.NaN : (double)_meanCoveredP50 / Count;

    public double MeanCoverageP95 => Count == 0 ? double.NaN : (double)_meanCoveredP95 / Count;

    public string Row(string windowLabel) => string.Create(CultureInfo.InvariantCulture,
        $"| {windowLabel} | {Dimension} | {Count} | {Pct(PeakCoverage(0))} | {Pct(PeakCoverage(1))} | {Pct(PeakCoverage(2))} | {Pct(PeakCoverage(3))} | {ScaledPinball:0.0000} | {ScaledIntervalScore:0.000} | {P95OverRealised:0.000} | {Pct(MeanCoverageP50)} | {Pct(MeanCoverageP95)} |");

    public const string Header =
        "| window | dimension | windows scored | peak ≤ P50 | peak ≤ P90 | peak ≤ P95 | peak ≤ P99 | peak pinball ÷ mean peak | peak IS90 ÷ mean peak | stated P95 ÷ realised peak | mean ≤ P50 | mean ≤ P95 |\n"
        + "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";

    private static string Pct(double share) =>
        double.IsNaN(share) ? "n/a" : (100 * share).ToString("0.0", CultureInfo.InvariantCulture) + " %";
}
