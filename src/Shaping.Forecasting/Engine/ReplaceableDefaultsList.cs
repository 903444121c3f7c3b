using System.Collections;

namespace Shaping.Forecasting.Engine;

/// <summary>
/// A list that starts with default items which the first <see cref="Add"/> replaces: the defaults stand until a host
/// gives items of its own.
/// </summary>
/// <remarks>
/// The configuration binder (<c>IConfiguration.Bind</c>, <c>services.Configure&lt;T&gt;(section)</c>) fills a
/// collection that already holds items by calling <see cref="Add"/> for each configured one, so with a plain list the
/// defaults would stay in front of what appsettings.json gives. Here the first <see cref="Add"/> clears them, so two
/// configured windows are exactly those two. Every other edit (<see cref="Insert"/>, <see cref="Remove"/>,
/// <see cref="Clear"/>, setting an item) works on the defaults as the list's items, and after any edit the list is an
/// ordinary list: a later <see cref="Add"/> appends. Not thread-safe, like <see cref="List{T}"/>: options are
/// configured on one thread.
/// </remarks>
/// <typeparam name="T">The item type.</typeparam>
internal sealed class ReplaceableDefaultsList<T> : IList<T>, IReadOnlyList<T>
{
    private readonly List<T> _items;
    private bool _holdsDefaults = true;

    public ReplaceableDefaultsList(IEnumerable<T> defaults) => _items = [.. defaults];

    public int Count => _items.Count;

    public bool IsReadOnly => false;

    public T this[int index]
    {
        get => _items[index];
        set
        {
            _items[index] = value;
            _holdsDefaults = false;
        }
    }

    public void Add(T item)
    {
        if (_holdsDefaults)
        {
            _items.Clear();
            _holdsDefaults = false;
        }

        _items.Add(item);
    }

    public void Insert(int index, T item)
    {
        _items.Insert(index, item);
        _holdsDefaults = false;
    }

    public bool Remove(T item)
    {
        _holdsDefaults = false;
        return _items.Remove(item);
    }

    public void RemoveAt(int index)
    {
        _items.RemoveAt(index);
        _holdsDefaults = false;
    }

    public void Clear()
    {
        _items.Clear();
        _holdsDefaults = false;
    }

    public bool Contains(T item) => _items.Contains(item);

    public int IndexOf(T item) => _items.IndexOf(item);

    public void CopyTo(T[] array, int arrayIndex) => _items.CopyTo(array, arrayIndex);

    public List<T>.Enumerator GetEnumerator() => _items.GetEnumerator();

    IEnumerator<T> IEnumerable<T>.GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();
}
