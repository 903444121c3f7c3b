namespace Shaping.Forecasting.Evaluation;

/// <summary>
/// The M4 competition's accuracy measures: sMAPE, MASE and OWA, computed over spans without allocating.
/// </summary>
/// <remarks>
/// Definitions (Makridakis, Spiliotis and Assimakopoulos, 2020): for actual values y and forecasts f over a
/// horizon h, sMAPE = (200/h)·Σ|y − f|/(|y| + |f|) (a percentage, 0 to 200); MASE = ((1/h)·Σ|y − f|) / s with
/// s = (1/(n − m))·Σ_{t=m+1}^{n}|x_t − x_{t−m}| over the n in-sample values x; OWA = ½(sMAPE/sMAPE_Naive2 +
/// MASE/MASE_Naive2) with sMAPE and MASE averaged over all series first.
/// </remarks>
public static class ForecastMetrics
{
    /// <summary>The published Naive2 sMAPE on the 414 M4 hourly series (percent), the OWA reference.</summary>
    public const double M4HourlyNaive2Smape = 18.383;

    /// <summary>The published Naive2 MASE on the 414 M4 hourly series, the OWA reference.</summary>
    public const double M4HourlyNaive2Mase = 2.395;

    /// <summary>Computes the symmetric mean absolute percentage error, in percent (0 to 200).</summary>
    /// <param name="actual">The observed values over the horizon.</param>
    /// <param name="forecast">The forecasts, as many as <paramref name="actual"/>.</param>
    /// <returns>The sMAPE in percent. A step where both the actual and the forecast are 0 counts as no error
    /// (M4 data has no zeros, so the definition leaves this case open).</returns>
    /// <exception cref="ArgumentException">The spans are empty or differ in length.</exception>
    public static double Smape(ReadOnlySpan<double> actual, ReadOnlySpan<double> forecast)
    {
        CheckPair(actual, forecast);
        var sum = 0.0;
        for (var i = 0; i < actual.Length; i++)
        {
            var denominator = Math.Abs(actual[i]) + Math.Abs(forecast[i]);
            if (denominator > 0)
            {
                sum += Math.Abs(actual[i] - forecast[i]) / denominator;
            }
        }

        return 200.0 * sum / actual.Length;
    }

    /// <summary>Computes the mean absolute error.</summary>
    /// <param name="actual">The observed values over the horizon.</param>
    /// <param name="forecast">The forecasts, as many as <paramref name="actual"/>.</param>
    /// <returns>The mean of |actual − forecast|, in the series' units.</returns>
    /// <exception cref="ArgumentException">The spans are empty or differ in length.</exception>
    public static double MeanAbsoluteError(ReadOnlySpan<double> actual, ReadOnlySpan<double> forecast)
    {
        CheckPair(actual, forecast);
        var sum = 0.0;
        for (var i = 0; i < actual.Length; i++)
        {
            sum += Math.Abs(actual[i] - forecast[i]);
        }

        return sum / actual.Length;
    }

    /// <summary>
    /// Computes MASE's scale: the in-sample mean absolute error of the seasonal naive forecast,
    /// (1/(n − m))·Σ_{t=m+1}^{n}|x_t − x_{t−m}|.
    /// </summary>
    /// <param name="insample">The history the forecast was made from (the training part).</param>
    /// <param name="seasonalPeriod">The seasonal period m (24 for M4 hourly); 1 scales by the naive forecast.</param>
    /// <returns>The scale, in the series' units; 0 for a history that repeats exactly every m steps.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seasonalPeriod"/> is below 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="insample"/> has no more than m values.</exception>
    public static double MaseScale(ReadOnlySpan<double> insample, int seasonalPeriod)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seasonalPeriod, 1);
        if (insample.Length <= seasonalPeriod)
        {
            throw new ArgumentException(
                $"The in-sample part needs more than {seasonalPeriod} values to scale MASE; it has {insample.Length}.",
                nameof(insample));
        }

        var sum = 0.0;
        for (var t = seasonalPeriod; t < insample.Length; t++)
        {
            sum += Math.Abs(insample[t] - insample[t - seasonalPeriod]);
        }

        return sum / (insample.Length - seasonalPeriod);
    }

    /// <summary>Computes the mean absolute scaled error with M4's seasonal scaling.</summary>
    /// <param name="insample">The history the forecast was made from.</param>
    /// <param name="actual">The observed values over the horizon.</param>
    /// <param name="forecast">The forecasts, as many as <paramref name="actual"/>.</param>
    /// <param name="seasonalPeriod">The seasonal period m used for the scale.</param>
    /// <returns>The MASE (unitless). When the scale is 0 the result is 0 for a perfect forecast and
    /// <see cref="double.PositiveInfinity"/> otherwise.</returns>
    /// <exception cref="ArgumentException">The spans are empty or differ in length, or the history is too short.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seasonalPeriod"/> is below 1.</exception>
    public static double Mase(ReadOnlySpan<double> insample, ReadOnlySpan<double> actual, ReadOnlySpan<double> forecast, int seasonalPeriod)
    {
        var scale = MaseScale(insample, seasonalPeriod);
        var mae = MeanAbsoluteError(actual, forecast);
        return mae == 0 ? 0 : mae / scale;
    }

    /// <summary>Computes the overall weighted average of sMAPE and MASE relative to Naive2, as M4 ranks methods.</summary>
    /// <param name="smape">The method's sMAPE averaged over the series, in percent.</param>
    /// <param name="mase">The method's MASE averaged over the series.</param>
    /// <param name="naive2Smape">Naive2's sMAPE on the same series (18.383 for M4 hourly).</param>
    /// <param name="naive2Mase">Naive2's MASE on the same series (2.395 for M4 hourly).</param>
    /// <returns>½(sMAPE/naive2Smape + MASE/naive2Mase); below 1 beats Naive2.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A reference value is not finite and positive.</exception>
    public static double Owa(double smape, double mase, double naive2Smape, double naive2Mase)
    {
        if (!(naive2Smape > 0) || !double.IsFinite(naive2Smape))
        {
            throw new ArgumentOutOfRangeException(nameof(naive2Smape), naive2Smape, "The Naive2 sMAPE must be finite and positive.");
        }

        if (!(naive2Mase > 0) || !double.IsFinite(naive2Mase))
        {
            throw new ArgumentOutOfRangeException(nameof(naive2Mase), naive2Mase, "The Naive2 MASE must be finite and positive.");
        }

        return 0.5 * ((smape / naive2Smape) + (mase / naive2Mase));
    }

    private static void CheckPair(ReadOnlySpan<double> actual, ReadOnlySpan<double> forecast)
    {
        if (actual.IsEmpty)
        {
            throw new ArgumentException("At least one actual value is needed.", nameof(actual));
        }

        if (forecast.Length != actual.Length)
        {
            throw new ArgumentException(
                $"The forecast has {forecast.Length} values but the actual has {actual.Length}.", nameof(forecast));
        }
    }
}
