using System.Collections.Concurrent;

namespace Shaping.Core.ControlPlane;

/// <summary>
/// A value per string key, for the newest <c>capacity</c> writes: each write stamps its key, and once more than
/// <c>capacity</c> writes have been made, the oldest write's key is forgotten unless a later write re-stamped it.
/// </summary>
/// <remarks>
/// Thread-safe. Writes to one key are expected from one caller at a time (the request handler writes a key only in its
/// request's turn); eviction from any thread removes an entry only while it is still the one that write made.
/// </remarks>
/// <typeparam name="TValue">The value kept per key.</typeparam>
internal sealed class RecentKeyMemory<TValue>(int capacity)
    where TValue : notnull
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Key, long Stamp)> _order = new();
    private long _stamp;

    /// <summary>Gets whether nothing was ever written (a read without a dictionary lookup, for hot paths).</summary>
    public bool NeverWritten => Volatile.Read(ref _stamp) == 0;

    /// <summary>Gets the value kept for a key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value, when kept.</param>
    /// <returns>Whether the key is remembered.</returns>
    public bool TryGet(string key, out TValue value)
    {
        if (!NeverWritten && _entries.TryGetValue(key, out var entry))
        {
            value = entry.Value;
            return true;
        }

        value = default!;
        return false;
    }

    /// <summary>Writes a key: the value, or <paramref name="merge"/> of the kept one and it.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value written.</param>
    /// <param name="merge">Combines the kept value (first) with the written one (second).</param>
    public void AddOrMerge(string key, TValue value, Func<TValue, TValue, TValue> merge)
    {
        var stamp = Interlocked.Increment(ref _stamp);
        _entries.AddOrUpdate(
            key,
            static (_, added) => added.Entry,
            static (_, kept, added) => new Entry(added.Merge(kept.Value, added.Entry.Value), added.Entry.Stamp),
            (Entry: new Entry(value, stamp), Merge: merge));
        _order.Enqueue((key, stamp));
        while (_order.Count > capacity && _order.TryDequeue(out var oldest))
        {
            // Only the entry of that write (the pair's value must match): a later write re-stamped the key and keeps it.
            if (_entries.TryGetValue(oldest.Key, out var entry) && entry.Stamp == oldest.Stamp)
            {
                _entries.TryRemove(new KeyValuePair<string, Entry>(oldest.Key, entry));
            }
        }
    }

    private sealed record Entry(TValue Value, long Stamp);
}
