using System.Globalization;

namespace Shaping.Core.Scaling;

/// <summary>
/// The settings of a <see cref="HysteresisScaler"/>: utilisation bands, smoothing, stabilisation windows,
/// cool-down and the cap on shape switches.
/// </summary>
/// <remarks>
/// <para>
/// Utilisation is demand divided by the current shape's capacity, per dimension, in [0, ∞). The scaler moves a
/// replica up when its smoothed utilisation stays above <see cref="UpBand"/> in any dimension for
/// <see cref="UpStabilizationWindow"/>, and down when it stays below <see cref="DownBand"/> in every dimension for
/// <see cref="DownStabilizationWindow"/>. Either move picks the cheapest shape that keeps the demand at or below
/// <see cref="TargetUtilization"/> in every dimension. Because the target lies strictly between the bands, the
/// shape a move lands on starts inside the bands: a move down can never by itself trigger a move back up.
/// </para>
/// <para>The constructor checks every setting; an instance is immutable and safe to share between threads.</para>
/// </remarks>
public sealed class ScalerPolicy
{
    /// <summary>The largest allowed <see cref="MaxSwitchesPerPeriod"/> (the scaler state keeps that many switch times).</summary>
    public const int MaxSwitchCap = 8;

    /// <summary>Creates a policy.</summary>
    /// <param name="upBand">Utilisation above which a replica is under pressure, in (0, 1]. Default 0.8.</param>
    /// <param name="downBand">Utilisation below which a replica is wasteful, in [0, <paramref name="upBand"/>). Default 0.4.</param>
    /// <param name="targetUtilization">The utilisation a move aims for, strictly between the bands. Default 0.6.</param>
    /// <param name="smoothingTimeConstant">Time constant of the exponential smoothing; zero disables smoothing. Default 1 minute.</param>
    /// <param name="upStabilizationWindow">How long the pressure must last before a move up; positive. Default 1 minute.</param>
    /// <param name="downStabilizationWindow">How long the waste must last before a move down; at least the up window. Default 10 minutes.</param>
    /// <param name="cooldown">The minimum time between two moves of a replica; non-negative. Default 5 minutes.</param>
    /// <param name="maxSwitchesPerPeriod">The most moves a replica may make within any <paramref name="switchPeriod"/>, 1 to <see cref="MaxSwitchCap"/>. Default 4.</param>
    /// <param name="switchPeriod">The length of the rolling period the switch cap applies to; positive. Default 1 hour.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it and its value.</exception>
    public ScalerPolicy(
        double upBand = 0.8,
        double downBand = 0.4,
        double targetUtilization = 0.6,
        TimeSpan? smoothingTimeConstant = null,
        TimeSpan? upStabilizationWindow = null,
        TimeSpan? downStabilizationWindow = null,
        TimeSpan? cooldown = null,
        int maxSwitchesPerPeriod = 4,
        TimeSpan? switchPeriod = null)
    {
        var smoothing = smoothingTimeConstant ?? TimeSpan.FromMinutes(1);
        var upWindow = upStabilizationWindow ?? TimeSpan.FromMinutes(1);
        var downWindow = downStabilizationWindow ?? TimeSpan.FromMinutes(10);
        var cool = cooldown ?? TimeSpan.FromMinutes(5);
        var period = switchPeriod ?? TimeSpan.FromHours(1);

        if (!(upBand > 0 && upBand <= 1))
        {
            throw Invalid(nameof(upBand), upBand, $"ScalerPolicy.UpBand ({F(upBand)}) must be in (0, 1].");
        }

        if (!(downBand >= 0))
        {
            throw Invalid(nameof(downBand), downBand, $"ScalerPolicy.DownBand ({F(downBand)}) must be non-negative.");
        }

        if (!(downBand < upBand))
        {
            throw Invalid(nameof(downBand), downBand, $"ScalerPolicy.DownBand ({F(downBand)}) must be below UpBand ({F(upBand)}).");
        }

        if (!(targetUtilization > downBand && targetUtilization < upBand))
        {
            throw Invalid(
                nameof(targetUtilization),
                targetUtilization,
                $"ScalerPolicy.TargetUtilization ({F(targetUtilization)}) must be above DownBand ({F(downBand)}) and below UpBand ({F(upBand)}).");
        }

        if (smoothing < TimeSpan.Zero)
        {
            throw Invalid(nameof(smoothingTimeConstant), smoothing, $"ScalerPolicy.SmoothingTimeConstant ({smoothing}) must be non-negative.");
        }

        if (upWindow <= TimeSpan.Zero)
        {
            throw Invalid(nameof(upStabilizationWindow), upWindow, $"ScalerPolicy.UpStabilizationWindow ({upWindow}) must be positive.");
        }

        if (downWindow < upWindow)
        {
            throw Invalid(
                nameof(downStabilizationWindow),
                downWindow,
                $"ScalerPolicy.DownStabilizationWindow ({downWindow}) must be at least UpStabilizationWindow ({upWindow}): moving down is the slower decision.");
        }

        if (cool < TimeSpan.Zero)
        {
            throw Invalid(nameof(cooldown), cool, $"ScalerPolicy.Cooldown ({cool}) must be non-negative.");
        }

        if (maxSwitchesPerPeriod is < 1 or > MaxSwitchCap)
        {
            throw Invalid(
                nameof(maxSwitchesPerPeriod),
                maxSwitchesPerPeriod,
                $"ScalerPolicy.MaxSwitchesPerPeriod ({maxSwitchesPerPeriod}) must be between 1 and {MaxSwitchCap}.");
        }

        if (period <= TimeSpan.Zero)
        {
            throw Invalid(nameof(switchPeriod), period, $"ScalerPolicy.SwitchPeriod ({period}) must be positive.");
        }

        UpBand = upBand;
        DownBand = downBand;
        TargetUtilization = targetUtilization;
        SmoothingTimeConstant = smoothing;
        UpStabilizationWindow = upWindow;
        DownStabilizationWindow = downWindow;
        Cooldown = cool;
        MaxSwitchesPerPeriod = maxSwitchesPerPeriod;
        SwitchPeriod = period;
    }

