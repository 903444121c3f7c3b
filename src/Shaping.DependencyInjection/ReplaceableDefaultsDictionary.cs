using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Shaping.DependencyInjection;

/// <summary>
/// A dictionary that starts with default entries which the first entry written replaces: the defaults stand until a
/// host gives entries of its own.
/// </summary>
/// <remarks>
/// The configuration binder (<c>IConfiguration.Bind</c>, <c>services.Configure&lt;T&gt;(section)</c>) fills a
/// dictionary that already holds entries by setting each configured key through the indexer, so with a plain
/// dictionary the defaults would stay beside what appsettings.json gives. Here the first write (<see cref="Add(TKey, TValue)"/>
/// or the indexer) clears them first, so the configured entries are exactly those. Reads do not count, but the binder
/// writes keys in order, so a default key it edits starts from its default value only when no other key was written
/// before it: configured entries should be given in full. <see cref="Remove(TKey)"/> and <see cref="Clear"/>
/// work on the defaults as entries, and after any edit the dictionary is an ordinary dictionary. Not thread-safe, like
/// <see cref="Dictionary{TKey, TValue}"/>: options are configured on one thread.
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
internal sealed class ReplaceableDefaultsDictionary<TKey, TValue> : IDictionary<TKey, TValue>, IReadOnlyDictionary<TKey, TValue>
    where TKey : notnull
{
    private readonly Dictionary<TKey, TValue> _entries;
    private bool _holdsDefaults = true;

    public ReplaceableDefaultsDictionary(IEnumerable<KeyValuePair<TKey, TValue>> defaults, IEqualityComparer<TKey> comparer) =>
        _entries = new Dictionary<TKey, TValue>(defaults, comparer);

    public int Count => _entries.Count;

    public bool IsReadOnly => false;

    public ICollection<TKey> Keys => _entries.Keys;

    public ICollection<TValue> Values => _entries.Values;

    IEnumerable<TKey> IReadOnlyDictionary<TKey, TValue>.Keys => _entries.Keys;

    IEnumerable<TValue> IReadOnlyDictionary<TKey, TValue>.Values => _entries.Values;

    public TValue this[TKey key]
    {
        get => _entries[key];
        set
        {
            ReplaceDefaults();
            _entries[key] = value;
        }
    }

    public void Add(TKey key, TValue value)
    {
        ReplaceDefaults();
        _entries.Add(key, value);
    }

    public void Add(KeyValuePair<TKey, TValue> item) => Add(item.Key, item.Value);

    public bool Remove(TKey key)
    {
        _holdsDefaults = false;
        return _entries.Remove(key);
    }

    public bool Remove(KeyValuePair<TKey, TValue> item)
    {
        _holdsDefaults = false;
        return ((ICollection<KeyValuePair<TKey, TValue>>)_entries).Remove(item);
    }

    public void Clear()
    {
        _entries.Clear();
        _holdsDefaults = false;
    }

    public bool ContainsKey(TKey key) => _entries.ContainsKey(key);

    public bool Contains(KeyValuePair<TKey, TValue> item) => ((ICollection<KeyValuePair<TKey, TValue>>)_entries).Contains(item);

    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value) => _entries.TryGetValue(key, out value);

    public void CopyTo(KeyValuePair<TKey, TValue>[] array, int arrayIndex) =>
        ((ICollection<KeyValuePair<TKey, TValue>>)_entries).CopyTo(array, arrayIndex);

    public Dictionary<TKey, TValue>.Enumerator GetEnumerator() => _entries.GetEnumerator();

    IEnumerator<KeyValuePair<TKey, TValue>> IEnumerable<KeyValuePair<TKey, TValue>>.GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _entries.GetEnumerator();

    private void ReplaceDefaults()
    {
        if (_holdsDefaults)
        {
            _entries.Clear();
            _holdsDefaults = false;
        }
    }
}
