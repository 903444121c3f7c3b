using System.Collections.Immutable;
using System.Globalization;
using Shaping.Core.Capacity;
using Shaping.Core.Resources;

namespace Shaping.Core.Shapes;

/// <summary>
/// Proposes a small set of shapes tailored to observed per-replica demand: at most k shapes, each demand fitting one
/// of them with headroom, at the lowest expected cost.
/// </summary>
/// <remarks>
/// <para>The method, in order:</para>
/// <list type="number">
/// <item><description>Every demand is multiplied by <c>1 + headroom</c> (the requirement).</description></item>
/// <item><description>Requirements are normalised per dimension by their maximum and clustered by k-means++ (seeded
/// initialisation, then Lloyd iterations).</description></item>
/// <item><description>Each cluster's shape is the per-dimension maximum of its members' requirements, rounded up to
/// the provider's <see cref="ShapeGranularity"/> and priced by a <see cref="LinearPriceModel"/> (given, or fitted to
/// the current catalog). The maximum, not a lower quantile, is what guarantees that every demand fits.</description></item>
/// <item><description>Local search with first-improvement moves, accepted only when the expected cost drops: merge two
/// clusters; move a member that defines a cluster's envelope to another cluster; split a cluster in two (2-means)
/// while fewer than k shapes are used. Every move keeps each demand inside its own cluster's shape, so coverage
/// always holds.</description></item>
/// <item><description>When a current catalog is given, the same local search also starts from the catalog's own grouping
/// (each demand on its cheapest covering catalog shape, the cheapest merges first until at most k groups remain), and
/// the cheaper of the two results is proposed.</description></item>
/// <item><description>A cluster keeps a shape of the current catalog, as it is, when one covers the cluster for less than
/// the new shape would cost at the model's price: a catalog listed below the model's fitted price (a cheap smallest
/// shape, say) is not replaced by a dearer proposal. So the proposal never costs more than the catalog when the
/// catalog's grouping of the demands uses at most k shapes.</description></item>
/// </list>
/// <para>
/// The expected cost of a set of shapes is the sum over demands of the price of the cheapest shape in the set that
/// covers the demand's requirement. The current catalog is scored the same way. The result is deterministic for a
/// given input and seed. Runtime is O(iterations × k² × n) in the worst case; it is meant for thousands of demands,
/// offline.
/// </para>
/// </remarks>
public static class ShapeSynthesizer
{
    private const int LloydIterations = 100;

