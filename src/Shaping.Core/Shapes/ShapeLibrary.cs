using System.Diagnostics.CodeAnalysis;

namespace Shaping.Core.Shapes;

/// <summary>
/// The mutable home of a platform's shapes: add, update and retire them, each change publishing a new
/// immutable <see cref="ShapeCatalog"/> version.
/// </summary>
/// <remarks>
/// <para>
/// Selection always reads <see cref="Current"/>, a snapshot that never changes under it. Every revision of
/// every shape ever added stays resolvable through <see cref="TryResolve(string, int, out ResourceShape?)"/>, so a
/// replica that still runs on a retired or superseded shape can be priced and resized.
/// </para>
/// <para><b>Thread safety:</b> all members are safe to call concurrently. Writers are serialised; readers
/// never block.</para>
/// </remarks>
public sealed class ShapeLibrary
{
    private readonly Lock _gate = new();

    private readonly Lock _publishGate = new(); // see Change
    private readonly Dictionary<string, List<ResourceShape>> _revisions = new(StringComparer.Ordinal);
    private readonly Dictionary<long, ShapeCatalog> _catalogs = [];
    private readonly HashSet<string> _retired = new(StringComparer.Ordinal);

    // Catalogs whose event is still to be raised, and whether this thread is raising one; both under _publishGate. A
    // handler that changes the library re-enters Change on the same thread (the lock is reentrant): its catalog waits
    // here until the handlers of the current event have returned.
    private readonly Queue<ShapeCatalog> _pendingEvents = new();
    private bool _raising;
    private volatile ShapeCatalog _current;

    /// <summary>Creates a library, optionally seeded with shapes as version 1.</summary>
    /// <param name="shapes">The initial shapes, each as its revision 1 (as <see cref="Add"/> does); <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException">Two initial shapes share a name.</exception>
    public ShapeLibrary(IEnumerable<ResourceShape>? shapes = null)
    {
        var initial = shapes?.ToArray() ?? [];
        foreach (var shape in initial)
        {
            ArgumentNullException.ThrowIfNull(shape, nameof(shapes));
            if (!_revisions.TryAdd(shape.Name, [FirstRevision(shape)]))
            {
                throw new ArgumentException($"The shape name '{shape.Name}' appears more than once.", nameof(shapes));
            }
        }

        _current = new ShapeCatalog(initial, initial.Length == 0 ? 0 : 1);
        _catalogs[_current.Version] = _current;
    }

    /// <summary>Gets the current catalog: the active (not retired) latest revision of every shape.</summary>
    public ShapeCatalog Current => _current;

    /// <summary>
    /// Raised after each change, with the new catalog. Handlers run on the writer's thread, one change at a time and in
    /// version order; a handler may read the library or change it again (the next event follows once it returns), but
    /// must not wait for another thread that changes the library.
    /// </summary>
    public event EventHandler<ShapeCatalog>? CatalogChanged;

    /// <summary>Adds a new shape and publishes a new catalog version.</summary>
    /// <param name="shape">The shape; its name must not be in use (active or retired).</param>
    /// <returns>The new current catalog.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A shape of that name already exists; use <see cref="Update"/>.</exception>
    public ShapeCatalog Add(ResourceShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return Change(() =>
        {
            if (_revisions.ContainsKey(shape.Name))
            {
                throw new ArgumentException(
                    $"A shape named '{shape.Name}' already exists; use Update to revise it.", nameof(shape));
            }

            _revisions.Add(shape.Name, [FirstRevision(shape)]);
        });
    }

    /// <summary>Adds several new shapes and publishes them together as one new catalog version.</summary>
    /// <param name="shapes">The shapes; their names must be distinct and not in use (active or retired).</param>
    /// <returns>The new current catalog (the current one, unchanged, when <paramref name="shapes"/> is empty).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shapes"/> or an element is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A name is already in use or appears twice; nothing is added then.</exception>
    public ShapeCatalog AddRange(IEnumerable<ResourceShape> shapes)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        var batch = shapes.ToArray();
        if (batch.Length == 0)
        {
            return _current;
        }

        return Change(() =>
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var shape in batch)
            {
                ArgumentNullException.ThrowIfNull(shape, nameof(shapes));
                if (_revisions.ContainsKey(shape.Name) || !names.Add(shape.Name))
                {
                    throw new ArgumentException(
                        $"A shape named '{shape.Name}' already exists or appears twice; nothing was added.", nameof(shapes));
                }
            }

