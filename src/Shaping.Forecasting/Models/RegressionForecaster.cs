using MathNet.Numerics.LinearAlgebra;

namespace Shaping.Forecasting.Models;

/// <summary>
/// Dynamic regression for load: a piecewise-linear trend, Fourier terms for one or more seasonal periods and
/// regressors for known events, fitted by ridge regression, with an AR(1) model of the residuals for the short-term
/// correction, the intervals and the sample paths.
/// </summary>
/// <remarks>
/// <para>
/// <b>Regressors.</b> An intercept; time t/n (n the history length); <see cref="ChangePoints"/> hinges
/// max(0, t/n − c_k) with c_k evenly spaced over the first 90 % of the history (a slope change at each, as in
/// Prophet); sin and cos of 2πkt/P for k = 1…min(<see cref="Harmonics"/>, ⌊P/2⌋) for each period P (frequencies
/// shared by two periods, such as the weekly 7th and the daily 1st harmonic, enter once); and for each event name
/// of an <see cref="EventTimeline"/> the share of the step the event covers.
/// </para>
/// <para>
/// <b>Fit.</b> β = (XᵀX + nΛ)⁻¹Xᵀz by MathNet's Cholesky decomposition, where z is log y when every value is
/// positive and <see cref="LogTransform"/> is set (multiplicative seasonality and event effects), y otherwise. Λ is
/// diagonal: 0 for the intercept and the slope, <see cref="ChangePointPenalty"/> for the hinges (damping trend
/// changes that the data barely support), <see cref="SeasonalPenalty"/> for the Fourier terms and
/// <see cref="EventPenalty"/> for the events.
/// </para>
/// <para>
/// <b>Short histories.</b> The fit uses at most max(1, n/2) coefficients, so that it cannot interpolate the history:
/// when the regressors above are more, change points are dropped first, then the highest harmonics (of every period),
/// then the slope (a history of fewer than four points is fitted as its mean). Event regressors are always kept.
/// </para>
/// <para>
/// <b>Residuals.</b> r_t = z_t − x_tβ follows r_t = φr_{t−1} + e_t with φ the lag-1 autocorrelation (clamped to
/// [0, 0.99]) and e ~ N(0, σ²). The h-step forecast is x_{n+h}β + φʰr_n, with variance σ²(1 − φ^{2h})/(1 − φ²);
/// on the log scale the forecast is the median exp(·) and quantiles are exact under the model. Paths simulate the
/// AR(1). <see cref="IForecastModel.Update"/> moves the origin one step and updates r_n in O(p) without allocating;
/// on the log scale an observation of 0 (whose log is −∞) is taken as 10⁻⁹ × min(1, the history's smallest value), so
/// as 10⁻⁹ for a series whose values are at least 1, and never as a value the history reaches.
/// </para>
/// <para><b>Default periods:</b> m, and 7m when the history holds at least two such cycles (24 and 168 for hourly
/// data with seasonal period 24).</para>
/// <para><b>Thread safety:</b> the forecaster is stateless after configuration and thread-safe; the models are not.</para>
/// </remarks>
public sealed class RegressionForecaster : IForecaster
{
    /// <summary>Gets the method's short name, <c>Regression</c>.</summary>
    public string Name => "Regression";

    /// <summary>Gets or initialises the seasonal periods, in steps, each at least 2; <see langword="null"/> for the default (m and 7m).</summary>
    public IReadOnlyList<int>? SeasonalPeriods { get; init; }

    /// <summary>Gets or initialises the most Fourier harmonics per period.</summary>
    /// <value>The default value is 10.</value>
    public int Harmonics { get; init; } = 10;

    /// <summary>Gets or initialises the number of trend change points.</summary>
    /// <value>The default value is 10.</value>
    public int ChangePoints { get; init; } = 10;

    /// <summary>Gets or initialises the ridge penalty on the change-point slope changes, per observation.</summary>
    /// <value>The default value is 0.01.</value>
    public double ChangePointPenalty { get; init; } = 0.01;

    /// <summary>Gets or initialises the ridge penalty on the Fourier coefficients, per observation.</summary>
    /// <value>The default value is 0.0001.</value>
    public double SeasonalPenalty { get; init; } = 1e-4;

    /// <summary>Gets or initialises the ridge penalty on the event effects, per observation.</summary>
    /// <value>The default value is 0.0001.</value>
    public double EventPenalty { get; init; } = 1e-4;

    /// <summary>Gets or initialises whether a positive history is modelled on the log scale (multiplicative effects).</summary>
    /// <remarks>Off by default: on the M4 hourly series the log scale scored a better sMAPE but a worse MASE, because
    /// an extrapolated log trend grows exponentially (OWA 0.867 against 0.789 on every fourth series).</remarks>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool LogTransform { get; init; }

