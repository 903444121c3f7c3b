using Shaping.Forecasting.Models;

namespace Shaping.Forecasting.Tests.Engine;

/// <summary>
/// Seasonal naive, except that a fit off the test's own thread waits until <see cref="Release"/>, as a long fit does.
/// A fit on the test's thread (code that fits inline) returns at once, so such a test fails at its next check instead
/// of hanging; no timeout decides the outcome.
/// </summary>
internal sealed class BlockingForecaster(int testThreadId) : IForecaster, IDisposable
{
    // Only a hang guard for a test that fails before it releases the fit; it never decides a passing test's outcome.
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);

    private readonly SeasonalNaiveForecaster _inner = new();
    private readonly ManualResetEventSlim _release = new();
    private int _completed;

    public string Name => _inner.Name;

    /// <summary>Gets an event set when the first fit starts.</summary>
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
        if (Environment.CurrentManagedThreadId != testThreadId)
        {
            _release.Wait(HangGuard, CancellationToken.None);
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
