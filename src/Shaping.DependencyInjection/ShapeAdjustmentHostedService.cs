using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Shaping.Core.ControlPlane;

namespace Shaping.DependencyInjection;

/// <summary>
/// Runs the <see cref="ShapeAdjustmentLoop"/> for the host's lifetime and logs what goes wrong in it: a failed cycle
/// or a provisioner that threw from a resize (the loop carries on; without the log only
/// <see cref="ShapeAdjustmentLoop.LastError"/> would show it).
/// </summary>
internal sealed class ShapeAdjustmentHostedService(ShapeAdjustmentLoop loop, ILogger<ShapeAdjustmentHostedService>? logger = null)
    : BackgroundService
{
    private static readonly Action<ILogger, string, Exception?> LogLoopError = LoggerMessage.Define<string>(
        LogLevel.Warning,
        new EventId(1, "ShapeAdjustmentError"),
        "Shape adjustment loop: {Error}; the loop carries on (failed cycles so far: see ShapeAdjustmentLoop.FailedCycles).");

    private readonly ILogger _logger = logger ?? NullLogger<ShapeAdjustmentHostedService>.Instance;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        loop.Error += OnError;
        try
        {
            await loop.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            loop.Error -= OnError;
        }
    }

    private void OnError(object? sender, Exception error) => LogLoopError(_logger, error.Message, error);
}
