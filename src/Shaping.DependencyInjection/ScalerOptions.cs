using Shaping.Core.Scaling;

namespace Shaping.DependencyInjection;

/// <summary>
/// The settings of the hysteresis scaler that moves replicas between shapes, as bound from configuration
/// (<c>Shaping:Scaler</c>); see <see cref="ScalerPolicy"/> for what each one does.
/// </summary>
public sealed class ScalerOptions
{
    /// <summary>Gets or sets the utilisation above which a replica is under pressure, in (0, 1].</summary>
    /// <value>The default value is 0.8.</value>
    public double UpBand { get; set; } = 0.8;

    /// <summary>Gets or sets the utilisation below which, in every dimension, a replica is wasteful; below <see cref="UpBand"/>.</summary>
    /// <value>The default value is 0.4.</value>
    public double DownBand { get; set; } = 0.4;

    /// <summary>Gets or sets the utilisation a move aims for, strictly between the bands.</summary>
    /// <value>The default value is 0.6.</value>
    public double TargetUtilization { get; set; } = 0.6;

    /// <summary>Gets or sets the time constant of the exponential smoothing of observed demand; zero disables smoothing.</summary>
    /// <value>The default value is 1 minute.</value>
    public TimeSpan SmoothingTimeConstant { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets how long the pressure must last before a move up; positive.</summary>
    /// <value>The default value is 1 minute.</value>
    public TimeSpan UpStabilizationWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets how long the waste must last before a move down; at least <see cref="UpStabilizationWindow"/>.</summary>
    /// <value>The default value is 10 minutes.</value>
    public TimeSpan DownStabilizationWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets or sets the minimum time between two moves of the same replica; non-negative.</summary>
    /// <value>The default value is 5 minutes.</value>
    public TimeSpan Cooldown { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets the most moves a replica may make within any rolling <see cref="SwitchPeriod"/>, 1 to <see cref="ScalerPolicy.MaxSwitchCap"/>.</summary>
    /// <value>The default value is 4.</value>
    public int MaxSwitchesPerPeriod { get; set; } = 4;

    /// <summary>Gets or sets the rolling period the switch cap applies to; positive.</summary>
    /// <value>The default value is 1 hour.</value>
    public TimeSpan SwitchPeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Creates the scaler policy these settings describe.</summary>
    /// <returns>The policy.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (the options validator reports it at start first).</exception>
    public ScalerPolicy ToPolicy() => new(
        UpBand,
        DownBand,
        TargetUtilization,
        SmoothingTimeConstant,
        UpStabilizationWindow,
        DownStabilizationWindow,
        Cooldown,
        MaxSwitchesPerPeriod,
        SwitchPeriod);
}
