using Microsoft.Extensions.Hosting;
using Shaping.Core.ControlPlane;

namespace Shaping.DependencyInjection;

/// <summary>Runs the <see cref="ShapeAdjustmentLoop"/> for the lifetime of the host.</summary>
internal sealed class ShapeAdjustmentHostedService(ShapeAdjustmentLoop loop) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => loop.RunAsync(stoppingToken);
}
