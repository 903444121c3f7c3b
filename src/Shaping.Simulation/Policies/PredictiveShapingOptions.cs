using Shaping.Core.Resources;
using Shaping.Forecasting;

namespace Shaping.Simulation.Policies;

/// <summary>
/// Settings of <see cref="PredictiveShapingPolicy"/>: how it forecasts, how much safety it keeps and how readily it
/// moves. The defaults are the single configuration used on every trace of <c>docs/backtest.md</c>.
/// </summary>
/// <remarks>
/// Values are checked when the policy is created; a bad value throws <see cref="ArgumentOutOfRangeException"/>
/// naming the setting.
/// </remarks>
public sealed class PredictiveShapingOptions
{
    /// <summary>Gets the forecaster fitted to each dimension's per-bucket peak series.</summary>
    /// <value>The default is <see langword="null"/>: a validated selection (on the last 48 buckets, 24–47 in the week
    /// after the weekly candidate joins) between seasonal
    /// naive and AutoEts at <see cref="SeasonalPeriod"/>, joined by seasonal naive at a week (168 of the default
    /// one-hour buckets) once the history fitted holds a week + 25 buckets; seasonal naive comes first, so it wins ties
    /// and short histories.</value>
    public IForecaster? Forecaster { get; init; }

    /// <summary>
    /// Gets the length of the buckets the demand is aggregated into before forecasting (the maximum over each bucket
    /// is forecast). Shorter than the trace's step means one step per bucket.
    /// </summary>
    /// <value>The default value is one hour, so a daily season is 24 buckets, within what AutoEts fits.</value>
    public TimeSpan BucketLength { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Gets the seasonal period handed to the forecaster, in buckets of <see cref="BucketLength"/>. A bucket is a whole
    /// number of the trace's steps (the nearest to <see cref="BucketLength"/>, at least one), so when the step does not
    /// divide <see cref="BucketLength"/> the forecaster is handed the same span in those buckets, rounded: 23 buckets
    /// of 63 minutes for a 7-minute step, 16 of 90 minutes for a 90-minute step.
    /// </summary>
    /// <value>The default value is 24 (one day of one-hour buckets).</value>
    public int SeasonalPeriod { get; init; } = 24;

    /// <summary>
    /// Gets how much history the policy needs before it trusts forecasts. Before that it provisions for the highest
    /// demand seen so far plus <see cref="WarmUpMargin"/>, a conservative fallback.
    /// </summary>
    /// <value>The default value is two days.</value>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromDays(2);

    /// <summary>
    /// Gets the largest extra capacity during warm-up, as a fraction of the highest demand seen so far. Once the
    /// dimension has a dozen one-step rises of its own (from non-zero demand), the margin is their
    /// <see cref="ForecastQuantile"/> (or the last step's own rise, if larger) when that is smaller, so smooth demand
    /// warms up with less room than demand that jumps.
    /// </summary>
    /// <value>The default value is 0.25.</value>
    public double WarmUpMargin { get; init; } = 0.25;

    /// <summary>Gets how often the forecast models are refitted; between refits they absorb each bucket online.</summary>
    /// <value>The default value is seven days: refits are the costly part of a backtest, and the online updates follow the series in between.</value>
    public TimeSpan RefitInterval { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Gets the most recent history a refit uses (older buckets are left out, which keeps refits fast and adaptive).</summary>
    /// <value>The default value is 21 days.</value>
    public TimeSpan FitWindow { get; init; } = TimeSpan.FromDays(21);

    /// <summary>
    /// Gets the window of past forecast errors that calibrates the upper bound (split-conformal style): per position
    /// within the bucket, the bound is the forecast base times the <see cref="ForecastQuantile"/> of the observed
    /// ratios demand ÷ forecast base at that position. The same window holds the one-step rises that set the floor's and
    /// the warm-up's margins, the rises of bucket peaks that set the cap's margin (see <see cref="CapMargin"/>), the
    /// step profile's shares, and the peak the two-step floor may climb to.
    /// </summary>
    /// <value>The default value is seven days.</value>
    public TimeSpan CalibrationWindow { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Gets the quantile of the calibration ratios used for the upper bound, in (0, 1].</summary>
    /// <value>The default value is 0.99.</value>
    public double ForecastQuantile { get; init; } = 0.99;

    /// <summary>
    /// Gets the quantile, over the calibration window, of each step's share of its bucket's peak at the same
    /// position within the bucket, in (0, 1]: the step profile inside a bucket. It lets the policy shrink between
    /// spikes that recur at the same position of every bucket; the calibration then covers the profile's errors.
    /// </summary>
    /// <value>The default value is 0.5 (the median share).</value>
    public double PhaseQuantile { get; init; } = 0.5;

    /// <summary>
    /// Gets the reactive floor's largest margin: whatever the forecast says, the policy provisions at least the last
    /// observed demand times (1 + a margin), eased only where the step profile says demand falls from the last position
    /// to the next. The margin is this value until the dimension has a dozen one-step rises of its own;
    /// then it is the <see cref="ForecastQuantile"/> of the demand's one-step rises over the <see cref="CalibrationWindow"/> (or the last
    /// step's rise, if larger) when that is smaller (smooth demand needs less room for its next step than demand that
    /// jumps). After a one-step jump (from non-zero demand) that, divided by the growth the step profile expects for
    /// that step, still exceeds 1 + this value, a second, uneased floor allows that rise once more, up to the highest
    /// demand of the <see cref="CalibrationWindow"/>.
    /// </summary>
    /// <value>The default value is 0.15.</value>
    public double FloorMargin { get; init; } = 0.15;

    /// <summary>
    /// Gets the largest margin of the cap on the forecast bound: it never exceeds the highest demand of the last
    /// <see cref="CapWindow"/> times (1 + a margin), so one flash crowd that a seasonal model would repeat, or a
    /// calibration ratio inflated by it, cannot keep the service oversized for days. The margin is the <see
    /// cref="ForecastQuantile"/> of how far recent bucket peaks rose above the highest demand of the <see
    /// cref="CapWindow"/> before them (over the <see cref="CalibrationWindow"/>), or the same bucket's rise a week
    /// before if larger, and at most this value (this value until a dozen buckets whose window before them had demand
    /// are counted). The reactive floor still applies.
    /// </summary>
    /// <value>The default value is 0.25.</value>
    public double CapMargin { get; init; } = 0.25;

    /// <summary>Gets the window whose highest demand caps the forecast bound (see <see cref="CapMargin"/>).</summary>
    /// <value>The default value is one day.</value>
    public TimeSpan CapWindow { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Gets the headroom the selector adds above the requirement, as a fraction.</summary>
    /// <value>The default value is 0.05.</value>
    public double Headroom { get; init; } = 0.05;

    /// <summary>Gets the selector's cost/performance trade-off, in [0, 1]: 0 picks the cheapest feasible configuration.</summary>
    /// <value>The default value is 0.</value>
    public double Tradeoff { get; init; }

    /// <summary>
    /// Gets the proactive lead time: the scaler compares the current capacity with the largest requirement forecast
    /// over this much time ahead, so the service does not shrink just before a predicted rise.
    /// </summary>
    /// <value>The default value is 15 minutes.</value>
    public TimeSpan LeadTime { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Gets the scaler's down band: when the lead-time requirement stays below this share of the current capacity
    /// for <see cref="DownStabilization"/>, the service shrinks, in (0, 1).
    /// </summary>
    /// <value>The default value is 0.9, the Kubernetes autoscaler's 10 % tolerance.</value>
    public double DownBand { get; init; } = 0.9;

    /// <summary>Gets how long the requirement must stay below the down band before the service shrinks.</summary>
    /// <value>The default value is 10 minutes.</value>
    public TimeSpan DownStabilization { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Gets how much dearer (as a fraction) a configuration on the current shape may be than the cheapest one before
    /// the policy switches shape: replica count changes are cheap, shape switches restart replicas.
    /// </summary>
    /// <value>The default value is 0.03.</value>
    public double ShapeStickiness { get; init; } = 0.03;

    /// <summary>
    /// Gets the most replicas the service may run, at most <see cref="MaxReplicasLimit"/>. Every shape × replica count
    /// up to it is one configuration the selector scores at each step, so the work and memory grow with it.
    /// </summary>
    /// <value>The default value is 256.</value>
    public int MaxReplicas { get; init; } = 256;

    /// <summary>
    /// Gets the most the whole service's demand can reach, per dimension (cores, GiB, GiB, Gbps): the machine a
    /// utilisation metric is a share of, since CPU utilisation cannot exceed 100 %. The policy never asks for more than
    /// this, headroom included, so when it grows towards the ceiling it stops at the ceiling itself instead of a margin
    /// above it (the Kubernetes VPA's <c>maxAllowed</c> serves the same purpose). Coming down from above it (from a
    /// larger starting capacity), the scaler shrinks to its target utilisation, so it may settle up to
    /// 1 ÷ ((1 + <see cref="DownBand"/>) ÷ 2) of the ceiling. <see cref="double.PositiveInfinity"/> in a dimension means no
    /// ceiling there; 0 suits a dimension the demand never has. If demand ever exceeds the ceiling (the ceiling was
    /// wrong), that dimension's limit becomes the highest demand seen in it, with no headroom.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: demand has no known ceiling (request rates, for example).</value>
    public ResourceVector? DemandCeiling { get; init; }

    /// <summary>The largest <see cref="MaxReplicas"/> accepted: 4096 (49,152 configurations on a 12-shape catalog).</summary>
    public const int MaxReplicasLimit = 4096;

    internal void Validate()
    {
        static void Positive(TimeSpan value, string name)
        {
            if (value <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(name, value, $"PredictiveShapingOptions.{name} must be positive.");
            }
        }

        static void Fraction(double value, string name, bool allowZero, double max = 10)
        {
            if (!double.IsFinite(value) || value < 0 || (!allowZero && value == 0) || value > max)
            {
                throw new ArgumentOutOfRangeException(name, value, $"PredictiveShapingOptions.{name} must be in {(allowZero ? "[" : "(")}0, {max}].");
            }
        }

        Positive(BucketLength, nameof(BucketLength));
        Positive(WarmUp, nameof(WarmUp));
        Positive(RefitInterval, nameof(RefitInterval));
        Positive(FitWindow, nameof(FitWindow));
        Positive(CalibrationWindow, nameof(CalibrationWindow));
        Positive(DownStabilization, nameof(DownStabilization));
        Positive(CapWindow, nameof(CapWindow));
        Fraction(CapMargin, nameof(CapMargin), allowZero: true);
        if (LeadTime < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(LeadTime), LeadTime, "PredictiveShapingOptions.LeadTime must be non-negative.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(SeasonalPeriod, 1, nameof(SeasonalPeriod));
        if (MaxReplicas is < 1 or > MaxReplicasLimit)
        {
            throw new ArgumentOutOfRangeException(
                nameof(MaxReplicas), MaxReplicas, $"PredictiveShapingOptions.MaxReplicas must be in [1, {MaxReplicasLimit}].");
        }
        DemandCeilings.ThrowIfInvalid(DemandCeiling, nameof(DemandCeiling), "PredictiveShapingOptions.DemandCeiling");

        Fraction(ForecastQuantile, nameof(ForecastQuantile), allowZero: false, max: 1);
        Fraction(PhaseQuantile, nameof(PhaseQuantile), allowZero: false, max: 1);
        Fraction(WarmUpMargin, nameof(WarmUpMargin), allowZero: true);
        Fraction(FloorMargin, nameof(FloorMargin), allowZero: true);
        Fraction(Headroom, nameof(Headroom), allowZero: true);
        Fraction(Tradeoff, nameof(Tradeoff), allowZero: true, max: 1);
        Fraction(ShapeStickiness, nameof(ShapeStickiness), allowZero: true);
        if (!(DownBand is > 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(DownBand), DownBand, "PredictiveShapingOptions.DownBand must be in (0, 1).");
        }
    }
}
