using System.Globalization;

namespace Shaping.Forecasting.Models.Arima;

/// <summary>
/// The orders of a seasonal ARIMA(p,d,q)(P,D,Q)m model and whether it carries a constant: a mean when nothing is
/// differenced, a drift when the differencing order d + D is 1 (the constant of the differenced series).
/// </summary>
/// <param name="Ar">p, the non-seasonal autoregressive order; 0 or more.</param>
/// <param name="Differences">d, how many times the series is differenced at lag 1; 0 to 2.</param>
/// <param name="Ma">q, the non-seasonal moving-average order; 0 or more.</param>
/// <param name="SeasonalAr">P, the seasonal autoregressive order (lags m, 2m, …); 0 or more.</param>
/// <param name="SeasonalDifferences">D, how many times the series is differenced at lag m; 0 or 1.</param>
/// <param name="SeasonalMa">Q, the seasonal moving-average order; 0 or more.</param>
/// <param name="IncludeConstant">Whether the differenced series has a non-zero mean (estimated).</param>
public sealed record ArimaSpecification(int Ar, int Differences, int Ma, int SeasonalAr, int SeasonalDifferences, int SeasonalMa, bool IncludeConstant)
{
    /// <summary>Gets p, the non-seasonal autoregressive order.</summary>
    public int Ar { get; } = Ar is >= 0 and <= 100 ? Ar : throw new ArgumentOutOfRangeException(nameof(Ar), Ar, "p must be in [0, 100].");

    /// <summary>Gets d, the number of lag-1 differences.</summary>
    public int Differences { get; } = Differences is >= 0 and <= 2 ? Differences : throw new ArgumentOutOfRangeException(nameof(Differences), Differences, "d must be in [0, 2].");

    /// <summary>Gets q, the non-seasonal moving-average order.</summary>
    public int Ma { get; } = Ma is >= 0 and <= 100 ? Ma : throw new ArgumentOutOfRangeException(nameof(Ma), Ma, "q must be in [0, 100].");

    /// <summary>Gets P, the seasonal autoregressive order.</summary>
    public int SeasonalAr { get; } = SeasonalAr is >= 0 and <= 10 ? SeasonalAr : throw new ArgumentOutOfRangeException(nameof(SeasonalAr), SeasonalAr, "P must be in [0, 10].");

    /// <summary>Gets D, the number of lag-m differences.</summary>
    public int SeasonalDifferences { get; } = SeasonalDifferences is >= 0 and <= 1 ? SeasonalDifferences : throw new ArgumentOutOfRangeException(nameof(SeasonalDifferences), SeasonalDifferences, "D must be 0 or 1.");

    /// <summary>Gets Q, the seasonal moving-average order.</summary>
    public int SeasonalMa { get; } = SeasonalMa is >= 0 and <= 10 ? SeasonalMa : throw new ArgumentOutOfRangeException(nameof(SeasonalMa), SeasonalMa, "Q must be in [0, 10].");

    /// <summary>Gets the number of estimated ARMA coefficients and constant (σ² not counted).</summary>
    public int CoefficientCount => Ar + Ma + SeasonalAr + SeasonalMa + (IncludeConstant ? 1 : 0);

    /// <summary>Formats the specification as R prints it, for example <c>ARIMA(0,1,1)(0,1,1)[12]</c>.</summary>
    /// <param name="seasonalPeriod">The seasonal period m; with m = 1 or no seasonal part only (p,d,q) is printed.</param>
    /// <returns>The model's name.</returns>
    public string ToString(int seasonalPeriod)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"ARIMA({Ar},{Differences},{Ma})");
        if (seasonalPeriod > 1 && (SeasonalAr + SeasonalDifferences + SeasonalMa) > 0)
        {
            text += string.Create(CultureInfo.InvariantCulture, $"({SeasonalAr},{SeasonalDifferences},{SeasonalMa})[{seasonalPeriod}]");
        }

        if (IncludeConstant)
        {
            text += Differences + SeasonalDifferences == 0 ? " with mean" : " with drift";
        }

        return text;
    }

    /// <inheritdoc/>
    public override string ToString() => ToString(1);
}
