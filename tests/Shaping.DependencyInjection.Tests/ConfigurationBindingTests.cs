using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Shaping.Core.Capacity;
using Shaping.Core.Resources;
using Shaping.Forecasting.Engine;

namespace Shaping.DependencyInjection.Tests;

/// <summary>
/// Options bound from <see cref="IConfiguration"/> (appsettings.json, environment variables): a collection given in
/// configuration replaces the collection's defaults rather than being appended to them, as the configuration binder
/// does with a collection that already holds items.
/// </summary>
public sealed class ConfigurationBindingTests
{
    private static readonly TimeSpan[] DefaultWindows = [TimeSpan.FromMinutes(5), TimeSpan.FromHours(1), TimeSpan.FromDays(1)];

    [Fact]
    public void EngineWindows_GivenInConfiguration_ReplaceTheDefaults()
    {
        var configuration = Configuration(new()
        {
            ["Shaping:Engine:Windows:0"] = "00:15:00",
            ["Shaping:Engine:Windows:1"] = "02:00:00",
        });
        var services = new ServiceCollection();
        services.AddPredictiveShaping().AddForecasting();
        services.Configure<PredictiveLoadEngineOptions>(configuration.GetSection("Shaping:Engine"));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<PredictiveLoadEngineOptions>>().Value;

        Assert.Equal([TimeSpan.FromMinutes(15), TimeSpan.FromHours(2)], options.Windows);
        Assert.NotNull(provider.GetRequiredService<PredictiveLoadEngine>());
    }

    [Fact]
    public void EngineWindows_NotInConfiguration_KeepTheDefaults()
    {
        var configuration = Configuration(new() { ["Shaping:Engine:PathCount"] = "100" });
        var services = new ServiceCollection();
        services.AddPredictiveShaping().AddForecasting();
        services.Configure<PredictiveLoadEngineOptions>(configuration.GetSection("Shaping:Engine"));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<PredictiveLoadEngineOptions>>().Value;

        Assert.Equal(100, options.PathCount);
        Assert.Equal(DefaultWindows, options.Windows);
    }

    [Fact]
    public void EngineWindows_BoundTwiceIntoOneInstance_HoldBothSources()
    {
        // Two sources given by the host (a code delegate, then configuration) add up: only the defaults give way.
        var configuration = Configuration(new() { ["Windows:0"] = "02:00:00" });
        var options = new PredictiveLoadEngineOptions();
        options.Windows.Add(TimeSpan.FromMinutes(15));
        configuration.Bind(options);

        Assert.Equal([TimeSpan.FromMinutes(15), TimeSpan.FromHours(2)], options.Windows);
    }

    [Fact]
    public void EnginePeakCalibration_GivenInConfiguration_IsBound()
    {
        var configuration = Configuration(new()
        {
            ["Shaping:Engine:CalibratePeaks"] = "false",
            ["Shaping:Engine:PeakCalibrationScores"] = "300",
            ["Shaping:Engine:PeakCalibrationLearningRate"] = "0.01",
        });
        var services = new ServiceCollection();
        services.AddPredictiveShaping().AddForecasting();
        services.Configure<PredictiveLoadEngineOptions>(configuration.GetSection("Shaping:Engine"));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<PredictiveLoadEngineOptions>>().Value;

        Assert.False(options.CalibratePeaks);
        Assert.Equal(300, options.PeakCalibrationScores);
        Assert.Equal(0.01, options.PeakCalibrationLearningRate);
        Assert.NotNull(provider.GetRequiredService<PredictiveLoadEngine>());
    }

    [Fact]
    public async Task InMemoryRegions_GivenInConfiguration_ReplaceTheDefaultRegion()
    {
        var configuration = Configuration(new()
        {
            ["Shaping:InMemoryRegions:eu-west:CpuCores"] = "512",
            ["Shaping:InMemoryRegions:eu-west:MemoryGiB"] = "2048",
            ["Shaping:InMemoryRegions:eu-west:StorageGiB"] = "20000",
            ["Shaping:InMemoryRegions:eu-west:NetworkGbps"] = "200",
        });
        var services = new ServiceCollection();
        services.AddPredictiveShaping();
        services.Configure<ShapingOptions>(configuration.GetSection("Shaping"));
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<ShapingOptions>>().Value;

        var region = Assert.Single(options.InMemoryRegions);
        Assert.Equal("eu-west", region.Key);
        Assert.Equal(new ResourceVector(512, 2048, 20_000, 200), region.Value);
        var ledger = provider.GetRequiredService<ICapacityLedger>();
        var local = await ledger.TryReserveAsync(
            new ReservationRequest(ReservationId.Create("probe"), "local", "s", new ResourceVector(1, 1, 1, 1), 1, TimeSpan.FromMinutes(1)));
        Assert.False(local.IsSuccess);
    }

