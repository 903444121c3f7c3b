using MathNet.Numerics.Distributions;

namespace Shaping.Forecasting.Tuning;

/// <summary>
/// Bayesian optimisation of an expensive black-box objective over a box of continuous, integer and categorical
/// dimensions: a Gaussian process with a Matérn 5/2 kernel models the objective, and each next point maximises the
/// expected improvement over the best value so far.
/// </summary>
/// <remarks>
/// <para>
/// <b>Loop.</b> The first <see cref="InitialPoints"/> points are drawn uniformly at random (points told before,
/// for example the last tuning's best, count towards them: that is the warm start). After that each
/// <see cref="Suggest"/> refits the process's hyperparameters by marginal likelihood and maximises
/// EI(x) = (f* − μ(x))Φ(z) + σ(x)φ(z), z = (f* − μ(x))/σ(x), by scoring <see cref="CandidateCount"/> random points
/// and polishing the best few by a coordinate pattern search (continuous and integer coordinates move in halving
/// steps on the unit scale; categorical ones try every choice).
/// </para>
/// <para>
/// <b>Failures.</b> An objective value that is not finite (a failed evaluation) is kept, but the process sees it as
/// the worst finite value observed, so the search moves away from it.
/// </para>
/// <para><b>Thread safety:</b> not thread-safe. <b>Reproducibility:</b> the same seed and the same observations give
/// the same suggestions.</para>
/// </remarks>
public sealed class BayesianOptimizer
{
    private const int PolishedCandidates = 5;
    private readonly SearchDimension[] _dimensions;
    private readonly List<double[]> _points = [];
    private readonly List<double> _values = [];
    private readonly Random _random;
    private readonly GaussianProcess _process;
    private readonly int _features;

    /// <summary>Creates an optimiser.</summary>
    /// <param name="dimensions">The search space, at least one dimension.</param>
    /// <param name="seed">The seed of the random initial design and candidate sampling.</param>
    /// <param name="initialPoints">Random points before the model takes over; 0 chooses max(5, 2d + 1) for d dimensions.</param>
    /// <exception cref="ArgumentNullException"><paramref name="dimensions"/> is or holds <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="dimensions"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initialPoints"/> is negative.</exception>
    public BayesianOptimizer(IEnumerable<SearchDimension> dimensions, int seed = 0, int initialPoints = 0)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        _dimensions = [.. dimensions];
        if (_dimensions.Length == 0)
        {
            throw new ArgumentException("At least one dimension is needed.", nameof(dimensions));
        }

        foreach (var dimension in _dimensions)
        {
            ArgumentNullException.ThrowIfNull(dimension, nameof(dimensions));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(initialPoints);
        InitialPoints = initialPoints > 0 ? initialPoints : Math.Max(5, (2 * _dimensions.Length) + 1);
        _random = new Random(seed);
        _features = _dimensions.Sum(d => d.Kind == SearchDimensionKind.Categorical ? d.ChoiceCount : 1);
        _process = new GaussianProcess(_features);
    }

    /// <summary>Gets the search space.</summary>
    public IReadOnlyList<SearchDimension> Dimensions => _dimensions;

    /// <summary>Gets the number of random points before the Gaussian process guides the search.</summary>
    public int InitialPoints { get; }