    /// <summary>Proposes shapes for the observed demands.</summary>
    /// <param name="demands">Observed per-replica demand vectors; at least one, each finite and non-negative, and with the
    /// headroom at most <see cref="CapacityLimits.MaxAmount"/> in every dimension.</param>
    /// <param name="options">Settings; <see langword="null"/> for the defaults.</param>
    /// <param name="currentCatalog">The catalog to compare against (and to fit the price model to when
    /// <see cref="ShapeSynthesisOptions.PriceModel"/> is not set); <see langword="null"/> for no comparison.</param>
    /// <returns>The proposed shapes, their expected cost and the saving against <paramref name="currentCatalog"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="demands"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="demands"/> is empty or (with a granularity of 0 in every dimension) all zero; or there is neither a
    /// price model nor a non-empty catalog to fit one to; or the price model prices a proposed shape's capacity at 0 (a
    /// model with no base price that charges only for dimensions the proposal has none of), with the parameter
    /// <paramref name="options"/> for <see cref="ShapeSynthesisOptions.PriceModel"/> and <paramref name="currentCatalog"/>
    /// for a model fitted to it.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A demand is NaN, infinite or negative in some dimension, or above <see cref="CapacityLimits.MaxAmount"/> once
    /// multiplied by <c>1 + </c><see cref="ShapeSynthesisOptions.Headroom"/> (no capacity ledger could reserve a shape
    /// that large; the parameter is <paramref name="demands"/>); or an option is invalid; or (with no price model given)
    /// a shape of <paramref name="currentCatalog"/> is too large to fit one to (see
    /// <see cref="LinearPriceModel.Fit(IEnumerable{ResourceShape})"/>).
    /// </exception>
    public static ShapeSynthesisResult Synthesize(
        IReadOnlyList<ResourceVector> demands, ShapeSynthesisOptions? options = null, ShapeCatalog? currentCatalog = null)
    {
        ArgumentNullException.ThrowIfNull(demands);
        options ??= new ShapeSynthesisOptions();
        options.Validate();
        if (demands.Count == 0)
        {
            throw new ArgumentException("At least one demand is needed to synthesise shapes.", nameof(demands));
        }

        var model = options.PriceModel
            ?? (currentCatalog is { IsEmpty: false }
                ? FitPriceModel(currentCatalog)
                : throw new ArgumentException(
                    "Set ShapeSynthesisOptions.PriceModel or pass a non-empty current catalog to fit one to.", nameof(options)));

        var required = new ResourceVector[demands.Count];
        for (var i = 0; i < required.Length; i++)
        {
            var demand = demands[i];
            if (!demand.IsValidAmount)
            {
                throw new ArgumentOutOfRangeException(nameof(demands), demand, $"Demand {i} must be finite and non-negative.");
            }

            // A shape larger than any ledger can reserve is of no use, and far larger amounts overflow the rounding and
            // pricing below; the bound is the one every capacity ledger applies to a replica's amount.
            required[i] = demand.Scale(1 + options.Headroom);
            if (!CapacityLimits.IsWithinMaxAmount(required[i]))
            {
                throw new ArgumentOutOfRangeException(
                    nameof(demands),
                    demand,
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"Demand {i} × (1 + ShapeSynthesisOptions.Headroom) is {required[i]}, above {CapacityLimits.MaxAmount:0e0} in some dimension (CapacityLimits.MaxAmount, the most any capacity ledger reserves per replica)."));
            }
        }

        // A requirement that rounds to no capacity at all (an idle replica, with a granularity that leaves every
        // dimension unrounded) fits any shape: it is priced on the cheapest proposed shape but sizes none.
        var sized = Array.FindAll(required, r => !options.Granularity.RoundUp(r).IsZero);
        if (sized.Length == 0)
        {
            throw new ArgumentException(
                "Every demand is zero and ShapeSynthesisOptions.Granularity has no positive step, so there is nothing to size a shape by.",
                nameof(demands));
        }

        var search = new Search(sized, required, options.Granularity, model, currentCatalog is { IsEmpty: false } ? currentCatalog : null);
        var assignment = KMeansPlusPlus(sized, options.ShapeCount, new Random(options.Seed));
        search.Improve(assignment, options.ShapeCount, options.MaxImprovements, new Random(options.Seed));
        if (currentCatalog is { IsEmpty: false })
        {
            // The catalog's own grouping is a second start: k-means' local optimum can cost more than the catalog it is
            // meant to beat, while this start is never worse than the catalog when the catalog's shapes are on whole
            // steps and listed at or above the model's price.
            var fromCatalog = search.MergeDownTo(CatalogAssignment(sized, currentCatalog), options.ShapeCount);
            search.Improve(fromCatalog, options.ShapeCount, options.MaxImprovements, new Random(options.Seed));
            if (search.Cost(fromCatalog) < search.Cost(assignment))
            {
                assignment = fromCatalog;
            }

            if (sized.Length < required.Length)
            {
                // The catalog runs the requirements that round to nothing on its cheapest shape, a group of their own that
                // the start above loses (they size no cluster), pricing them on the proposal's cheapest shape instead: with
                // few other small demands, dearer than the catalog. A third start keeps that group, through a stand-in
                // member the size of the cheapest catalog shape. It is not a demand: the cost is still taken over the
                // demands alone, so the start costs no more than the catalog when its grouping uses at most k shapes.
                ResourceVector[] sizedWithIdle = [.. sized, currentCatalog[0].Capacity];
                var withIdle = new Search(sizedWithIdle, required, options.Granularity, model, currentCatalog);
                var fromCatalogWithIdle = withIdle.MergeDownTo(CatalogAssignment(sizedWithIdle, currentCatalog), options.ShapeCount);
                withIdle.Improve(fromCatalogWithIdle, options.ShapeCount, options.MaxImprovements, new Random(options.Seed));
                if (withIdle.Cost(fromCatalogWithIdle) < search.Cost(assignment))
                {
                    search = withIdle;
                    assignment = fromCatalogWithIdle;
                }
            }
        }