    [Fact]
    public void InMemoryRegions_NotInConfiguration_KeepTheDefaultRegion()
    {
        var configuration = Configuration(new() { ["Shaping:Tradeoff"] = "0.3" });
        var services = new ServiceCollection();
        services.AddPredictiveShaping();
        services.Configure<ShapingOptions>(configuration.GetSection("Shaping"));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<ShapingOptions>>().Value;

        Assert.Equal(0.3, options.Tradeoff);
        Assert.Equal("local", Assert.Single(options.InMemoryRegions).Key);
    }

    // The defaults are published, as PredictiveLoadEngineOptions.DefaultWindows are, so that a host can see them and
    // keep them beside its own regions.
    [Fact]
    public void DefaultInMemoryRegions_AreWhatANewOptionsHoldsAndCanBeKeptBesideARegionOfTheHosts()
    {
        Assert.Equal(ShapingOptions.DefaultInMemoryRegions.OrderBy(e => e.Key), new ShapingOptions().InMemoryRegions.OrderBy(e => e.Key));
        Assert.Equal(new ResourceVector(256, 1024, 10_000, 100), ShapingOptions.DefaultInMemoryRegions["local"]);

        var options = new ShapingOptions();
        options.InMemoryRegions["eu-west"] = new ResourceVector(512, 2048, 20_000, 200);
        foreach (var (name, capacity) in ShapingOptions.DefaultInMemoryRegions)
        {
            options.InMemoryRegions[name] = capacity;
        }

        Assert.Equal(["eu-west", "local"], options.InMemoryRegions.Keys.Order(StringComparer.Ordinal));
        Assert.Throws<NotSupportedException>(() => ((IDictionary<string, ResourceVector>)ShapingOptions.DefaultInMemoryRegions).Add("x", default));
        Assert.Equal("local", Assert.Single(new ShapingOptions().InMemoryRegions).Key); // a host's edit changed no default
    }

    [Fact]
    public void InMemoryRegions_DefaultRegionEditedInConfiguration_KeepsItsOtherDimensions()
    {
        var configuration = Configuration(new() { ["InMemoryRegions:local:CpuCores"] = "64" });
        var options = new ShapingOptions();

        configuration.Bind(options);

        Assert.Equal(new ResourceVector(64, 1024, 10_000, 100), Assert.Single(options.InMemoryRegions).Value);
    }

    // The binder writes keys in order: a region sorting before "local" clears the defaults first, so a partial "local"
    // binds its other dimensions as 0. Validation must refuse that rather than start a region that takes no shape.
    [Fact]
    public void InMemoryRegions_DefaultRegionEditedBesideARegionSortingFirst_FailsValidationNamingTheRegion()
    {
        var configuration = Configuration(new()
        {
            ["InMemoryRegions:eu:CpuCores"] = "8",
            ["InMemoryRegions:eu:MemoryGiB"] = "8",
            ["InMemoryRegions:eu:StorageGiB"] = "8",
            ["InMemoryRegions:eu:NetworkGbps"] = "8",
            ["InMemoryRegions:local:CpuCores"] = "64",
        });
        var options = new ShapingOptions();
        configuration.Bind(options);

        var result = new ShapingOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.Contains("InMemoryRegions[local]", failure, StringComparison.Ordinal);
        Assert.Contains("all four dimensions", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void InMemoryRegions_InCode_TheFirstWriteReplacesTheDefaultAndRemoveEditsIt()
    {
        var written = new ShapingOptions();
        written.InMemoryRegions["eu"] = new ResourceVector(8, 8, 8, 8);
        written.InMemoryRegions["us"] = new ResourceVector(4, 4, 4, 4);
        var edited = new ShapingOptions();
        edited.InMemoryRegions["local"] = new ResourceVector(1, 1, 1, 1);
        var removed = new ShapingOptions();
        Assert.True(removed.InMemoryRegions.Remove("local"));
        removed.InMemoryRegions.Add("eu", new ResourceVector(2, 2, 2, 2));
        var cleared = new ShapingOptions();
        cleared.InMemoryRegions.Clear();

        Assert.Equal(["eu", "us"], written.InMemoryRegions.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new ResourceVector(1, 1, 1, 1), Assert.Single(edited.InMemoryRegions).Value);
        Assert.Equal("eu", Assert.Single(removed.InMemoryRegions).Key);
        Assert.Empty(cleared.InMemoryRegions);
        Assert.Equal(new ResourceVector(256, 1024, 10_000, 100), new ShapingOptions().InMemoryRegions["local"]);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