            foreach (var shape in batch)
            {
                _revisions.Add(shape.Name, [FirstRevision(shape)]);
            }
        });
    }

    /// <summary>
    /// Replaces an active shape's capacity and profile with a new revision (the previous revision stays
    /// resolvable) and publishes a new catalog version.
    /// </summary>
    /// <param name="shape">The new definition; its <see cref="ResourceShape.Revision"/> is ignored and set to the next one.</param>
    /// <returns>The new current catalog.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">No active shape has that name.</exception>
    public ShapeCatalog Update(ResourceShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return Change(() =>
        {
            if (!_revisions.TryGetValue(shape.Name, out var history) || _retired.Contains(shape.Name))
            {
                throw new ArgumentException($"No active shape is named '{shape.Name}'.", nameof(shape));
            }

            history.Add(new ResourceShape(shape.Name, shape.Capacity, shape.Profile, history[^1].Revision + 1));
        });
    }

    /// <summary>
    /// Removes a shape from future catalogs. Its revisions stay resolvable by name and revision.
    /// </summary>
    /// <param name="name">The shape name.</param>
    /// <returns>The new current catalog.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">No active shape has that name.</exception>
    public ShapeCatalog Retire(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Change(() =>
        {
            if (!_revisions.ContainsKey(name) || !_retired.Add(name))
            {
                throw new ArgumentException($"No active shape is named '{name}'.", nameof(name));
            }
        });
    }

    /// <summary>Gets whether a shape name has been retired.</summary>
    /// <param name="name">The shape name.</param>
    /// <returns><see langword="true"/> when retired.</returns>
    public bool IsRetired(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_gate)
        {
            return _retired.Contains(name);
        }
    }

    /// <summary>
    /// Applies one change under the lock, publishes the new catalog and raises <see cref="CatalogChanged"/>: writers hold
    /// the publish lock through their event, so events arrive in version order, while readers take only the state lock
    /// and a slow handler never blocks them.
    /// </summary>
    /// <remarks>
    /// A change made by a handler is published at once, but its event is queued and raised after the current event's
    /// handlers have all returned, so that every handler sees the versions in order.
    /// </remarks>
    /// <param name="changeLocked">Validates and changes the revisions or the retired set; throws to change nothing.</param>
    private ShapeCatalog Change(Action changeLocked)
    {
        lock (_publishGate)
        {
            ShapeCatalog catalog;
            lock (_gate)
            {
                changeLocked();
                catalog = PublishLocked();
            }

            _pendingEvents.Enqueue(catalog);
            if (_raising)
            {
                return catalog; // called from a handler: the outer Change raises it next
            }

            _raising = true;
            try
            {
                // A handler that throws leaves the rest queued; they are raised, still in order, before the next change's.
                while (_pendingEvents.TryDequeue(out var next))
                {
                    CatalogChanged?.Invoke(this, next);
                }
            }
            finally
            {
                _raising = false;
            }

            return catalog;
        }
    }

    private static ResourceShape FirstRevision(ResourceShape shape) =>
        shape.Revision == 1 ? shape : new ResourceShape(shape.Name, shape.Capacity, shape.Profile, 1);

    /// <summary>Resolves one revision of a shape, active, superseded or retired.</summary>
    /// <param name="name">The shape name.</param>
    /// <param name="revision">The revision, from 1.</param>
    /// <param name="shape">The shape, when found.</param>
    /// <returns><see langword="true"/> when that revision exists.</returns>
    public bool TryResolve(string name, int revision, [NotNullWhen(true)] out ResourceShape? shape)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_gate)
        {
            if (_revisions.TryGetValue(name, out var history) && revision >= 1 && revision <= history.Count)
            {
                shape = history[revision - 1];
                return true;
            }
        }

        shape = null;
        return false;
    }

    /// <summary>Resolves the latest revision of a shape, active or retired.</summary>
    /// <param name="name">The shape name.</param>
    /// <param name="shape">The shape, when found.</param>
    /// <returns><see langword="true"/> when a shape of that name was ever added.</returns>
    public bool TryResolve(string name, [NotNullWhen(true)] out ResourceShape? shape)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_gate)
        {
            if (_revisions.TryGetValue(name, out var history))
            {
                shape = history[^1];
                return true;
            }
        }

        shape = null;
        return false;
    }

    /// <summary>Gets a catalog published earlier by this library.</summary>
    /// <param name="version">The catalog version.</param>
    /// <param name="catalog">The catalog, when found.</param>
    /// <returns><see langword="true"/> when this library published that version.</returns>
    public bool TryGetCatalog(long version, [NotNullWhen(true)] out ShapeCatalog? catalog)
    {
        lock (_gate)
        {
            return _catalogs.TryGetValue(version, out catalog);
        }
    }

    private ShapeCatalog PublishLocked()
    {
        var active = _revisions
            .Where(pair => !_retired.Contains(pair.Key))
            .Select(pair => pair.Value[^1]);
        var catalog = new ShapeCatalog(active, _current.Version + 1);
        _catalogs[catalog.Version] = catalog;
        _current = catalog;
        return catalog;
    }
}
