using Microsoft.Extensions.DependencyInjection;
using Shaping.Core.ControlPlane;
using Shaping.Core.Prediction;
using Shaping.Core.Provisioning;
using Shaping.Core.Resources;
using Shaping.Forecasting.Engine;

namespace Shaping.DependencyInjection.Tests;

/// <summary>
/// Decommissioning a region through the container: one call drops it from the adjustment loop and the forecasting
/// engine, so it stays gone. Removing it from the engine alone is undone by the loop's next cycle.
/// </summary>
public sealed class RegionDecommissionerTests
{
    private const string Gone = "gone";
    private const string Kept = "kept";

    [Fact]
    public async Task Decommission_LoopAndEngineRegistered_TheRegionStaysGoneAfterLaterCycles()
    {
        var source = new QueuedSource();
        await using var provider = Build(source, withLoop: true);
        var loop = provider.GetRequiredService<ShapeAdjustmentLoop>();
        var engine = provider.GetRequiredService<PredictiveLoadEngine>();
        await FeedThenStopAsync(loop, source);
        Assert.NotNull(engine.GetStatus(Gone));

        Assert.True(provider.GetRequiredService<RegionDecommissioner>().Decommission(Gone));

        source.Next = [Observation(Kept)];
        await loop.RunOnceAsync();
        Assert.Null(engine.GetStatus(Gone)); // the loop fed it no zero
        Assert.NotNull(engine.GetStatus(Kept));
        Assert.False(engine.TryGetProfile(Gone, TimeSpan.FromHours(1), out _)); // nor does the engine's fallback know it
        Assert.False(provider.GetRequiredService<RegionDecommissioner>().Decommission(Gone)); // nothing left to forget
    }

    // Why one call: the engine's removal alone is undone by the loop, which goes on feeding the region zero demand.
    [Fact]
    public async Task EngineRemoveRegionAlone_TheLoopBringsTheRegionBack()
    {
        var source = new QueuedSource();
        await using var provider = Build(source, withLoop: true);
        var loop = provider.GetRequiredService<ShapeAdjustmentLoop>();
        var engine = provider.GetRequiredService<PredictiveLoadEngine>();
        await FeedThenStopAsync(loop, source);

        Assert.True(engine.RemoveRegion(Gone));
        source.Next = [Observation(Kept)];
        await loop.RunOnceAsync();

        Assert.NotNull(engine.GetStatus(Gone));
    }

    // A host without the adjustment loop: the same call removes the region from the engine.
    [Fact]
    public async Task Decommission_WithoutTheLoop_RemovesTheRegionFromTheEngine()
    {
        await using var provider = Build(new QueuedSource(), withLoop: false);
        var engine = provider.GetRequiredService<PredictiveLoadEngine>();
        engine.Observe(Gone, DateTimeOffset.UtcNow, new ResourceVector(1, 1, 1, 1));

        Assert.True(provider.GetRequiredService<RegionDecommissioner>().Decommission(Gone));

        Assert.Null(engine.GetStatus(Gone));
        Assert.Null(provider.GetService<ShapeAdjustmentLoop>());
    }

    // Without AddForecasting the predictor is the decaying histogram: the loop forgets the region and the histograms go.
    [Fact]
    public async Task Decommission_WithoutTheEngine_ForgetsTheRegionInTheLoopAndTheHistograms()
    {
        var source = new QueuedSource();
        var services = new ServiceCollection();
        services.AddPredictiveShaping().AddAdjustmentLoop().UseUtilizationSource(_ => source);
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        var loop = provider.GetRequiredService<ShapeAdjustmentLoop>();
        await FeedThenStopAsync(loop, source);

        Assert.True(provider.GetRequiredService<RegionDecommissioner>().Decommission(Gone));

        Assert.False(loop.ForgetRegion(Gone)); // already forgotten
        Assert.Null(provider.GetService<PredictiveLoadEngine>());
        var predictor = provider.GetRequiredService<ILoadPredictor>();
        Assert.IsType<DecayingHistogramPredictor>(predictor);
        Assert.False(predictor.TryGetProfile(Gone, TimeSpan.FromMinutes(5), out _)); // its histograms went too
        Assert.True(predictor.TryGetProfile(Kept, TimeSpan.FromMinutes(5), out _));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    public void Decommission_BlankRegion_Throws(string? region)
    {
        var decommissioner = new RegionDecommissioner(null, null);

        Assert.ThrowsAny<ArgumentException>(() => decommissioner.Decommission(region!));
    }

    private static ServiceProvider Build(QueuedSource source, bool withLoop)
    {
        var services = new ServiceCollection();
        var builder = services.AddPredictiveShaping().AddForecasting().UseUtilizationSource(_ => source);
        if (withLoop)
        {
            builder.AddAdjustmentLoop();
        }

        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    // A cycle that reads a replica in both regions, then one in which the region's replica has stopped (zero demand).
    private static async Task FeedThenStopAsync(ShapeAdjustmentLoop loop, QueuedSource source)
    {
        source.Next = [Observation(Gone), Observation(Kept)];
        await loop.RunOnceAsync();
        source.Next = [Observation(Kept)];
        await loop.RunOnceAsync();
    }

    private static ReplicaUtilization Observation(string region) =>
        new(region, region + "-1", "s", DateTimeOffset.UtcNow, new ResourceVector(1, 1, 1, 1));

    private sealed class QueuedSource : IUtilizationSource
    {
        public IReadOnlyList<ReplicaUtilization> Next { get; set; } = [];

        public ValueTask<IReadOnlyList<ReplicaUtilization>> ReadAsync(CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Next);
    }
}
