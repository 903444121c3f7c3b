namespace Shaping.Forecasting.Evaluation;

/// <summary>
/// The M4 competition's accuracy measures: sMAPE, MASE and OWA for point forecasts, MSIS and coverage for
/// prediction intervals, computed over spans without allocating.
/// </summary>
/// <remarks>
/// Definitions (Makridakis, Spiliotis and Assimakopoulos, 2020): for actual values y and forecasts f over a
/// horizon h, sMAPE = (200/h)·Σ|y − f|/(|y| + |f|) (a percentage, 0 to 200); MASE = ((1/h)·Σ|y − f|) / s with
/// s = (1/(n − m))·Σ_{t=m+1}^{n}|x_t − x_{t−m}| over the n in-sample values x; OWA = ½(sMAPE/sMAPE_Naive2 +
/// MASE/MASE_Naive2) with sMAPE and MASE averaged over all series first. For a 100(1 − α) % interval [L, U],
/// MSIS = (1/h)·Σ[(U − L) + (2/α)(L − y)·1{y &lt; L} + (2/α)(y − U)·1{y &gt; U}] / s, with the same scale s as
/// MASE; M4 scored 95 % intervals (α = 0.05) by MSIS and by the coverage's distance from 95 %.
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

    /// <summary>
    /// Computes the mean interval score of a central prediction interval (Gneiting and Raftery, 2007), the
    /// unscaled numerator of M4's MSIS: the interval's width plus 2/α times how far each outcome fell outside it.
    /// </summary>
    /// <param name="actual">The observed values over the horizon.</param>
    /// <param name="lower">The interval's lower bounds (the α/2 quantile), as many as <paramref name="actual"/>.</param>
    /// <param name="upper">The interval's upper bounds (the 1 − α/2 quantile), as many as <paramref name="actual"/>.</param>
    /// <param name="alpha">The interval's nominal miss rate α in (0, 1): 0.05 for a 95 % interval.</param>
    /// <returns>(1/h)·Σ[(U − L) + (2/α)(L − y)·1{y &lt; L} + (2/α)(y − U)·1{y &gt; U}], in the series' units; lower is
    /// better. A narrow interval that misses pays 2/α (40 for α = 0.05) per unit of miss, so the score rewards an
    /// interval only as narrow as its coverage allows.</returns>
    /// <exception cref="ArgumentException">The spans are empty or differ in length, a bound is not finite, or a
    /// lower bound is above its upper bound.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is not inside (0, 1).</exception>
    public static double IntervalScore(ReadOnlySpan<double> actual, ReadOnlySpan<double> lower, ReadOnlySpan<double> upper, double alpha)
    {
        CheckInterval(actual, lower, upper);
        if (!(alpha > 0 && alpha < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "The interval's miss rate alpha must be inside (0, 1).");
        }

        var penalty = 2.0 / alpha;
        var sum = 0.0;
        for (var i = 0; i < actual.Length; i++)
        {
            var y = actual[i];
            sum += upper[i] - lower[i];
            if (y < lower[i])
            {
                sum += penalty * (lower[i] - y);
            }
            else if (y > upper[i])
            {
                sum += penalty * (y - upper[i]);
            }
        }

        return sum / actual.Length;
    }

    /// <summary>
    /// Computes M4's mean scaled interval score: <see cref="IntervalScore"/> divided by the same in-sample scale as
    /// MASE (<see cref="MaseScale"/>), so that scores of series of different magnitudes can be averaged.
    /// </summary>
    /// <param name="insample">The history the forecast was made from (the training part).</param>
    /// <param name="actual">The observed values over the horizon.</param>
    /// <param name="lower">The interval's lower bounds (the α/2 quantile).</param>
    /// <param name="upper">The interval's upper bounds (the 1 − α/2 quantile).</param>
    /// <param name="seasonalPeriod">The seasonal period m used for the scale (24 for M4 hourly).</param>
    /// <param name="alpha">The interval's nominal miss rate α in (0, 1); M4 scored 95 % intervals, α = 0.05.</param>
    /// <returns>The MSIS (unitless; lower is better). When the scale is 0 the result is 0 for a zero score and
    /// <see cref="double.PositiveInfinity"/> otherwise, as for <see cref="Mase"/>.</returns>
    /// <exception cref="ArgumentException">The spans are empty or differ in length, a bound is not finite or crosses
    /// its pair, or the history has no more than m values.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seasonalPeriod"/> is below 1 or
    /// <paramref name="alpha"/> is not inside (0, 1).</exception>
    public static double Msis(
        ReadOnlySpan<double> insample,
        ReadOnlySpan<double> actual,
        ReadOnlySpan<double> lower,
        ReadOnlySpan<double> upper,
        int seasonalPeriod,
        double alpha)
    {
        var scale = MaseScale(insample, seasonalPeriod);
        var score = IntervalScore(actual, lower, upper, alpha);
        return score == 0 ? 0 : score / scale;
    }

    /// <summary>Computes the share of outcomes that fall inside their prediction interval (bounds included).</summary>
    /// <param name="actual">The observed values over the horizon.</param>
    /// <param name="lower">The interval's lower bounds, as many as <paramref name="actual"/>.</param>
    /// <param name="upper">The interval's upper bounds, as many as <paramref name="actual"/>.</param>
    /// <returns>The covered share in [0, 1]; a calibrated 95 % interval covers about 0.95. M4's absolute coverage
    /// difference is |this − 0.95|.</returns>
    /// <exception cref="ArgumentException">The spans are empty or differ in length, a bound is not finite, or a
    /// lower bound is above its upper bound.</exception>
    public static double Coverage(ReadOnlySpan<double> actual, ReadOnlySpan<double> lower, ReadOnlySpan<double> upper)
    {
        CheckInterval(actual, lower, upper);
        var inside = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            if (actual[i] >= lower[i] && actual[i] <= upper[i])
            {
                inside++;
            }
        }

        return (double)inside / actual.Length;
    }

    private static void CheckInterval(ReadOnlySpan<double> actual, ReadOnlySpan<double> lower, ReadOnlySpan<double> upper)
    {
        if (actual.IsEmpty)
        {
            throw new ArgumentException("At least one actual value is needed.", nameof(actual));
        }

        if (lower.Length != actual.Length)
        {
            throw new ArgumentException(
                $"The lower bounds have {lower.Length} values but the actual has {actual.Length}.", nameof(lower));
        }

        if (upper.Length != actual.Length)
        {
            throw new ArgumentException(
                $"The upper bounds have {upper.Length} values but the actual has {actual.Length}.", nameof(upper));
        }

        for (var i = 0; i < actual.Length; i++)
        {
            if (!double.IsFinite(lower[i]) || !double.IsFinite(upper[i]) || lower[i] > upper[i])
            {
                throw new ArgumentException(
                    $"The interval at step {i + 1}, [{lower[i]}, {upper[i]}], must have finite bounds in order.", nameof(lower));
            }
        }
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