    /// <summary>Gets a policy with every default.</summary>
    public static ScalerPolicy Default { get; } = new();

    /// <summary>Gets the utilisation above which a replica is under pressure.</summary>
    /// <value>The default value is 0.8.</value>
    public double UpBand { get; }

    /// <summary>Gets the utilisation below which, in every dimension, a replica is wasteful.</summary>
    /// <value>The default value is 0.4.</value>
    public double DownBand { get; }

    /// <summary>Gets the utilisation a move aims for: the new shape is the cheapest that keeps demand at or below it.</summary>
    /// <remarks>A target within 10⁻¹⁵ (relative) of <see cref="UpBand"/> is accepted, and the scaler aims at
    /// <c>UpBand × (1 − 10⁻¹⁵)</c> instead, so that rounding cannot land a move a hair above the up band.</remarks>
    /// <value>The default value is 0.6.</value>
    public double TargetUtilization { get; }

    /// <summary>
    /// Gets the time constant τ of the exponential smoothing: an observation <c>Δt</c> after the previous one gets the
    /// weight <c>1 − exp(−Δt / τ)</c>, so irregular sampling weighs each observation by the time it covers.
    /// </summary>
    /// <value>The default value is 1 minute; zero means no smoothing.</value>
    public TimeSpan SmoothingTimeConstant { get; }

    /// <summary>Gets how long the smoothed utilisation must stay above <see cref="UpBand"/> before a move up.</summary>
    /// <value>The default value is 1 minute.</value>
    public TimeSpan UpStabilizationWindow { get; }

    /// <summary>Gets how long the smoothed utilisation must stay below <see cref="DownBand"/> before a move down.</summary>
    /// <value>The default value is 10 minutes.</value>
    public TimeSpan DownStabilizationWindow { get; }

    /// <summary>Gets the minimum time between two moves of the same replica.</summary>
    /// <value>The default value is 5 minutes.</value>
    public TimeSpan Cooldown { get; }

    /// <summary>Gets the most moves a replica may make within any rolling <see cref="SwitchPeriod"/>.</summary>
    /// <value>The default value is 4.</value>
    public int MaxSwitchesPerPeriod { get; }

    /// <summary>Gets the rolling period the switch cap applies to.</summary>
    /// <value>The default value is 1 hour.</value>
    public TimeSpan SwitchPeriod { get; }

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"bands {DownBand:0.###}–{UpBand:0.###} (target {TargetUtilization:0.###}), τ {SmoothingTimeConstant}, windows up {UpStabilizationWindow} / down {DownStabilizationWindow}, cool-down {Cooldown}, ≤ {MaxSwitchesPerPeriod} switches per {SwitchPeriod}");

    private static string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static ArgumentOutOfRangeException Invalid(string paramName, object value, string message) =>
        new(paramName, value, message);
}
