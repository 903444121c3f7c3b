using Microsoft.Extensions.Hosting;
using Shaping.Forecasting.Engine;

namespace Shaping.DependencyInjection;

/// <summary>Runs the engine's refit and refresh schedule for the life of the host.</summary>
/// <remarks>
/// Host start-up is not held for the fits: <see cref="PredictiveLoadEngine.RunAsync"/> runs each refresh on the
/// thread pool and returns at the first, and <see cref="BackgroundService"/> runs <c>ExecuteAsync</c> there as well.
/// </remarks>
internal sealed class PredictiveLoadEngineHostedService(PredictiveLoadEngine engine) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => engine.RunAsync(stoppingToken);
}
