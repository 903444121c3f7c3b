namespace Shaping.Forecasting.Models;

/// <summary>
/// One member of the ETS (error, trend, season) family of Hyndman, Koehler, Ord and Snyder (2008), for example
/// ETS(M,Ad,M): multiplicative error, damped additive trend, multiplicative season.
/// </summary>
/// <param name="Error">The error type.</param>
/// <param name="Trend">The trend type.</param>
/// <param name="Season">The season type.</param>
public readonly record struct EtsSpecification(EtsErrorType Error, EtsTrendType Trend, EtsSeasonType Season)
{
    /// <summary>
    /// Gets whether the specification is one that R's <c>forecast::ets</c> considers by default: additive error
    /// with a multiplicative season is excluded as numerically unstable (and multiplicative trends are not
    /// part of this family at all).
    /// </summary>
    public bool IsStable => !(Error == EtsErrorType.Additive && Season == EtsSeasonType.Multiplicative);

    /// <summary>Gets whether the model needs strictly positive data (a multiplicative error or season).</summary>
    public bool NeedsPositiveData => Error == EtsErrorType.Multiplicative || Season == EtsSeasonType.Multiplicative;

    /// <summary>
    /// Gets whether the model is linear (class 1 of Hyndman et al. 2008, chapter 6): additive error, no
    /// multiplicative component, so its forecast distribution is Gaussian with a closed-form variance.
    /// </summary>
    public bool IsLinear => Error == EtsErrorType.Additive && Season != EtsSeasonType.Multiplicative;

    /// <summary>Gets the usual short name, for example <c>ETS(M,Ad,M)</c>.</summary>
    /// <returns>The name.</returns>
    public override string ToString()
    {
        var error = Error == EtsErrorType.Additive ? "A" : "M";
        var trend = Trend switch
        {
            EtsTrendType.Additive => "A",
            EtsTrendType.AdditiveDamped => "Ad",
            _ => "N",
        };
        var season = Season switch
        {
            EtsSeasonType.Additive => "A",
            EtsSeasonType.Multiplicative => "M",
            _ => "N",
        };
        return $"ETS({error},{trend},{season})";
    }
}