    /// <inheritdoc />
    public IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default) =>
        FitCore(history, seasonalPeriod, timeline: null, cancellationToken);

    /// <summary>Fits a model with known events: past occurrences estimate each event's effect, future ones are forecast with it.</summary>
    /// <param name="history">The observations, oldest first, equally spaced; finite and non-negative.</param>
    /// <param name="seasonalPeriod">The main seasonal period m in steps; 1 for none.</param>
    /// <param name="timeline">Where the history sits in time (the start of its first step, the step length) and the known events.</param>
    /// <param name="cancellationToken">Cancels the fit.</param>
    /// <returns>The fitted model.</returns>
    /// <exception cref="ArgumentException">The history is empty or holds a NaN, infinite or negative value.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seasonalPeriod"/> is below 1, or a setting is out of range.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="timeline"/> is <see langword="null"/>.</exception>
    public IForecastModel FitWithEvents(ReadOnlySpan<double> history, int seasonalPeriod, EventTimeline timeline, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        return FitCore(history, seasonalPeriod, timeline, cancellationToken);
    }

    private RegressionModel FitCore(ReadOnlySpan<double> history, int seasonalPeriod, EventTimeline? timeline, CancellationToken cancellationToken)
    {
        BaselineMath.ValidateHistory(history, seasonalPeriod, nameof(history), nameof(seasonalPeriod));
        ArgumentOutOfRangeException.ThrowIfNegative(Harmonics);
        ArgumentOutOfRangeException.ThrowIfNegative(ChangePoints);
        ArgumentOutOfRangeException.ThrowIfNegative(ChangePointPenalty);
        ArgumentOutOfRangeException.ThrowIfNegative(SeasonalPenalty);
        ArgumentOutOfRangeException.ThrowIfNegative(EventPenalty);
        foreach (var period in SeasonalPeriods ?? [])
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(period, 2, nameof(SeasonalPeriods));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var n = history.Length;
        var smallest = Min(history);
        var useLog = LogTransform && smallest > 0;
        var z = new double[n];
        for (var t = 0; t < n; t++)
        {
            z[t] = useLog ? Math.Log(history[t]) : history[t];
        }

        var periods = SeasonalPeriods ?? DefaultPeriods(seasonalPeriod, n);
        var design = FitDesign(n, periods, timeline);
        var p = design.ColumnCount;
        var penalty = design.Penalties(ChangePointPenalty, SeasonalPenalty, EventPenalty);

        var gram = Matrix<double>.Build.Dense(p, p);
        var rhs = Vector<double>.Build.Dense(p);
        var row = new double[p];
        var gramArray = new double[p, p];
        for (var t = 0; t < n; t++)
        {
            design.Row(t, row);
            for (var i = 0; i < p; i++)
            {
                var xi = row[i];
                if (xi == 0)
                {
                    continue;
                }

                rhs[i] += xi * z[t];
                for (var j = 0; j <= i; j++)
                {
                    gramArray[i, j] += xi * row[j];
                }
            }
        }

        for (var i = 0; i < p; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                gram[i, j] = gramArray[i, j];
                gram[j, i] = gramArray[i, j];
            }

            // A tiny ridge on every column keeps a column that is all zero (an event never seen) solvable.
            gram[i, i] += (n * penalty[i]) + 1e-9;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var beta = gram.Cholesky().Solve(rhs).ToArray();

        var residuals = new double[n];
        for (var t = 0; t < n; t++)
        {
            design.Row(t, row);
            residuals[t] = z[t] - Dot(row, beta);
        }

        var (phi, sigma2) = FitAr1(residuals);
        // The log-scale update's floor: 1e-9, or a billionth of the smallest value for a series with values below 1
        // (at least double.Epsilon, so that its log is finite for a subnormal series).
        var logFloor = Math.Max(1e-9 * Math.Min(1, smallest), double.Epsilon);
        return new RegressionModel(design, beta, useLog, logFloor, phi, sigma2, residuals[^1], seasonalPeriod, n);
    }

    /// <summary>
    /// The design for a history of <paramref name="n"/> steps, trimmed to at most max(1, n/2) coefficients: change
    /// points go first, then the highest harmonics, then the slope. A design with as many coefficients as observations
    /// interpolates the history, leaving residuals of zero and so zero-width intervals around an arbitrary extrapolation.
    /// </summary>
    private RegressionDesign FitDesign(int n, IReadOnlyList<int> periods, EventTimeline? timeline)
    {
        var budget = Math.Max(1, n / 2);
        var changePoints = Math.Min(ChangePoints, Math.Max(0, (n / 4) - 1));
        var harmonics = Harmonics;
        var design = new RegressionDesign(n, changePoints, periods, harmonics, timeline);
        while (design.ParameterCount > budget && changePoints > 0)
        {
            design = new RegressionDesign(n, --changePoints, periods, harmonics, timeline);
        }

        while (design.ParameterCount > budget && harmonics > 0)
        {
            design = new RegressionDesign(n, changePoints, periods, --harmonics, timeline);
        }

        return design.ParameterCount > budget ? new RegressionDesign(n, changePoints, periods, harmonics, timeline, trend: false) : design;
    }

    private static IReadOnlyList<int> DefaultPeriods(int m, int n) =>
        m <= 1 ? [] : n >= 2 * 7 * m ? [m, 7 * m] : [m];

    private static double Min(ReadOnlySpan<double> x)
    {
        var min = double.PositiveInfinity;
        foreach (var v in x)
        {
            min = Math.Min(min, v);
        }

        return min;
    }

    internal static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var s = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }

    private static (double Phi, double Sigma2) FitAr1(double[] r)
    {
        var n = r.Length;
        var c0 = 0.0;
        var c1 = 0.0;
        for (var t = 0; t < n; t++)
        {
            c0 += r[t] * r[t];
            if (t > 0)
            {
                c1 += r[t] * r[t - 1];
            }
        }

        var phi = c0 > 0 ? Math.Clamp(c1 / c0, 0, 0.99) : 0;
        var sum = 0.0;
        for (var t = 1; t < n; t++)
        {
            var e = r[t] - (phi * r[t - 1]);
            sum += e * e;
        }

        return (phi, n > 1 ? sum / (n - 1) : 0);
    }
}
