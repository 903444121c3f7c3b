using Microsoft.Extensions.DependencyInjection;
using Shaping.Core.Capacity;
using Shaping.Core.ControlPlane;
using Shaping.Core.Prediction;
using Shaping.Core.Resources;

namespace Shaping.DependencyInjection.Tests;

public sealed class DefaultHandlerTests
{
    [Fact]
    public async Task AddPredictiveShaping_WithNoConfiguration_ResolvesAWorkingHandler()
    {
        var services = new ServiceCollection();
        services.AddPredictiveShaping();
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        var predictor = provider.GetRequiredService<ILoadPredictor>();
        var now = provider.GetRequiredService<TimeProvider>().GetUtcNow();
        for (var i = 0; i < 30; i++)
        {
            predictor.Observe("local", now.AddMinutes(i - 30), new ResourceVector(1.5 + (0.01 * i), 3, 10, 0.2));
        }

        var handler = provider.GetRequiredService<ReplicaRequestHandler>();
        var result = await handler.HandleAsync(new ReplicaRequest("local", 2, TimeSpan.FromHours(1), "first-request"));

        Assert.True(result.IsProvisioned, result.Message);
        Assert.Equal(2, result.Replicas);
        Assert.NotNull(result.Shape);
        var free = await provider.GetRequiredService<ICapacityLedger>().GetFreeCapacityAsync("local");
        Assert.NotNull(free);
        Assert.Equal(2, provider.GetRequiredService<ReplicaInventory>().Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task AddPredictiveShaping_RequestMaxAttempts_ReachesTheHandler(int attempts)
    {
        // Every shape is rejected, so the request makes as many attempts as the handler allows (the default ranking
        // depth, 4, is the most per region).
        var services = new ServiceCollection();
        services.AddPredictiveShaping(options => options.RequestMaxAttempts = attempts).UseProvisioner<RejectingProvisioner>();
        await using var provider = services.BuildServiceProvider(validateScopes: true);
        var predictor = provider.GetRequiredService<ILoadPredictor>();
        var now = provider.GetRequiredService<TimeProvider>().GetUtcNow();
        for (var i = 0; i < 30; i++)
        {
            predictor.Observe("local", now.AddMinutes(i - 30), new ResourceVector(1.5, 3, 10, 0.2));
        }

        var result = await provider.GetRequiredService<ReplicaRequestHandler>()
            .HandleAsync(new ReplicaRequest("local", 2, TimeSpan.FromHours(1), "attempts"));

        Assert.False(result.IsProvisioned);
        Assert.Equal(attempts, result.Attempts);
    }
}