        var (capacities, prices, kept) = search.Shapes(assignment);
        var unique = Enumerable.Range(0, capacities.Length)
            .Select(c => (Capacity: capacities[c], Price: prices[c], Kept: kept[c]))
            .DistinctBy(s => s.Capacity)
            .OrderBy(s => s.Price)
            .ThenBy(s => s.Capacity.CpuCores)
            .ToArray();
        var shapes = ImmutableArray.CreateBuilder<ResourceShape>(unique.Length);
        var created = ImmutableArray.CreateBuilder<ResourceShape>(unique.Length);

        // A proposed name skips the numbers whose name a shape of the current catalog already has: a kept shape named
        // syn-1 beside a new syn-1 would make Shapes hold one name twice, which no catalog accepts.
        var taken = currentCatalog is null
            ? new HashSet<string>(StringComparer.Ordinal)
            : currentCatalog.Shapes.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var number = 0;
        foreach (var (capacity, price, keptShape) in unique)
        {
            if (keptShape is not null)
            {
                shapes.Add(keptShape);
                continue;
            }

            if (!(price > 0 && double.IsFinite(price)))
            {
                // The model is an argument: the caller's ShapeSynthesisOptions.PriceModel, or the one fitted to the catalog.
                throw options.PriceModel is not null
                    ? new ArgumentException(
                        $"ShapeSynthesisOptions.PriceModel prices the proposed capacity {capacity} at {price}; a proposed shape needs a finite, positive price (charge a base price, or for a dimension every proposal has).",
                        nameof(options))
                    : new ArgumentException(
                        $"The price model fitted to the current catalog prices the proposed capacity {capacity} at {price}; a proposed shape needs a finite, positive price (set ShapeSynthesisOptions.PriceModel).",
                        nameof(currentCatalog));
            }

            string name;
            do
            {
                name = string.Create(CultureInfo.InvariantCulture, $"{options.NamePrefix}{++number}");
            }
            while (taken.Contains(name));

            var shape = new ResourceShape(name, capacity, new ShapeProfile(price, 1.0, SizeClass.Custom));
            created.Add(shape);
            shapes.Add(shape);
        }

