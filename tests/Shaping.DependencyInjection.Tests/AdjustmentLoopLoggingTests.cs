using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Shaping.Core.ControlPlane;
using Shaping.Core.Provisioning;

namespace Shaping.DependencyInjection.Tests;

public sealed class AdjustmentLoopLoggingTests
{
    [Fact]
    public async Task HostedLoop_CycleFails_LogsAWarningWithTheExceptionAndKeepsRunning()
    {
        var sink = new LogSink();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider());
        services.AddSingleton(sink);
        services.AddSingleton(typeof(ILogger<>), typeof(CapturingLogger<>));
        services.AddPredictiveShaping().AddAdjustmentLoop().UseUtilizationSource<ThrowingUtilizationSource>();
        await using var provider = services.BuildServiceProvider();
        var hosted = provider.GetServices<IHostedService>().Single(s => s.GetType().Name == "ShapeAdjustmentHostedService");
        var loop = provider.GetRequiredService<ShapeAdjustmentLoop>();

        await hosted.StartAsync(CancellationToken.None);
        await sink.FirstEntry.WaitAsync(TimeSpan.FromMinutes(1)); // the first cycle runs at once and fails (a hang guard)
        await hosted.StopAsync(CancellationToken.None);

        var (level, message, error) = Assert.Single(sink.Entries);
        Assert.Equal(LogLevel.Warning, level);
        Assert.Contains("source is down", message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(error);
        Assert.Equal(1, loop.FailedCycles);
        Assert.Same(error, loop.LastError);
    }

    private sealed class ThrowingUtilizationSource : IUtilizationSource
    {
        public ValueTask<IReadOnlyList<ReplicaUtilization>> ReadAsync(CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("source is down");
    }

    /// <summary>What the loggers wrote, with a signal for the first entry (instead of polling for it).</summary>
    private sealed class LogSink
    {
        private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentQueue<(LogLevel Level, string Message, Exception? Error)> Entries { get; } = new();

        public Task FirstEntry => _first.Task;

        public void Add(LogLevel level, string message, Exception? error)
        {
            Entries.Enqueue((level, message, error));
            _first.TrySetResult();
        }
    }

    private sealed class CapturingLogger<T>(LogSink sink) : ILogger<T>
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink.Add(logLevel, formatter(state, exception), exception);
    }
}
