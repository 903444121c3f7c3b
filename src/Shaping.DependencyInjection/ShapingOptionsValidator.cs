using System.Globalization;
using Microsoft.Extensions.Options;
using Shaping.Core.Capacity;
using Shaping.Core.ControlPlane;
using Shaping.Core.Scaling;

namespace Shaping.DependencyInjection;

/// <summary>
/// Checks every <see cref="ShapingOptions"/> setting, including the rules that span settings (the down band below the
/// up band, the down window at least the up window), and names each bad setting with the value it got.
/// </summary>
/// <remarks>
/// Every bound the core types check when the container builds them from these settings (the request handler, the
/// adjustment loop and its timer, the scaler policy, the scoring policy, the in-memory ledger and regions) is checked
/// here too, so a bad value fails the host at start naming the <see cref="ShapingOptions"/> setting, not later naming
/// a core type's parameter the host never set.
/// </remarks>
internal sealed class ShapingOptionsValidator : IValidateOptions<ShapingOptions>
{
    public ValidateOptionsResult Validate(string? name, ShapingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var s = options.Scaler;

        Check(failures, options.Tradeoff >= 0 && options.Tradeoff <= 1, $"ShapingOptions.Tradeoff ({F(options.Tradeoff)}) must be in [0, 1].");
        Check(failures, options.Headroom >= 0 && options.Headroom <= 10, $"ShapingOptions.Headroom ({F(options.Headroom)}) must be in [0, 10].");
        Check(failures, options.PeakConfidence > 0 && options.PeakConfidence < 1, $"ShapingOptions.PeakConfidence ({F(options.PeakConfidence)}) must be in (0, 1).");
        Check(failures, options.PlanningWindow > TimeSpan.Zero, $"ShapingOptions.PlanningWindow ({options.PlanningWindow}) must be positive.");
        Check(
            failures,
            options.ReservationTimeToLive > TimeSpan.Zero && options.ReservationTimeToLive <= MaxReservationTimeToLive,
            $"ShapingOptions.ReservationTimeToLive ({options.ReservationTimeToLive}) must be positive and at most {MaxReservationTimeToLive} (1 day, the request handler's limit).");
        if (options.AdjustmentInterval <= TimeSpan.Zero)
        {
            failures.Add(F($"ShapingOptions.AdjustmentInterval ({options.AdjustmentInterval}) must be positive."));
        }
        else
        {
            Check(
                failures,
                options.AdjustmentInterval >= ShapeAdjustmentOptions.MinInterval && options.AdjustmentInterval <= ShapeAdjustmentOptions.MaxInterval,
                $"ShapingOptions.AdjustmentInterval ({options.AdjustmentInterval}) must be between {ShapeAdjustmentOptions.MinInterval} and {ShapeAdjustmentOptions.MaxInterval} (about 49.7 days), the periods the loop's timer supports.");
        }

        Check(failures, options.ProactiveLeadTime >= TimeSpan.Zero, $"ShapingOptions.ProactiveLeadTime ({options.ProactiveLeadTime}) must be non-negative.");
        Check(failures, options.ForecastConfidence > 0 && options.ForecastConfidence < 1, $"ShapingOptions.ForecastConfidence ({F(options.ForecastConfidence)}) must be in (0, 1).");
        Check(failures, options.AdjustmentRetryBackoff >= TimeSpan.Zero, $"ShapingOptions.AdjustmentRetryBackoff ({options.AdjustmentRetryBackoff}) must be non-negative.");
        Check(
            failures,
            options.AdjustmentMaxRetryBackoff >= options.AdjustmentRetryBackoff,
            $"ShapingOptions.AdjustmentMaxRetryBackoff ({options.AdjustmentMaxRetryBackoff}) must be at least AdjustmentRetryBackoff ({options.AdjustmentRetryBackoff}).");
        Check(
            failures,
            options.AdjustmentMaxResizeRetries is >= 0 and <= ShapeAdjustmentOptions.MaxResizeRetryCap,
            $"ShapingOptions.AdjustmentMaxResizeRetries ({options.AdjustmentMaxResizeRetries}) must be between 0 and {ShapeAdjustmentOptions.MaxResizeRetryCap}.");

        // The handler's own settings, checked by the handler's own rules and reported by their ShapingOptions names. Each
        // alone on otherwise default handler options (TryValidate names only the first setting it finds out of range), so
        // that every bad one is named, beside the failures above.
        foreach (var (handlerName, optionsName, apply) in RequestSettings)
        {
            var single = new ReplicaRequestHandlerOptions();
            apply(single, options);
            if (!single.TryValidate(out var problem))
            {
                failures.Add(problem.Replace(handlerName + " ", optionsName + " ", StringComparison.Ordinal));
            }
        }

        // And all of them together, as the handler will get them, for any rule the list above does not carry over (only
        // when everything else is valid: an invalid policy cannot even be built).
        if (failures.Count == 0 && !options.ToRequestHandlerOptions().TryValidate(out var remaining))
        {
            failures.Add(remaining);
        }

        foreach (var (region, capacity) in options.InMemoryRegions)
        {
            Check(failures, !string.IsNullOrWhiteSpace(region), $"ShapingOptions.InMemoryRegions has an empty region name.");
            if (!capacity.IsValidAmount || capacity.IsZero)
            {
                failures.Add(F($"ShapingOptions.InMemoryRegions[{region}] ({capacity}) must be finite, non-negative and not zero."));
            }
            else if (capacity.CpuCores == 0 || capacity.MemoryGiB == 0 || capacity.StorageGiB == 0 || capacity.NetworkGbps == 0)
            {
                // Most often a region given in configuration without all four dimensions: each one left out binds as 0,
                // and the region could then take no shape that needs it.
                failures.Add(F($"ShapingOptions.InMemoryRegions[{region}] ({capacity}) has no capacity in some dimension; give every region all four dimensions (CpuCores, MemoryGiB, StorageGiB, NetworkGbps), in configuration too, where a dimension left out binds as 0."));
            }
            else
            {
                Check(
                    failures,
                    CapacityLimits.IsWithinMaxAmount(capacity),
                    $"ShapingOptions.InMemoryRegions[{region}] ({capacity}) must be at most {CapacityLimits.MaxAmount:0.###e0} in every dimension, every capacity ledger's limit (CapacityLimits.MaxAmount).");
            }
        }

        foreach (var (region, model) in options.SyntheticLoads)
        {
            Check(failures, !string.IsNullOrWhiteSpace(region), $"ShapingOptions.SyntheticLoads has an empty region name.");
            Check(failures, model is not null, $"ShapingOptions.SyntheticLoads[{region}] must not be null.");
        }

        Check(failures, s.UpBand > 0 && s.UpBand <= 1, $"ShapingOptions.Scaler.UpBand ({F(s.UpBand)}) must be in (0, 1].");
        Check(failures, s.DownBand >= 0, $"ShapingOptions.Scaler.DownBand ({F(s.DownBand)}) must be non-negative.");
        Check(failures, !(s.DownBand >= s.UpBand), $"ShapingOptions.Scaler.DownBand ({F(s.DownBand)}) must be below UpBand ({F(s.UpBand)}).");
        Check(
            failures,
            s.TargetUtilization > s.DownBand && s.TargetUtilization < s.UpBand,
            $"ShapingOptions.Scaler.TargetUtilization ({F(s.TargetUtilization)}) must be above DownBand ({F(s.DownBand)}) and below UpBand ({F(s.UpBand)}).");
        Check(failures, s.SmoothingTimeConstant >= TimeSpan.Zero, $"ShapingOptions.Scaler.SmoothingTimeConstant ({s.SmoothingTimeConstant}) must be non-negative.");
        Check(failures, s.UpStabilizationWindow > TimeSpan.Zero, $"ShapingOptions.Scaler.UpStabilizationWindow ({s.UpStabilizationWindow}) must be positive.");
        Check(
            failures,
            s.DownStabilizationWindow >= s.UpStabilizationWindow,
            $"ShapingOptions.Scaler.DownStabilizationWindow ({s.DownStabilizationWindow}) must be at least UpStabilizationWindow ({s.UpStabilizationWindow}).");
        Check(failures, s.Cooldown >= TimeSpan.Zero, $"ShapingOptions.Scaler.Cooldown ({s.Cooldown}) must be non-negative.");
        Check(
            failures,
            s.MaxSwitchesPerPeriod >= 1 && s.MaxSwitchesPerPeriod <= ScalerPolicy.MaxSwitchCap,
            $"ShapingOptions.Scaler.MaxSwitchesPerPeriod ({s.MaxSwitchesPerPeriod}) must be between 1 and {ScalerPolicy.MaxSwitchCap}.");
        Check(failures, s.SwitchPeriod > TimeSpan.Zero, $"ShapingOptions.Scaler.SwitchPeriod ({s.SwitchPeriod}) must be positive.");

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // The handler settings ShapingOptions sets (the reservation time to live and the scoring policy are checked above),
    // by their names in each, and how each is carried over.
    private static readonly (string Handler, string Options, Action<ReplicaRequestHandlerOptions, ShapingOptions> Apply)[] RequestSettings =
    [
        ("ReplicaRequestHandlerOptions.MaxAttempts", "ShapingOptions.RequestMaxAttempts", static (h, o) => h.MaxAttempts = o.RequestMaxAttempts),
        ("ReplicaRequestHandlerOptions.MaxProvisionRetries", "ShapingOptions.RequestMaxProvisionRetries", static (h, o) => h.MaxProvisionRetries = o.RequestMaxProvisionRetries),
        ("ReplicaRequestHandlerOptions.RetryDelay", "ShapingOptions.RequestRetryDelay", static (h, o) => h.RetryDelay = o.RequestRetryDelay),
        ("ReplicaRequestHandlerOptions.RankingDepth", "ShapingOptions.RequestRankingDepth", static (h, o) => h.RankingDepth = o.RequestRankingDepth),
        ("ReplicaRequestHandlerOptions.CompletedRequestMemory", "ShapingOptions.CompletedRequestMemory", static (h, o) => h.CompletedRequestMemory = o.CompletedRequestMemory),
    ];

    // The longest ReplicaRequestHandlerOptions.ReservationTimeToLive the request handler accepts (it checks (0, 1 day]
    // in its constructor). ShapingOptions.ReservationTimeToLive feeds it and the adjustment loop's reservations alike.
    private static readonly TimeSpan MaxReservationTimeToLive = TimeSpan.FromDays(1);

    private static void Check(List<string> failures, bool valid, FormattableString message)
    {
        if (!valid)
        {
            failures.Add(F(message));
        }
    }

    private static string F(FormattableString message) => message.ToString(CultureInfo.InvariantCulture);

    private static string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
