using Shaping.Forecasting.Models;

namespace Shaping.Forecasting.Tests.Engine;

/// <summary>
/// Seasonal naive, except that each fit waits until <see cref="Release"/> (or a timeout, so a test of code that fits
/// on the caller's thread fails instead of hanging), as a long fit does.
/// </summary>
internal sealed class BlockingForecaster(TimeSpan timeout) : IForecaster, IDisposable
{
    private readonly SeasonalNaiveForecaster _inner = new();
    private readonly ManualResetEventSlim _release = new();
    private int _completed;

    public string Name => _inner.Name;

    /// <summary>Gets an event set when the first fit starts waiting.</summary>
    public ManualResetEventSlim Started { get; } = new();

    /// <summary>Gets how many fits have returned.</summary>
    public int Completed => Volatile.Read(ref _completed);

    /// <summary>Gets the managed thread id of the first fit.</summary>
    public int FitThreadId { get; private set; }

    public IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default)
    {
        if (!Started.IsSet)
        {
            FitThreadId = Environment.CurrentManagedThreadId;
        }

        Started.Set();
        if (!_release.Wait(timeout, CancellationToken.None))
        {
            _release.Set(); // timed out once (a fit on the caller's thread): the later fits need not wait too
        }
        var model = _inner.Fit(history, seasonalPeriod, cancellationToken);
        Interlocked.Increment(ref _completed);
        return model;
    }

    public void Release() => _release.Set();

    public void Dispose()
    {
        _release.Dispose();
        Started.Dispose();
    }
}
