using Shaping.Core.Resources;
using Shaping.Core.Shapes;

namespace Shaping.Core.Tests.Shapes;

public sealed class ShapeLibraryTests
{
    private static ResourceShape Shape(string name, double price, double cores = 2) =>
        new(name, new ResourceVector(cores, 4, 10, 1), new ShapeProfile(price));

    [Fact]
    public void EveryChange_PublishesANewCatalogVersion()
    {
        var library = new ShapeLibrary([Shape("a", 0.1)]);
        Assert.Equal(1, library.Current.Version);

        var added = library.Add(Shape("b", 0.2));
        var updated = library.Update(Shape("a", 0.15, cores: 3));
        var retired = library.Retire("b");

        Assert.Equal([2L, 3L, 4L], new[] { added.Version, updated.Version, retired.Version });
        Assert.Same(retired, library.Current);
        Assert.Equal(["a"], retired.Shapes.Select(s => s.Name));
        Assert.Equal(2, retired.Shapes[0].Revision);
        Assert.True(library.TryGetCatalog(2, out var v2));
        Assert.Equal(["a", "b"], v2.Shapes.Select(s => s.Name));
    }

    [Fact]
    public void RetiredAndSupersededShapes_StayResolvable()
    {
        var library = new ShapeLibrary([Shape("a", 0.1)]);
        library.Update(Shape("a", 0.12, cores: 4));
        library.Retire("a");

        Assert.True(library.IsRetired("a"));
        Assert.True(library.TryResolve("a", 1, out var first));
        Assert.Equal(2, first.Capacity.CpuCores);
        Assert.True(library.TryResolve("a", 2, out var second));
        Assert.Equal(4, second.Capacity.CpuCores);
        Assert.True(library.TryResolve("a", out var latest));
        Assert.Equal(2, latest.Revision);
        Assert.False(library.TryResolve("a", 3, out _));
        Assert.True(library.Current.IsEmpty);
    }

    [Fact]
    public void InvalidChanges_Throw()
    {
        var library = new ShapeLibrary([Shape("a", 0.1)]);
        Assert.Throws<ArgumentException>("shape", () => library.Add(Shape("a", 0.2)));
        Assert.Throws<ArgumentException>("shape", () => library.Update(Shape("missing", 0.2)));
        library.Retire("a");
        Assert.Throws<ArgumentException>("name", () => library.Retire("a"));
        Assert.Throws<ArgumentException>("shape", () => library.Update(Shape("a", 0.2)));
    }

    [Fact]
    public void CatalogChanged_IsRaisedWithTheNewCatalog()
    {
        var library = new ShapeLibrary();
        var seen = new List<long>();
        library.CatalogChanged += (_, catalog) => seen.Add(catalog.Version);
        library.Add(Shape("a", 0.1));
        library.Add(Shape("b", 0.1));
        Assert.Equal([1L, 2L], seen);
    }

    [Fact]
    public void CatalogChanged_HandlerThatChangesTheLibrary_EveryHandlerSeesVersionOrder()
    {
        // The first handler reacts to version 1 by adding a shape (version 2). The documented contract: one change at
        // a time, in version order, the next event once the handler returns.
        var library = new ShapeLibrary();
        var first = new List<long>();
        var second = new List<long>();
        library.CatalogChanged += (_, catalog) =>
        {
            first.Add(catalog.Version);
            if (catalog.Version == 1)
            {
                library.Add(Shape("reaction", 0.2));
                Assert.Equal([1L], first); // the event of the nested change has not been raised yet
            }
        };
        library.CatalogChanged += (_, catalog) => second.Add(catalog.Version);

        var returned = library.Add(Shape("a", 0.1));

        Assert.Equal(1, returned.Version);
        Assert.Equal(2, library.Current.Version);
        Assert.Equal([1L, 2L], first);
        Assert.Equal([1L, 2L], second);
    }

    [Fact]
    public async Task ConcurrentWriters_ProduceDenseVersionsAndKeepEveryShape()
    {
        var library = new ShapeLibrary();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 25; i++)
            {
                library.Add(Shape($"t{t}-{i}", 0.01 * (i + 1)));
            }
        })));

        Assert.Equal(200, library.Current.Count);
        Assert.Equal(200, library.Current.Version);
        for (long v = 1; v <= 200; v++)
        {
            Assert.True(library.TryGetCatalog(v, out var catalog));
            Assert.Equal((int)v, catalog.Count);
        }
    }

    [Fact]
    public void Constructor_ShapeWithALaterRevision_StartsItsHistoryAtRevisionOne()
    {
        var library = new ShapeLibrary([new ResourceShape("m", new ResourceVector(2, 4, 0, 1), new ShapeProfile(1), revision: 3)]);
        library.Update(Shape("m", 2));

        Assert.True(library.TryResolve("m", 1, out var first));
        Assert.Equal(1, first.Revision);
        Assert.True(library.TryResolve("m", 2, out var second));
        Assert.Equal(2, second.Revision);
        Assert.Equal(2, library.Current[0].Revision);
        Assert.False(library.TryResolve("m", 3, out _));
    }

    [Fact]
    public void CatalogChanged_ConcurrentWriters_EventsArriveInVersionOrder()
    {
        var library = new ShapeLibrary();
        var versions = new List<long>();
        var gate = new Lock();
        library.CatalogChanged += (_, catalog) =>
        {
            // A handler that takes a moment: two writers raising at once would record out of order.
            if (catalog.Version % 40 == 0)
            {
                Thread.Sleep(5);
            }
            lock (gate)
            {
                versions.Add(catalog.Version);
            }
        };

        // Dedicated threads, not pool tasks: the test runner's pool may run tasks one at a time, which hides the race.
        var writers = Enumerable.Range(0, 4).Select(writer => new Thread(() =>
        {
            for (var i = 0; i < 300; i++)
            {
                library.Add(Shape($"w{writer}-{i}", 0.1 + i));
            }
        })).ToList();
        writers.ForEach(t => t.Start());
        writers.ForEach(t => t.Join());

        Assert.Equal(1200, versions.Count);
        Assert.Equal(Enumerable.Range(1, 1200).Select(v => (long)v), versions);
    }
}