    /// <summary>Gets or sets how many random candidates the acquisition is scored on before the local search.</summary>
    /// <value>The default value is 2,000.</value>
    public int CandidateCount
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, PolishedCandidates);
            field = value;
        }
    }

    = 2000;

    /// <summary>Gets the number of observations told so far.</summary>
    public int ObservationCount => _points.Count;

    /// <summary>Gets the best (lowest) finite value told so far; +∞ before any.</summary>
    public double BestValue { get; private set; } = double.PositiveInfinity;

    /// <summary>Gets the point of <see cref="BestValue"/>; <see langword="null"/> before any finite value.</summary>
    public IReadOnlyList<double>? BestPoint { get; private set; }

    /// <summary>Records an evaluated point: an observation of the search or a warm start from an earlier run.</summary>
    /// <param name="point">One valid value per dimension (whole numbers for integer dimensions, a choice index for categorical ones).</param>
    /// <param name="value">The objective at the point; +∞ or NaN for a failed evaluation.</param>
    /// <exception cref="ArgumentException">The point has the wrong length or a value outside its dimension.</exception>
    public void Tell(ReadOnlySpan<double> point, double value)
    {
        if (point.Length != _dimensions.Length)
        {
            throw new ArgumentException($"The point has {point.Length} values; the space has {_dimensions.Length} dimensions.", nameof(point));
        }

        for (var j = 0; j < point.Length; j++)
        {
            if (!_dimensions[j].IsValid(point[j]))
            {
                throw new ArgumentException($"Value {point[j]} is not valid for dimension {_dimensions[j]}.", nameof(point));
            }
        }

        var copy = point.ToArray();
        _points.Add(copy);
        _values.Add(value);
        if (double.IsFinite(value) && value < BestValue)
        {
            BestValue = value;
            BestPoint = copy;
        }
    }

    /// <summary>Proposes the next point to evaluate.</summary>
    /// <param name="cancellationToken">Cancels the acquisition search.</param>
    /// <returns>One value per dimension.</returns>
    public double[] Suggest(CancellationToken cancellationToken = default)
    {
        var finite = _values.Where(double.IsFinite).ToArray();
        if (_points.Count < InitialPoints || finite.Length < 2)
        {
            return RandomPoint();
        }

        var worst = finite.Max();
        var x = _points.Select(Encode).ToArray();
        var y = _values.Select(v => double.IsFinite(v) ? v : worst).ToArray();
        _process.Fit(x, y);
        var target = finite.Min();
        var scratch = new double[x.Length];
        var features = new double[_features];

        double Acquisition(double[] point)
        {
            Encode(point, features);
            var (mean, sd) = _process.Predict(features, scratch);
            var improvement = target - mean;
            var z = improvement / sd;
            return (improvement * Normal.CDF(0, 1, z)) + (sd * Normal.PDF(0, 1, z));
        }

        var candidates = new List<(double[] Point, double Score)>(CandidateCount);
        for (var c = 0; c < CandidateCount; c++)
        {
            var point = RandomPoint();
            candidates.Add((point, Acquisition(point)));
        }

        // Also start local searches from the best points seen: EI is often highest next to them.
        foreach (var index in Enumerable.Range(0, _points.Count).OrderBy(i => y[i]).Take(2))
        {
            var point = (double[])_points[index].Clone();
            candidates.Add((point, Acquisition(point)));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var best = candidates[0];
        foreach (var start in candidates.OrderByDescending(c => c.Score).Take(PolishedCandidates))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var polished = PatternSearch(start.Point, start.Score, Acquisition);
            if (polished.Score > best.Score)
            {
                best = polished;
            }
        }

        return best.Point;
    }

    /// <summary>
    /// Minimises <paramref name="objective"/> with <paramref name="evaluations"/> evaluations (on top of any points
    /// told before), and returns the best point seen, including told ones.
    /// </summary>
    /// <param name="objective">The function to minimise; it receives a fresh array it may keep.</param>
    /// <param name="evaluations">The evaluation budget; at least 1.</param>
    /// <param name="cancellationToken">Cancels between evaluations.</param>
    /// <returns>The best point and value, and the evaluations spent.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="objective"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="evaluations"/> is below 1.</exception>
    /// <exception cref="InvalidOperationException">No evaluation gave a finite value.</exception>
    public OptimizationResult Minimize(Func<double[], double> objective, int evaluations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentOutOfRangeException.ThrowIfLessThan(evaluations, 1);
        for (var i = 0; i < evaluations; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var point = Suggest(cancellationToken);
            Tell(point, objective((double[])point.Clone()));
        }

        if (BestPoint is null)
        {
            throw new InvalidOperationException("No evaluation of the objective gave a finite value.");
        }

        return new OptimizationResult([.. BestPoint], BestValue, evaluations);
    }

    private (double[] Point, double Score) PatternSearch(double[] start, double startScore, Func<double[], double> acquisition)
    {
        var point = (double[])start.Clone();
        var score = startScore;
        var step = 0.1;
        var trial = new double[point.Length];
        while (step > 1e-4)
        {
            var improved = false;
            for (var j = 0; j < _dimensions.Length; j++)
            {
                var dimension = _dimensions[j];
                if (dimension.Kind == SearchDimensionKind.Categorical)
                {
                    for (var choice = 0; choice < dimension.ChoiceCount; choice++)
                    {
                        if (choice == (int)point[j])
                        {
                            continue;
                        }

                        point.CopyTo(trial, 0);
                        trial[j] = choice;
                        var value = acquisition(trial);
                        if (value > score)
                        {
                            (score, point[j], improved) = (value, choice, true);
                        }
                    }

                    continue;
                }

                var unit = dimension.ToUnit(point[j]);
                var unitStep = dimension.Kind == SearchDimensionKind.Discrete
                    ? Math.Max(step, 1.0 / (dimension.Upper - dimension.Lower))
                    : step;
                foreach (var direction in (ReadOnlySpan<double>)[1.0, -1.0])
                {
                    point.CopyTo(trial, 0);
                    trial[j] = dimension.FromUnit(unit + (direction * unitStep));
                    if (trial[j] == point[j])
                    {
                        continue;
                    }

                    var value = acquisition(trial);
                    if (value > score)
                    {
                        (score, point[j], improved) = (value, trial[j], true);
                        break;
                    }
                }
            }

            if (!improved)
            {
                step *= 0.5;
            }
        }

        return (point, score);
    }

    private double[] RandomPoint()
    {
        var point = new double[_dimensions.Length];
        for (var j = 0; j < point.Length; j++)
        {
            var dimension = _dimensions[j];
            point[j] = dimension.Kind switch
            {
                SearchDimensionKind.Categorical => _random.Next(dimension.ChoiceCount),
                // Next's exclusive bound is Upper + 1, which overflows for int.MaxValue; NextInt64 only there, so seeded
                // searches over ordinary ranges draw exactly as before.
                SearchDimensionKind.Discrete => dimension.Upper < int.MaxValue
                    ? _random.Next((int)dimension.Lower, (int)dimension.Upper + 1)
                    : _random.NextInt64((long)dimension.Lower, (long)dimension.Upper + 1),
                _ => dimension.FromUnit(_random.NextDouble()),
            };
        }

        return point;
    }

    private double[] Encode(double[] point)
    {
        var features = new double[_features];
        Encode(point, features);
        return features;
    }

    private void Encode(double[] point, double[] features)
    {
        var f = 0;
        for (var j = 0; j < _dimensions.Length; j++)
        {
            var dimension = _dimensions[j];
            if (dimension.Kind == SearchDimensionKind.Categorical)
            {
                for (var c = 0; c < dimension.ChoiceCount; c++)
                {
                    features[f++] = c == (int)point[j] ? 1 : 0;
                }
            }
            else
            {
                features[f++] = dimension.ToUnit(point[j]);
            }
        }
    }
}