        var expected = Search.ExpectedCost(required, [.. unique.Select(u => u.Capacity)], [.. unique.Select(u => u.Price)]);
        var (catalogCost, uncovered) = currentCatalog is null ? (double.NaN, 0) : CatalogCost(required, currentCatalog);
        return new ShapeSynthesisResult(shapes.MoveToImmutable(), created.ToImmutable(), model, expected, catalogCost, uncovered);
    }

    // The price model fitted to the current catalog; a shape too large to fit is the catalog's fault, so say so.
    private static LinearPriceModel FitPriceModel(ShapeCatalog currentCatalog)
    {
        try
        {
            return LinearPriceModel.Fit(currentCatalog.Shapes);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            var reason = ex.ParamName is null ? ex.Message : ex.Message.Replace($" (Parameter '{ex.ParamName}')", string.Empty, StringComparison.Ordinal);
            throw new ArgumentOutOfRangeException(nameof(currentCatalog), $"No price model can be fitted to the current catalog: {reason}");
        }
    }

    private static (double Cost, int Uncovered) CatalogCost(ResourceVector[] required, ShapeCatalog catalog)
    {
        var cost = 0.0;
        var uncovered = 0;
        foreach (var need in required)
        {
            var index = CheapestCovering(catalog, need);
            if (index >= 0)
            {
                cost += catalog[index].PricePerHour;
            }
            else
            {
                uncovered++;
            }
        }

        return (uncovered > 0 ? double.PositiveInfinity : cost, uncovered);
    }

    // The index of the cheapest catalog shape that covers need (the catalog is in ascending price, so the first that
    // does), or -1 when none does.
    private static int CheapestCovering(ShapeCatalog catalog, ResourceVector need)
    {
        for (var s = 0; s < catalog.Count; s++)
        {
            if (need.FitsWithin(catalog[s].Capacity))
            {
                return s;
            }
        }

        return -1;
    }

    // Each requirement on its cheapest covering catalog shape (the catalog is in ascending price); those no shape covers
    // share one more cluster.
    private static int[] CatalogAssignment(ResourceVector[] required, ShapeCatalog catalog)
    {
        var assignment = new int[required.Length];
        for (var i = 0; i < required.Length; i++)
        {
            var index = CheapestCovering(catalog, required[i]);
            assignment[i] = index >= 0 ? index : catalog.Count;
        }

        return Search.Compact(assignment);
    }

    private static int[] KMeansPlusPlus(ResourceVector[] required, int k, Random random)
    {
        var n = required.Length;
        var scale = required.Aggregate(ResourceVector.Zero, ResourceVector.Max);
        var points = new double[n][];
        for (var i = 0; i < n; i++)
        {
            points[i] = new double[ResourceVector.DimensionCount];
            for (var d = 0; d < ResourceVector.DimensionCount; d++)
            {
                var s = scale[(Dimension)d];
                points[i][d] = s > 0 ? required[i][(Dimension)d] / s : 0;
            }
        }

        var centers = new List<double[]> { (double[])points[random.Next(n)].Clone() };
        var nearest = new double[n];
        while (centers.Count < Math.Min(k, n))
        {
            var total = 0.0;
            for (var i = 0; i < n; i++)
            {
                nearest[i] = centers.Min(c => Distance(points[i], c));
                total += nearest[i];
            }

            if (total <= 0)
            {
                break; // every point coincides with a center
            }

            var target = random.NextDouble() * total;
            var chosen = n - 1;
            for (var i = 0; i < n; i++)
            {
                target -= nearest[i];
                if (target <= 0)
                {
                    chosen = i;
                    break;
                }
            }

            centers.Add((double[])points[chosen].Clone());
        }

        var assignment = new int[n];
        for (var iteration = 0; iteration < LloydIterations; iteration++)
        {
            var changed = false;
            for (var i = 0; i < n; i++)
            {
                var best = 0;
                for (var c = 1; c < centers.Count; c++)
                {
                    if (Distance(points[i], centers[c]) < Distance(points[i], centers[best]))
                    {
                        best = c;
                    }
                }

                changed |= assignment[i] != best || iteration == 0;
                assignment[i] = best;
            }

            if (!changed)
            {
                break;
            }

            for (var c = 0; c < centers.Count; c++)
            {
                var members = Enumerable.Range(0, n).Where(i => assignment[i] == c).ToArray();
                if (members.Length == 0)
                {
                    continue;
                }

                for (var d = 0; d < ResourceVector.DimensionCount; d++)
                {
                    centers[c][d] = members.Average(i => points[i][d]);
                }
            }
        }

        return Search.Compact(assignment);
    }

    private static double Distance(double[] a, double[] b)
    {
        var sum = 0.0;
        for (var d = 0; d < a.Length; d++)
        {
            var delta = a[d] - b[d];
            sum += delta * delta;
        }

        return sum;
    }

    /// <summary>Evaluates and improves an assignment of requirements to clusters.</summary>
    /// <param name="required">The requirements that are clustered (each rounds to some capacity).</param>
    /// <param name="all">Every requirement, including those that fit any shape: what the expected cost is taken over.</param>
    /// <param name="granularity">The provider's granularity.</param>
    /// <param name="model">The price model.</param>
    /// <param name="catalog">The current catalog, whose shapes a cluster keeps when one covers it for less than a new
    /// shape would cost; <see langword="null"/> for none.</param>
    private sealed class Search(
        ResourceVector[] required, ResourceVector[] all, ShapeGranularity granularity, LinearPriceModel model, ShapeCatalog? catalog)
    {
        public static int[] Compact(int[] assignment)
        {
            var map = new Dictionary<int, int>();
            var result = new int[assignment.Length];
            for (var i = 0; i < assignment.Length; i++)
            {
                if (!map.TryGetValue(assignment[i], out var label))
                {
                    label = map.Count;
                    map[assignment[i]] = label;
                }

                result[i] = label;
            }

            return result;
        }

        public static double ExpectedCost(ResourceVector[] required, ResourceVector[] capacities, double[] prices)
        {
            var order = Enumerable.Range(0, prices.Length).OrderBy(s => prices[s]).ToArray();
            var cost = 0.0;
            foreach (var need in required)
            {
                var found = double.PositiveInfinity;
                foreach (var s in order)
                {
                    if (need.FitsWithin(capacities[s]))
                    {
                        found = prices[s];
                        break;
                    }
                }

                cost += found;
            }

            return cost;
        }

        /// <summary>Each cluster's shape: its capacity, its price and the catalog shape it keeps (null for a new one).</summary>
        public (ResourceVector[] Capacities, double[] Prices, ResourceShape?[] Kept) Shapes(int[] assignment)
        {
            var count = assignment.Max() + 1;
            var envelopes = new ResourceVector[count];
            for (var i = 0; i < assignment.Length; i++)
            {
                envelopes[assignment[i]] = ResourceVector.Max(envelopes[assignment[i]], required[i]);
            }

            var capacities = new ResourceVector[count];
            var prices = new double[count];
            var kept = new ResourceShape?[count];
            for (var c = 0; c < count; c++)
            {
                (capacities[c], prices[c], kept[c]) = ShapeFor(envelopes[c]);
            }

            return (capacities, prices, kept);
        }

        // The cheapest shape for a cluster's envelope: a new one, the envelope rounded up to whole steps at the model's
        // price, or the cheapest catalog shape that covers the envelope when its list price is lower (a proposal has no
        // reason to replace a catalog shape with a dearer one of its own, as a catalog listed below the model's fitted
        // price for its smallest shapes would otherwise make it do).
        private (ResourceVector Capacity, double Price, ResourceShape? Kept) ShapeFor(ResourceVector envelope)
        {
            var capacity = granularity.RoundUp(envelope);
            var price = model.PriceOf(capacity);
            if (catalog is not null && CheapestCovering(catalog, envelope) is >= 0 and var index && catalog[index].PricePerHour < price)
            {
                var shape = catalog[index];
                return (shape.Capacity, shape.PricePerHour, shape);
            }

            return (capacity, price, null);
        }

        public void Improve(int[] assignment, int maxShapes, int maxImprovements, Random random)
        {
            var best = Cost(assignment);
            for (var improvements = 0; improvements < maxImprovements; improvements++)
            {
                var candidate = Candidates(assignment, maxShapes, random).FirstOrDefault(c => Cost(c) < best * (1 - 1e-12));
                if (candidate is null)
                {
                    return;
                }

                Array.Copy(candidate, assignment, assignment.Length);
                best = Cost(assignment);
            }
        }

        /// <summary>
        /// Merges, one pair at a time, the two clusters whose merge adds least to the cost of running every member on its
        /// own cluster's shape, until at most <paramref name="maxShapes"/> remain. Works on cluster envelopes, so a catalog
        /// of many shapes costs O(clusters³) prices, not a full evaluation per pair.
        /// </summary>
        public int[] MergeDownTo(int[] assignment, int maxShapes)
        {
            var count = assignment.Max() + 1;
            if (count <= maxShapes)
            {
                return assignment;
            }

            var envelopes = new ResourceVector[count];
            var sizes = new int[count];
            for (var i = 0; i < assignment.Length; i++)
            {
                envelopes[assignment[i]] = ResourceVector.Max(envelopes[assignment[i]], required[i]);
                sizes[assignment[i]]++;
            }

            var into = Enumerable.Range(0, count).ToArray();
            for (var remaining = count; remaining > maxShapes; remaining--)
            {
                var (bestA, bestB, bestIncrease) = (-1, -1, double.PositiveInfinity);
                for (var a = 0; a < count; a++)
                {
                    for (var b = a + 1; b < count && into[a] == a; b++)
                    {
                        if (into[b] != b)
                        {
                            continue;
                        }

                        var increase = ((sizes[a] + sizes[b]) * PriceOf(ResourceVector.Max(envelopes[a], envelopes[b])))
                            - (sizes[a] * PriceOf(envelopes[a])) - (sizes[b] * PriceOf(envelopes[b]));
                        if (bestA < 0 || increase < bestIncrease)
                        {
                            (bestA, bestB, bestIncrease) = (a, b, increase);
                        }
                    }
                }

                envelopes[bestA] = ResourceVector.Max(envelopes[bestA], envelopes[bestB]);
                sizes[bestA] += sizes[bestB];
                into[bestB] = bestA;
            }

            var merged = new int[assignment.Length];
            for (var i = 0; i < merged.Length; i++)
            {
                var c = assignment[i];
                while (into[c] != c)
                {
                    c = into[c];
                }

                merged[i] = c;
            }

            return Compact(merged);
        }

        public double Cost(int[] assignment)
        {
            var (capacities, prices, _) = Shapes(assignment);
            return ExpectedCost(all, capacities, prices);
        }

        private IEnumerable<int[]> Candidates(int[] assignment, int maxShapes, Random random)
        {
            var count = assignment.Max() + 1;

            // Merge two clusters.
            for (var a = 0; a < count; a++)
            {
                for (var b = a + 1; b < count; b++)
                {
                    yield return Merge(assignment, a, b);
                }
            }

            // Move a member that defines its cluster's envelope to another cluster.
            var sizes = new int[count];
            foreach (var c in assignment)
            {
                sizes[c]++;
            }

            foreach (var i in EnvelopeDefiners(assignment, count))
            {
                if (sizes[assignment[i]] < 2)
                {
                    continue;
                }

                for (var target = 0; target < count; target++)
                {
                    if (target != assignment[i])
                    {
                        var moved = (int[])assignment.Clone();
                        moved[i] = target;
                        yield return moved;
                    }
                }
            }

            // Split a cluster in two while fewer than the allowed number of shapes are used.
            if (count < maxShapes)
            {
                for (var c = 0; c < count; c++)
                {
                    if (sizes[c] >= 2)
                    {
                        yield return Split(assignment, c, count, random);
                    }
                }
            }
        }

        private double PriceOf(ResourceVector envelope) => ShapeFor(envelope).Price;

        private static int[] Merge(int[] assignment, int a, int b)
        {
            var merged = (int[])assignment.Clone();
            for (var i = 0; i < merged.Length; i++)
            {
                if (merged[i] == b)
                {
                    merged[i] = a;
                }
            }

            return Compact(merged);
        }

        private SortedSet<int> EnvelopeDefiners(int[] assignment, int count)
        {
            var definers = new SortedSet<int>();
            for (var d = 0; d < ResourceVector.DimensionCount; d++)
            {
                var argmax = new int[count];
                Array.Fill(argmax, -1);
                for (var i = 0; i < assignment.Length; i++)
                {
                    var c = assignment[i];
                    if (argmax[c] < 0 || required[i][(Dimension)d] > required[argmax[c]][(Dimension)d])
                    {
                        argmax[c] = i;
                    }
                }

                foreach (var i in argmax)
                {
                    if (i >= 0)
                    {
                        definers.Add(i);
                    }
                }
            }

            return definers;
        }

        private int[] Split(int[] assignment, int cluster, int newLabel, Random random)
        {
            var members = Enumerable.Range(0, assignment.Length).Where(i => assignment[i] == cluster).ToArray();
            var size = required.Aggregate(ResourceVector.Zero, ResourceVector.Max);
            double Normalised(int i, int d) => size[(Dimension)d] > 0 ? required[i][(Dimension)d] / size[(Dimension)d] : 0;
            double Dist(int i, int j)
            {
                var s = 0.0;
                for (var d = 0; d < ResourceVector.DimensionCount; d++)
                {
                    var delta = Normalised(i, d) - Normalised(j, d);
                    s += delta * delta;
                }

                return s;
            }

            // Seed with a random member and the member farthest from it, then one assignment pass.
            var first = members[random.Next(members.Length)];
            var second = members.MaxBy(m => Dist(m, first));
            var result = (int[])assignment.Clone();
            foreach (var m in members)
            {
                result[m] = Dist(m, second) < Dist(m, first) ? newLabel : cluster;
            }

            return Compact(result);
        }
    }
}
