using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Shaping.Core.Capacity;
using Shaping.Core.ControlPlane;
using Shaping.Core.Provisioning;
using Shaping.Core.Resources;
using Shaping.Core.Scaling;

namespace Shaping.DependencyInjection.Tests;

/// <summary>
/// The start-time validation of <see cref="ShapingOptions"/> against the bounds the core types check when the
/// container builds them: a value the core would refuse must fail the start, naming the ShapingOptions setting.
/// </summary>
public sealed class ShapingOptionsValidatorTests
{
    [Fact]
    public async Task ReservationTimeToLive_AboveTheHandlersDay_FailsAtStartNamingTheSetting()
    {
        var failures = await StartFailuresAsync(o => o.ReservationTimeToLive = TimeSpan.FromDays(2));

        var failure = Assert.Single(failures);
        Assert.StartsWith("ShapingOptions.ReservationTimeToLive (2.00:00:00) must be positive and at most 1.00:00:00", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RequestMaxAttempts", "ShapingOptions.RequestMaxAttempts (0) must be in [1, 64].")]
    [InlineData("RequestMaxProvisionRetries", "ShapingOptions.RequestMaxProvisionRetries (11) must be in [0, 10].")]
    [InlineData("RequestRetryDelay", "ShapingOptions.RequestRetryDelay (00:02:00) must be in [0, 1 minute].")]
    [InlineData("RequestRankingDepth", "ShapingOptions.RequestRankingDepth (0) must be in [1, 16].")]
    [InlineData("CompletedRequestMemory", "ShapingOptions.CompletedRequestMemory (-1) must be in [0, 10,000,000].")]
    public async Task RequestHandlerSetting_OutOfTheHandlersRange_FailsAtStartNamingTheSetting(string setting, string message)
    {
        var failures = await StartFailuresAsync(o =>
        {
            switch (setting)
            {
                case "RequestMaxAttempts": o.RequestMaxAttempts = 0; break;
                case "RequestMaxProvisionRetries": o.RequestMaxProvisionRetries = 11; break;
                case "RequestRetryDelay": o.RequestRetryDelay = TimeSpan.FromMinutes(2); break;
                case "RequestRankingDepth": o.RequestRankingDepth = 0; break;
                default: o.CompletedRequestMemory = -1; break;
            }
        });

        Assert.Equal(message, Assert.Single(failures));
    }

    [Fact]
    public async Task RequestHandlerSettings_SeveralOutOfRangeBesideAnotherFailure_EachIsNamed()
    {
        // Each bad setting is named at the first start, as for every other setting: not only the first the handler's
        // own check finds, and not none of them while another setting is also wrong.
        var failures = await StartFailuresAsync(o =>
        {
            o.Tradeoff = 2;
            o.RequestMaxAttempts = 0;
            o.RequestRankingDepth = 0;
        });

        Assert.Equal(
            [
                "ShapingOptions.Tradeoff (2) must be in [0, 1].",
                "ShapingOptions.RequestMaxAttempts (0) must be in [1, 64].",
                "ShapingOptions.RequestRankingDepth (0) must be in [1, 16].",
            ],
            failures);
    }

    [Fact]
    public async Task ReservationTimeToLive_ExactlyOneDay_StartsAndTheHandlerResolves()
    {
        var services = new ServiceCollection();
        services.AddPredictiveShaping(o => o.ReservationTimeToLive = TimeSpan.FromDays(1));
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None);
        Assert.NotNull(provider.GetRequiredService<ReplicaRequestHandler>());
    }

    [Fact]
    public async Task InMemoryRegion_AboveTheLedgersMaxAmount_FailsAtStartNamingTheSettingAndTheRegion()
    {
        var failures = await StartFailuresAsync(o => o.InMemoryRegions["big"] = new ResourceVector(1e10, 1, 1, 1));

        var failure = Assert.Single(failures);
        Assert.StartsWith("ShapingOptions.InMemoryRegions[big] (10000000000 cores", failure, StringComparison.Ordinal);
        Assert.Contains("must be at most 9e9 in every dimension", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InMemoryRegion_AtTheLedgersMaxAmount_StartsAndTheLedgerServesIt()
    {
        var max = CapacityLimits.MaxAmount;
        var services = new ServiceCollection();
        services.AddPredictiveShaping(o => o.InMemoryRegions["big"] = new ResourceVector(max, max, max, max));
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None);
        Assert.Equal(new ResourceVector(max, max, max, max), await provider.GetRequiredService<ICapacityLedger>().GetFreeCapacityAsync("big"));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(60 * 86_400_000d)]
    public async Task AdjustmentInterval_ATimerCannotTick_FailsAtStartNamingTheSetting(double milliseconds)
    {
        var interval = TimeSpan.FromMilliseconds(milliseconds);
        var failures = await StartFailuresAsync(o => o.AdjustmentInterval = interval);

        Assert.StartsWith($"ShapingOptions.AdjustmentInterval ({interval}) must be between 00:00:00.0010000 and", Assert.Single(failures), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(11)]
    public async Task AdjustmentMaxResizeRetries_OutOfRange_FailsAtStartNamingTheSetting(int retries)
    {
        var failures = await StartFailuresAsync(o => o.AdjustmentMaxResizeRetries = retries);

        Assert.Equal($"ShapingOptions.AdjustmentMaxResizeRetries ({retries}) must be between 0 and 10.", Assert.Single(failures));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void AdjustmentMaxResizeRetries_ReachesTheAdjustmentLoopsOptions(int retries)
    {
        var options = new ShapingOptions { AdjustmentMaxResizeRetries = retries };

        Assert.Equal(retries, options.ToAdjustmentOptions().MaxResizeRetries);
        Assert.Equal(ShapeAdjustmentOptions.Default.MaxResizeRetries, new ShapingOptions().ToAdjustmentOptions().MaxResizeRetries);
    }

    /// <summary>
    /// One or two settings set to a value at or just beyond a bound, the others at their defaults: the host starts
    /// exactly when the container, with the options validator taken out, builds every core type from the settings
    /// (the request handler, the ledger, the regions, the scaler, the adjustment loop and the loop's timer). Every
    /// failure at start names a ShapingOptions setting.
    /// </summary>
    [Property(MaxTest = 300)]
    public Property Start_PassesExactlyWhenTheCoreAcceptsTheSettings() =>
        Prop.ForAll(
            (from first in Gen.Choose(0, Mutations.Length - 1)
             from second in Gen.Choose(-1, Mutations.Length - 1)
             select second < 0 ? new[] { first } : new[] { first, second }).ToArbitrary(),
            picked =>
            {
                void Configure(ShapingOptions o)
                {
                    foreach (var i in picked)
                    {
                        Mutations[i].Apply(o);
                    }
                }

                var failures = StartFailuresAsync(Configure).GetAwaiter().GetResult();
                var coreError = CoreError(Configure);
                return (failures.Count == 0 == (coreError is null) && failures.All(f => f.StartsWith("ShapingOptions.", StringComparison.Ordinal)))
                    .Label($"settings: {string.Join("; ", picked.Select(i => Mutations[i].Name))}; start: [{string.Join(" | ", failures)}]; core: {coreError ?? "accepted"}");
            });

    private static readonly (string Name, Action<ShapingOptions> Apply)[] Mutations =
    [
        ("Tradeoff = -0.01", o => o.Tradeoff = -0.01),
        ("Tradeoff = 0", o => o.Tradeoff = 0),
        ("Tradeoff = 1", o => o.Tradeoff = 1),
        ("Tradeoff = NaN", o => o.Tradeoff = double.NaN),
        ("Headroom = 10", o => o.Headroom = 10),
        ("Headroom = 10.01", o => o.Headroom = 10.01),
        ("Headroom = -0.01", o => o.Headroom = -0.01),
        ("PeakConfidence = 0", o => o.PeakConfidence = 0),
        ("PeakConfidence = 0.999", o => o.PeakConfidence = 0.999),
        ("PeakConfidence = 1", o => o.PeakConfidence = 1),
        ("PlanningWindow = 0", o => o.PlanningWindow = TimeSpan.Zero),
        ("PlanningWindow = 1 tick", o => o.PlanningWindow = TimeSpan.FromTicks(1)),
        ("ReservationTimeToLive = 0", o => o.ReservationTimeToLive = TimeSpan.Zero),
        ("ReservationTimeToLive = 1 tick", o => o.ReservationTimeToLive = TimeSpan.FromTicks(1)),
        ("ReservationTimeToLive = 1 day", o => o.ReservationTimeToLive = TimeSpan.FromDays(1)),
        ("ReservationTimeToLive = 1 day + 1 tick", o => o.ReservationTimeToLive = TimeSpan.FromDays(1) + TimeSpan.FromTicks(1)),
        ("ReservationTimeToLive = max", o => o.ReservationTimeToLive = TimeSpan.MaxValue),
        ("AdjustmentInterval = 0", o => o.AdjustmentInterval = TimeSpan.Zero),
        ("AdjustmentInterval = 0.5 ms", o => o.AdjustmentInterval = TimeSpan.FromMilliseconds(0.5)),
        ("AdjustmentInterval = 1 ms", o => o.AdjustmentInterval = TimeSpan.FromMilliseconds(1)),
        ("AdjustmentInterval = MaxInterval", o => o.AdjustmentInterval = ShapeAdjustmentOptions.MaxInterval),
        ("AdjustmentInterval = MaxInterval + 1 ms", o => o.AdjustmentInterval = ShapeAdjustmentOptions.MaxInterval + TimeSpan.FromMilliseconds(1)),
        ("AdjustmentInterval = max", o => o.AdjustmentInterval = TimeSpan.MaxValue),
        ("ProactiveLeadTime = -1 tick", o => o.ProactiveLeadTime = TimeSpan.FromTicks(-1)),
        ("ProactiveLeadTime = 15 min", o => o.ProactiveLeadTime = TimeSpan.FromMinutes(15)),
        ("ForecastConfidence = 0", o => o.ForecastConfidence = 0),
        ("ForecastConfidence = 1", o => o.ForecastConfidence = 1),
        ("ForecastConfidence = 0.5", o => o.ForecastConfidence = 0.5),
        ("AdjustmentRetryBackoff = -1 tick", o => o.AdjustmentRetryBackoff = TimeSpan.FromTicks(-1)),
        ("AdjustmentRetryBackoff = 0", o => o.AdjustmentRetryBackoff = TimeSpan.Zero),
        ("AdjustmentRetryBackoff = 2 h", o => o.AdjustmentRetryBackoff = TimeSpan.FromHours(2)),
        ("AdjustmentMaxRetryBackoff = 0", o => o.AdjustmentMaxRetryBackoff = TimeSpan.Zero),
        ("AdjustmentMaxRetryBackoff = max", o => o.AdjustmentMaxRetryBackoff = TimeSpan.MaxValue),
        ("AdjustmentMaxResizeRetries = -1", o => o.AdjustmentMaxResizeRetries = -1),
        ("AdjustmentMaxResizeRetries = 0", o => o.AdjustmentMaxResizeRetries = 0),
        ("AdjustmentMaxResizeRetries = 10", o => o.AdjustmentMaxResizeRetries = ShapeAdjustmentOptions.MaxResizeRetryCap),
        ("AdjustmentMaxResizeRetries = 11", o => o.AdjustmentMaxResizeRetries = ShapeAdjustmentOptions.MaxResizeRetryCap + 1),
        ("InMemoryRegions[local] = 9e9 cores", o => o.InMemoryRegions["local"] = new ResourceVector(9e9, 1, 1, 1)),
        ("InMemoryRegions[local] = 9e9 + 1000 GiB", o => o.InMemoryRegions["local"] = new ResourceVector(1, 9e9 + 1000, 1, 1)),
        ("InMemoryRegions[local] = 1e10 Gbps", o => o.InMemoryRegions["local"] = new ResourceVector(1, 1, 1, 1e10)),
        ("InMemoryRegions[local] = NaN", o => o.InMemoryRegions["local"] = new ResourceVector(double.NaN, 1, 1, 1)),
        ("InMemoryRegions[local] = -1 cores", o => o.InMemoryRegions["local"] = new ResourceVector(-1, 1, 1, 1)),
        ("InMemoryRegions[local] = +inf GiB disk", o => o.InMemoryRegions["local"] = new ResourceVector(1, 1, double.PositiveInfinity, 1)),
        ("InMemoryRegions[' '] = 1", o => o.InMemoryRegions[" "] = new ResourceVector(1, 1, 1, 1)),
        ("InMemoryRegions[big] = max", o => o.InMemoryRegions["big"] = new ResourceVector(9e9, 9e9, 9e9, 9e9)),
        ("SyntheticLoads[local] = null", o => o.SyntheticLoads["local"] = null!),
        ("Scaler.UpBand = 1", o => o.Scaler.UpBand = 1),
        ("Scaler.UpBand = 1.01", o => o.Scaler.UpBand = 1.01),
        ("Scaler.UpBand = 0.6", o => o.Scaler.UpBand = 0.6),
        ("Scaler.DownBand = -0.01", o => o.Scaler.DownBand = -0.01),
        ("Scaler.DownBand = 0", o => o.Scaler.DownBand = 0),
        ("Scaler.DownBand = 0.6", o => o.Scaler.DownBand = 0.6),
        ("Scaler.TargetUtilization = 0.4", o => o.Scaler.TargetUtilization = 0.4),
        ("Scaler.TargetUtilization = 0.79", o => o.Scaler.TargetUtilization = 0.79),
        ("Scaler.SmoothingTimeConstant = -1 tick", o => o.Scaler.SmoothingTimeConstant = TimeSpan.FromTicks(-1)),
        ("Scaler.SmoothingTimeConstant = 0", o => o.Scaler.SmoothingTimeConstant = TimeSpan.Zero),
        ("Scaler.UpStabilizationWindow = 0", o => o.Scaler.UpStabilizationWindow = TimeSpan.Zero),
        ("Scaler.UpStabilizationWindow = 11 min", o => o.Scaler.UpStabilizationWindow = TimeSpan.FromMinutes(11)),
        ("Scaler.DownStabilizationWindow = 1 min", o => o.Scaler.DownStabilizationWindow = TimeSpan.FromMinutes(1)),
        ("Scaler.Cooldown = -1 tick", o => o.Scaler.Cooldown = TimeSpan.FromTicks(-1)),
        ("Scaler.MaxSwitchesPerPeriod = 0", o => o.Scaler.MaxSwitchesPerPeriod = 0),
        ("Scaler.MaxSwitchesPerPeriod = 8", o => o.Scaler.MaxSwitchesPerPeriod = ScalerPolicy.MaxSwitchCap),
        ("Scaler.MaxSwitchesPerPeriod = 9", o => o.Scaler.MaxSwitchesPerPeriod = ScalerPolicy.MaxSwitchCap + 1),
        ("Scaler.SwitchPeriod = 0", o => o.Scaler.SwitchPeriod = TimeSpan.Zero),
    ];

    private static async Task<IReadOnlyList<string>> StartFailuresAsync(Action<ShapingOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddPredictiveShaping(configure).AddAdjustmentLoop();
        await using var provider = services.BuildServiceProvider();
        try
        {
            await provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None);
            return [];
        }
        catch (OptionsValidationException e)
        {
            return [.. e.Failures];
        }
    }

    // What the core makes of the settings through the real registrations, with the options validator taken out.
    private static string? CoreError(Action<ShapingOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider());
        services.AddPredictiveShaping(configure).AddAdjustmentLoop();
        services.RemoveAll<IValidateOptions<ShapingOptions>>();
        using var provider = services.BuildServiceProvider();
        try
        {
            provider.GetRequiredService<ReplicaRequestHandler>();
            provider.GetRequiredService<ICapacityLedger>();
            provider.GetRequiredService<IProvisioner>();
            provider.GetRequiredService<IUtilizationSource>();
            provider.GetRequiredService<HysteresisScaler>();
            provider.GetRequiredService<ShapeAdjustmentLoop>();

            // The loop's runner ticks on a PeriodicTimer over the interval: what it would throw when the host runs it.
            var interval = provider.GetRequiredService<IOptions<ShapingOptions>>().Value.AdjustmentInterval;
            using var timer = new PeriodicTimer(interval, provider.GetRequiredService<TimeProvider>());
            return null;
        }
        catch (ArgumentException e)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }
}
