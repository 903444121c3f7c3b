using Microsoft.Extensions.Hosting;
using Shaping.Forecasting.Engine;

namespace Shaping.DependencyInjection;

/// <summary>Runs the engine's refit and refresh schedule for the life of the host.</summary>
internal sealed class PredictiveLoadEngineHostedService(PredictiveLoadEngine engine) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => engine.RunAsync(stoppingToken);
}
