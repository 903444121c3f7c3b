namespace Shaping.Forecasting.Calibration;

/// <summary>
/// Online conformal calibration of a model's prediction intervals: widens or narrows the stated intervals so that
/// the share of observations they cover follows the target, whatever the model assumed about its errors.
/// </summary>
/// <remarks>
/// <para>
/// <b>Score.</b> For a stated interval [l, u] with half-width w = (u − l)/2 and an outcome y, the nonconformity
/// score is s = max(l − y, y − u) / w: negative inside the interval, 0 on its edge, and in half-widths beyond it
/// outside. Scaling by the width keeps the calibration valid when the model's intervals widen with the level or the
/// horizon (conformalised quantile regression, Romano et al. 2019, with a normalised score).
/// </para>
/// <para>
/// <b>Rolling quantile.</b> The calibrated interval is [l − q·w, u + q·w], where q is the ⌈(n+1)(1−α_t)⌉/n
/// empirical quantile of the last <see cref="Window"/> scores: q &gt; 0 widens the stated interval, q &lt; 0 narrows
/// it (never past its centre).
/// </para>
/// <para>
/// <b>Adaptive conformal inference</b> (Gibbs and Candès, 2021): the working miss rate α_t starts at the target
/// 1 − <see cref="Coverage"/> and moves after every outcome by α_{t+1} = α_t + γ(α − err_t), where err_t is 1 when
/// the calibrated interval missed and γ is <see cref="LearningRate"/>. Under distribution shift this keeps the
/// long-run miss rate within (max α_t − min α_t + γ)/(γT) of the target.
/// </para>
/// <para>
/// <b>Zero-width intervals</b> (what a model states for a constant series) carry no scale to measure an outcome in:
/// they are not scored and do not move α_t (an adjustment in half-widths cannot widen them, so their misses say
/// nothing about it), and <see cref="Calibrate"/> returns them unchanged; they still count in
/// <see cref="ObservedCoverage"/>. Scoring them against a tiny stand-in width let one such outcome dominate the
/// window (an adjustment of 10¹² half-widths, or infinity, applied to every later interval). For the same reason a
/// positive half-width is floored at 10⁻⁹ of the largest magnitude among the bounds and the outcome, so a score is
/// at most about 2·10⁹ and always finite.
/// </para>
/// <para>
/// Until <see cref="MinimumScores"/> outcomes have been seen, <see cref="Calibrate"/> returns the stated interval
/// unchanged. <see cref="Observe"/> is O(1); <see cref="Calibrate"/> sorts the window once after each observation
/// (O(n log n)) and is O(1) when called again before the next one.
/// </para>
/// <para><b>Thread safety:</b> not thread-safe; <see cref="Observe"/> mutates the state.</para>
/// </remarks>
public sealed class ConformalIntervalCalibrator
{
    private const double NarrowestScale = -0.999;
    private readonly double[] _scores;
    private readonly double[] _sorted;
    private int _next;
    private int _count;
    private bool _sortedValid;
    private double _alphaT;
    private long _observed;
    private long _covered;

