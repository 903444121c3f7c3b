using System.Diagnostics;
using System.Globalization;

namespace Shaping.Samples.Simulator;

/// <summary>
/// A progress line on standard error for runs that take a while: it stays silent for the first second, then
/// rewrites one line (policy, share done, elapsed time) at most a few times a second. Nothing is written when
/// standard error is redirected, so a script's captured output holds no carriage returns.
/// </summary>
internal sealed class StderrProgress
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(250);
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly bool _enabled = !Console.IsErrorRedirected;
    private TimeSpan _last = TimeSpan.MinValue;
    private bool _written;

    /// <summary>A reporter for one policy's run over <paramref name="total"/> intervals.</summary>
    public IProgress<int> For(string policy, int index, int count, int total) => new Reporter(this, policy, index, count, total);

    /// <summary>Ends the progress line, if one was written.</summary>
    public void Finish()
    {
        if (_written)
        {
            Console.Error.WriteLine();
            _written = false;
        }
    }

    private void Report(string policy, int index, int count, int done, int total)
    {
        var elapsed = Stopwatch.GetElapsedTime(_started);
        if (!_enabled || elapsed < Quiet || elapsed - _last < Every)
        {
            return;
        }

        _last = elapsed;
        _written = true;
        Console.Error.Write(string.Create(
            CultureInfo.InvariantCulture,
            $"\r  replaying [{index + 1}/{count}] {policy,-24} {(double)done / total,6:P0}  ({elapsed.TotalSeconds:0.0} s)   "));
    }

    private sealed class Reporter(StderrProgress owner, string policy, int index, int count, int total) : IProgress<int>
    {
        public void Report(int value) => owner.Report(policy, index, count, value, total);
    }
}
