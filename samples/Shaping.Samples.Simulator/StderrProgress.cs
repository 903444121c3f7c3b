using System.Diagnostics;
using System.Globalization;

namespace Shaping.Samples.Simulator;

/// <summary>
/// A progress line on standard error for runs that take a while: it stays silent for the first second, then
/// rewrites one line (policy, share done, elapsed time) at most four times a second. Nothing is written when
/// standard error is redirected, so a script's captured output holds no carriage returns.
/// </summary>
internal sealed class StderrProgress
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(250);
    private readonly TextWriter _writer;
    private readonly bool _enabled;
    private readonly Func<TimeSpan> _elapsed;
    private TimeSpan _last = TimeSpan.Zero;
    private bool _written;

    /// <summary>Writes to standard error when it is a terminal, timing from now.</summary>
    public StderrProgress()
        : this(Console.Error, !Console.IsErrorRedirected, StartStopwatch())
    {
    }

    /// <summary>Writes to <paramref name="writer"/> when <paramref name="enabled"/>, timing with <paramref name="elapsed"/>.</summary>
    public StderrProgress(TextWriter writer, bool enabled, Func<TimeSpan> elapsed)
    {
        _writer = writer;
        _enabled = enabled;
        _elapsed = elapsed;
    }

    /// <summary>A reporter for one policy's run over <paramref name="total"/> intervals.</summary>
    public IProgress<int> For(string policy, int index, int count, int total) => new Reporter(this, policy, index, count, total);

    /// <summary>Ends the progress line, if one was written.</summary>
    public void Finish()
    {
        if (_written)
        {
            _writer.WriteLine();
            _written = false;
        }
    }

    private static Func<TimeSpan> StartStopwatch()
    {
        var started = Stopwatch.GetTimestamp();
        return () => Stopwatch.GetElapsedTime(started);
    }

    private void Report(string policy, int index, int count, int done, int total)
    {
        if (!_enabled)
        {
            return;
        }

        var elapsed = _elapsed();
        if (elapsed < Quiet || (_written && elapsed - _last < Every))
        {
            return;
        }

        _last = elapsed;
        _written = true;
        _writer.Write(string.Create(
            CultureInfo.InvariantCulture,
            $"\r  replaying [{index + 1}/{count}] {policy,-24} {(double)done / total,6:P0}  ({elapsed.TotalSeconds:0.0} s)   "));
    }

    private sealed class Reporter(StderrProgress owner, string policy, int index, int count, int total) : IProgress<int>
    {
        public void Report(int value) => owner.Report(policy, index, count, value, total);
    }
}