    /// <summary>Creates a calibrator.</summary>
    /// <param name="coverage">The target coverage of the calibrated intervals, in (0, 1); 0.95 for a 95 % interval.</param>
    /// <param name="window">How many recent scores the quantile is taken over; at least 10. Longer windows are steadier,
    /// shorter ones follow changes faster.</param>
    /// <param name="learningRate">The adaptive step γ on the working miss rate, in [0, 1); 0 turns the adaptation off
    /// (plain split-conformal on a rolling window).</param>
    /// <param name="minimumScores">Outcomes needed before the intervals are adjusted; at least 1 and at most
    /// <paramref name="window"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public ConformalIntervalCalibrator(double coverage, int window = 500, double learningRate = 0.005, int minimumScores = 20)
    {
        if (!(coverage > 0 && coverage < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(coverage), coverage, "Coverage must be inside (0, 1).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(window, 10);
        if (!(learningRate >= 0 && learningRate < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be in [0, 1).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(minimumScores, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minimumScores, window);
        Coverage = coverage;
        Window = window;
        LearningRate = learningRate;
        MinimumScores = minimumScores;
        _scores = new double[window];
        _sorted = new double[window];
        _alphaT = 1 - coverage;
    }

    /// <summary>Gets the target coverage, in (0, 1).</summary>
    public double Coverage { get; }

    /// <summary>Gets the number of recent scores the quantile is taken over.</summary>
    public int Window { get; }

    /// <summary>Gets the adaptive step γ on the working miss rate.</summary>
    public double LearningRate { get; }

    /// <summary>Gets how many outcomes are needed before intervals are adjusted.</summary>
    public int MinimumScores { get; }

    /// <summary>Gets the working miss rate α_t the next calibration uses (it starts at 1 − <see cref="Coverage"/>).</summary>
    public double WorkingMissRate => _alphaT;

    /// <summary>Gets the number of outcomes observed so far.</summary>
    public long ObservationCount => _observed;

    /// <summary>Gets the share of observed outcomes the calibrated intervals covered, in [0, 1]; NaN before the first.</summary>
    public double ObservedCoverage => _observed == 0 ? double.NaN : (double)_covered / _observed;

    /// <summary>
    /// Gets the current adjustment q, in stated half-widths: positive widens, negative narrows; 0 before
    /// <see cref="MinimumScores"/> outcomes.
    /// </summary>
    public double Adjustment
    {
        get
        {
            if (_count < MinimumScores)
            {
                return 0;
            }

            if (!_sortedValid)
            {
                Array.Copy(_scores, _sorted, _count);
                Array.Sort(_sorted, 0, _count);
                _sortedValid = true;
            }

            double q;
            if (_alphaT <= 0)
            {
                q = _sorted[_count - 1];
            }
            else if (_alphaT >= 1)
            {
                q = _sorted[0];
            }
            else
            {
                var rank = (int)Math.Ceiling((_count + 1) * (1 - _alphaT));
                q = _sorted[Math.Clamp(rank, 1, _count) - 1];
            }

            return Math.Max(q, NarrowestScale);
        }
    }

    /// <summary>Applies the current adjustment to a stated interval.</summary>
    /// <param name="stated">The model's interval at the target coverage, in the series' unit.</param>
    /// <returns>The calibrated interval; not floored, so clamp it yourself where the quantity cannot be negative.</returns>
    /// <exception cref="ArgumentException">A bound is not finite or the upper bound is below the lower one.</exception>
    public IntervalBounds Calibrate(IntervalBounds stated)
    {
        Validate(stated);
        if (stated.Upper == stated.Lower)
        {
            return stated; // no width to scale
        }

        // Scaled by the interval's own half-width: the floored one that Observe divides by could exceed it, and a
        // narrowing adjustment would then push the bounds past each other.
        var q = Adjustment;
        var half = (0.5 * stated.Upper) - (0.5 * stated.Lower); // halved first: Upper - Lower may overflow
        var lower = stated.Lower - (q * half);
        var upper = stated.Upper + (q * half);
        if (lower > upper)
        {
            // Rounding at a large magnitude can still cross them by an ulp: meet at the centre.
            var centre = (0.5 * stated.Lower) + (0.5 * stated.Upper);
            return new IntervalBounds(centre, centre);
        }

        return new IntervalBounds(lower, upper);
    }

    /// <summary>
    /// Records the outcome of a step: the interval the model stated for it (before calibration) and the value that
    /// came. Updates the score window, the working miss rate and the observed coverage of the calibrated interval.
    /// </summary>
    /// <param name="stated">The model's interval for the step, as passed to <see cref="Calibrate"/>.</param>
    /// <param name="actual">The observed value, in the series' unit.</param>
    /// <exception cref="ArgumentException">A bound or the value is not finite, or the upper bound is below the lower one.</exception>
    public void Observe(IntervalBounds stated, double actual)
    {
        Validate(stated);
        if (!double.IsFinite(actual))
        {
            throw new ArgumentException($"The observed value {actual} must be finite.", nameof(actual));
        }

        var calibrated = Calibrate(stated);
        var miss = calibrated.Contains(actual) ? 0.0 : 1.0;
        _observed++;
        if (miss == 0)
        {
            _covered++;
        }

        if (stated.Upper == stated.Lower)
        {
            return; // a zero-width interval has no scale: not scored, and its miss says nothing about the adjustment
        }

        if (_count >= MinimumScores)
        {
            _alphaT += LearningRate * (1 - Coverage - miss);
        }

        var half = HalfWidth(stated, actual);
        _scores[_next] = Math.Max(stated.Lower - actual, actual - stated.Upper) / half;
        _next = _next + 1 == Window ? 0 : _next + 1;
        _count = Math.Min(_count + 1, Window);
        _sortedValid = false;
    }

    // The half-width of a positive-width interval, floored at 1e-9 of the largest magnitude among its bounds and the
    // outcome, so a score |y - bound| / w is at most about 2e9 and never overflows.
    private static double HalfWidth(IntervalBounds stated, double actual)
    {
        var half = (0.5 * stated.Upper) - (0.5 * stated.Lower); // halved first: Upper - Lower may overflow
        var magnitude = Math.Max(Math.Max(Math.Abs(stated.Lower), Math.Abs(stated.Upper)), Math.Abs(actual));
        return Math.Max(half, 1e-9 * magnitude);
    }

    private static void Validate(IntervalBounds stated)
    {
        if (!double.IsFinite(stated.Lower) || !double.IsFinite(stated.Upper) || stated.Upper < stated.Lower)
        {
            throw new ArgumentException(
                $"The interval [{stated.Lower}, {stated.Upper}] must have finite bounds in order.", nameof(stated));
        }
    }
}
