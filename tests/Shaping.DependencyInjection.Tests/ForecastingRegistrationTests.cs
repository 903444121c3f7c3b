using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Shaping.Core.Prediction;
using Shaping.Forecasting.Engine;
using Shaping.Forecasting.Models;

namespace Shaping.DependencyInjection.Tests;

public sealed class ForecastingRegistrationTests
{
    [Fact]
    public void AddForecasting_MakesTheEngineThePredictorAndRunsItAsAHostedService()
    {
        var services = new ServiceCollection();
        services.AddPredictiveShaping().AddForecasting(o => o.PathCount = 100).AddForecasting();
        using var provider = services.BuildServiceProvider();

        var predictor = provider.GetRequiredService<ILoadPredictor>();
        Assert.IsType<PredictiveLoadEngine>(predictor);
        Assert.Same(predictor, provider.GetRequiredService<PredictiveLoadEngine>());
        Assert.Single(provider.GetServices<IHostedService>(), s => s.GetType().Name == "PredictiveLoadEngineHostedService");
        Assert.Equal(1, services.Count(d => d.ServiceType == typeof(PredictiveLoadEngine)));
        Assert.Equal(100, provider.GetRequiredService<IOptions<PredictiveLoadEngineOptions>>().Value.PathCount);
    }

    [Fact]
    public void AddForecasting_KeepsAPredictorTheHostRegistered()
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoadPredictor, SilentPredictor>();
        services.AddPredictiveShaping().AddForecasting();
        using var provider = services.BuildServiceProvider();

        Assert.IsType<SilentPredictor>(provider.GetRequiredService<ILoadPredictor>());
        Assert.NotNull(provider.GetRequiredService<PredictiveLoadEngine>());
    }

    [Fact]
    public void AddForecasting_HostPredictorAddedAfterAddPredictiveShaping_IsKeptAndWins()
    {
        var services = new ServiceCollection();
        var builder = services.AddPredictiveShaping();
        services.AddSingleton<ILoadPredictor, SilentPredictor>(); // the host's own, with a plain Add after the defaults

        builder.AddForecasting();
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var registered = Assert.Single(services, d => d.ServiceType == typeof(ILoadPredictor)); // the default is gone
        Assert.Equal(typeof(SilentPredictor), registered.ImplementationType);
        Assert.IsType<SilentPredictor>(provider.GetRequiredService<ILoadPredictor>());
        Assert.NotNull(provider.GetRequiredService<PredictiveLoadEngine>());
    }

    [Fact]
    public void AddForecasting_EngineTheHostRegisteredBefore_IsThePredictorAndRunsOnTheSchedule()
    {
        // A host that builds its own engine (its own forecaster and options) and then calls AddForecasting expects that
        // engine to be the predictor and to be refreshed, not the call to be taken for a second one and do nothing.
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider());
        services.AddSingleton(sp => new PredictiveLoadEngine(
            new SeasonalNaiveForecaster(), new DecayingHistogramPredictor(), new PredictiveLoadEngineOptions(), sp.GetRequiredService<TimeProvider>()));
        services.AddPredictiveShaping().AddForecasting().AddForecasting();
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var engine = provider.GetRequiredService<PredictiveLoadEngine>();
        Assert.Same(engine, provider.GetRequiredService<ILoadPredictor>());
        Assert.Single(provider.GetServices<IHostedService>(), s => s.GetType().Name == "PredictiveLoadEngineHostedService");
        Assert.Single(services, d => d.ServiceType == typeof(PredictiveLoadEngine));
    }

    [Fact]
    public void AddForecasting_OnlyAKeyedHostPredictor_StillMakesTheEngineThePredictor()
    {
        var services = new ServiceCollection();
        var builder = services.AddPredictiveShaping();
        services.AddKeyedSingleton<ILoadPredictor, SilentPredictor>("shadow");

        builder.AddForecasting();
        using var provider = services.BuildServiceProvider();

        Assert.IsType<PredictiveLoadEngine>(provider.GetRequiredService<ILoadPredictor>());
        Assert.IsType<SilentPredictor>(provider.GetRequiredKeyedService<ILoadPredictor>("shadow"));
    }

    [Fact]
    public async Task AddForecasting_InvalidOptions_FailAtStart()
    {
        var services = new ServiceCollection();
        services.AddPredictiveShaping().AddForecasting(o => o.PathCount = 1);
        await using var provider = services.BuildServiceProvider();

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(
            () => provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None));
        // The failure names the setting and its value, not just the options class.
        Assert.StartsWith("PredictiveLoadEngineOptions.PathCount (1) must be at least 20.", Assert.Single(exception.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddForecasting_PeakCalibrationScoresOutOfRange_FailAtStartNamingIt()
    {
        var services = new ServiceCollection();
        services.AddPredictiveShaping().AddForecasting(o => o.PeakCalibrationScores = 5);
        await using var provider = services.BuildServiceProvider();

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(
            () => provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None));
        Assert.StartsWith("PredictiveLoadEngineOptions.PeakCalibrationScores (5) must be from 20 to 10000.", Assert.Single(exception.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddForecasting_HistoryTooLargeToAllocate_FailsAtStartNamingIt()
    {
        var services = new ServiceCollection();
        services.AddPredictiveShaping().AddForecasting(o => o.MaximumHistory = int.MaxValue);
        await using var provider = services.BuildServiceProvider();

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(
            () => provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None));
        Assert.StartsWith("PredictiveLoadEngineOptions.MaximumHistory (2147483647) must be at most", Assert.Single(exception.Failures), StringComparison.Ordinal);
    }
}
