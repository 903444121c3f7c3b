using System.Diagnostics;

namespace Shaping.Accuracy;

/// <summary>
/// A progress line on standard error: rewritten in place on a terminal, printed every 10 % otherwise
/// (so logs of redirected runs stay short).
/// </summary>
internal sealed class ProgressLine
{
    private readonly Lock _gate = new();
    private readonly bool _inPlace = !Console.IsErrorRedirected;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private string _label = "";
    private int _total;
    private int _done;
    private int _lastDecile = -1;
    private long _lastDrawMs = -1000;

    public void Start(string label, int total)
    {
        lock (_gate)
        {
            _label = label;
            _total = total;
            _done = 0;
            _lastDecile = -1;
            _lastDrawMs = -1000;
            _clock.Restart();
        }
    }

    public void Advance()
    {
        lock (_gate)
        {
            _done++;
            var now = _clock.ElapsedMilliseconds;
            if (_inPlace)
            {
                if (now - _lastDrawMs >= 100 || _done == _total)
                {
                    _lastDrawMs = now;
                    Console.Error.Write($"\r{Text(now)}   ");
                }
            }
            else
            {
                var decile = _done * 10 / _total;
                if (decile != _lastDecile)
                {
                    _lastDecile = decile;
                    Console.Error.WriteLine(Text(now));
                }
            }
        }
    }

    public void Finish()
    {
        lock (_gate)
        {
            if (_inPlace)
            {
                Console.Error.WriteLine();
            }
        }
    }

    private string Text(long elapsedMs) =>
        $"{_label}: {_done}/{_total} series ({100.0 * _done / _total:F0} %), {elapsedMs / 1000.0:F1} s";
}
