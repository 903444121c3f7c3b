using System.Buffers;
using MathNet.Numerics.Distributions;

namespace Shaping.Forecasting.Models;

/// <summary>
/// A fitted ETS model in its state-space (error-correction) form: the smoothing parameters, the current level,
/// slope and seasonal states, and the one-step error variance.
/// </summary>
/// <remarks>
/// The seasonal states live in a ring buffer, so <see cref="Update"/> is O(1) and allocates nothing. The
/// point forecasts are the state-space forecast means (as R's <c>forecast.ets</c> gives them). Intervals are
/// analytic for the linear class (additive error, no multiplicative season) and simulated from
/// <see cref="SimulationPathCount"/> Gaussian sample paths with a fixed seed otherwise, so they are reproducible; the
/// paths (<see cref="SimulationPathCount"/> × horizon doubles) are scratch rented from <see cref="ArrayPool{T}.Shared"/>,
/// so a forecast allocates the arrays it returns but not the paths.
/// Demand is non-negative, so the means, quantiles and sample paths a caller sees are floored at 0, as the baselines
/// floor theirs: an additive model on a falling or intermittent series would otherwise forecast negative load. The
/// floor is applied to the outputs only (a quantile of the floored distribution is the floored quantile), so the
/// state dynamics, the fit and every positive forecast are unchanged.
/// <para>The states live in the unit of the fit: the series divided by a positive scale (its mean / 1,000; see
/// <see cref="EtsFitting.Normalise"/>). Observations are divided by the scale on the way in (<see cref="Update"/>) and
/// means, quantiles and paths multiplied by it on the way out, so the small floors that keep a multiplicative model's
/// level and forecasts positive are relative to the data, and a model fitted on c·y is the model fitted on y with every
/// output multiplied by c. <see cref="Level"/>, <see cref="Slope"/>, <see cref="Sigma2"/> and <see cref="Summary"/> are
/// reported in the series' units.</para>
/// </remarks>
internal sealed class EtsModel : IForecastModel
{
    /// <summary>How many sample paths the simulated intervals use.</summary>
    internal const int SimulationPathCount = 2000;

    /// <summary>The seed of the simulated intervals, fixed so a forecast is reproducible.</summary>
    internal const int SimulationSeed = 20_260_101;

    private const double Tiny = 1e-10;

    private readonly EtsSpecification _spec;
    private readonly double _alpha;
    private readonly double _beta;
    private readonly double _gamma;
    private readonly double _phi;
    private readonly double _sigma;
    private readonly double _scale;
    private readonly double _inverseScale;
    private readonly double _limit;
    private readonly double[] _season;
    private double _level;
    private double _slope;
    private int _position;

    internal EtsModel(
        EtsSpecification specification,
        int seasonalPeriod,
        EtsParameterSet parameters,
        double level,
        double slope,
        double[] season,
        int position,
        double sigma2,
        double scale,
        FitSummary summary,
        string? nameSuffix = null)
    {
        _spec = specification;
        SeasonalPeriod = seasonalPeriod;
        _alpha = parameters.Alpha;
        _beta = parameters.Beta;
        _gamma = parameters.Gamma;
        _phi = specification.Trend switch
        {
            EtsTrendType.None => 0,
            EtsTrendType.Additive => 1,
            _ => parameters.Phi,
        };
        _level = level;
        _slope = specification.Trend == EtsTrendType.None ? 0 : slope;
        _season = specification.Season == EtsSeasonType.None ? [0.0] : season;
        _position = _season.Length == 1 ? 0 : position % _season.Length;
        var variance = Math.Max(0, sigma2);
        _sigma = Math.Sqrt(variance);
        _scale = scale;
        _inverseScale = 1 / scale;

        // A draw is held within ForecastLimits.MaximumObservation in the series' units (and within 1e200 in the fit's,
        // so that a tiny scale cannot make the bound infinite).
        _limit = Math.Min(ForecastLimits.MaximumObservation / scale, 1e200);
        Sigma2 = specification.Error == EtsErrorType.Additive ? variance * scale * scale : variance;
        Summary = summary;
        Name = specification.ToString() + (nameSuffix ?? string.Empty);
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public int SeasonalPeriod { get; }

    /// <inheritdoc/>
    public FitSummary Summary { get; }

    /// <summary>Gets the model's specification.</summary>
    public EtsSpecification Specification => _spec;

    /// <summary>Gets the smoothing parameters.</summary>
    public EtsParameterSet Parameters => new(_alpha, _beta, _gamma, _spec.Trend == EtsTrendType.AdditiveDamped ? _phi : 1);

    /// <summary>Gets the one-step error variance: in the series' units squared for an additive error, relative (unit-free)
    /// for a multiplicative one.</summary>
    public double Sigma2 { get; }

    /// <summary>Gets the current level state, in the series' units.</summary>
    public double Level => _level * _scale;

    /// <summary>Gets the current slope state, in the series' units per step (0 without a trend).</summary>
    public double Slope => _slope * _scale;

    /// <inheritdoc/>
    public void ForecastMean(Span<double> destination)
    {
        ProjectMean(destination);
        ScaleAndFloor(destination);
    }

    /// <summary>Replaces every negative value (demand is non-negative) with 0.</summary>
    internal static void FloorAtZero(Span<double> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] < 0)
            {
                values[i] = 0;
            }
        }
    }

    // From the fit's unit to the series' units, then floored at 0.
    private void ScaleAndFloor(Span<double> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            var value = values[i] * _scale;
            values[i] = value < 0 ? 0 : value;
        }
    }

    // The unfloored state-space forecast means in the fit's unit, the centre of the analytic intervals.
    private void ProjectMean(Span<double> destination)
    {
        var damp = 0.0;
        var phiPower = 1.0;
        var m = _season.Length;
        var j = _position;
        for (var i = 0; i < destination.Length; i++)
        {
            if (_spec.Trend != EtsTrendType.None)
            {
                phiPower *= _phi;
                damp += phiPower;
            }

            var q = _level + (damp * _slope);
            destination[i] = _spec.Season switch
            {
                EtsSeasonType.Additive => q + _season[j],
                EtsSeasonType.Multiplicative => q * _season[j],
                _ => q,
            };
            if (++j == m)
            {
                j = 0;
            }
        }
    }

    /// <inheritdoc/>
    public Forecast Forecast(int horizon, ReadOnlySpan<double> levels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        var mean = new double[horizon];
        ProjectMean(mean);
        var levelArray = levels.ToArray();
        var quantiles = new double[levelArray.Length][];
        for (var k = 0; k < quantiles.Length; k++)
        {
            var level = levelArray[k];
            if (!(level > 0 && level < 1))
            {
                throw new ArgumentException("Levels must be inside (0, 1).", nameof(levels));
            }

            quantiles[k] = new double[horizon];
        }

        // The mean and the analytic quantiles are computed in the fit's unit and scaled here; the simulated ones come from
        // paths already in the series' units, so that they are exactly the quantiles of SimulatePaths' paths.
        var simulated = _sigma != 0 && !_spec.IsLinear;
        if (_sigma == 0)
        {
            for (var k = 0; k < quantiles.Length; k++)
            {
                mean.CopyTo(quantiles[k], 0);
            }
        }
        else if (_spec.IsLinear)
        {
            FillAnalyticQuantiles(mean, levelArray, quantiles);
        }
        else
        {
            FillSimulatedQuantiles(mean.Length, levelArray, quantiles);
        }

        ScaleAndFloor(mean);
        foreach (var quantile in quantiles)
        {
            if (simulated)
            {
                FloorAtZero(quantile);
            }
            else
            {
                ScaleAndFloor(quantile);
            }
        }

        return new Forecast(mean, levelArray, quantiles);
    }

    /// <inheritdoc/>
    public void SimulatePaths(Span<double> paths, int horizon, Random random)
    {
        BaselineMath.ValidatePaths(paths, horizon, random);
        SimulateInSeriesUnits(paths, horizon, random);
    }

    private void SimulateInSeriesUnits(Span<double> paths, int horizon, Random random)
    {
        SimulateInFitUnits(paths, horizon, random);
        if (_scale != 1)
        {
            foreach (ref var value in paths)
            {
                value *= _scale;
            }
        }
    }

    // The paths in the fit's unit, floored at 0: the same draws, in the same order, as SimulatePaths scales.
    private void SimulateInFitUnits(Span<double> paths, int horizon, Random random)
    {
        var m = _season.Length;
        var pathCount = paths.Length / horizon;
        double[]? rented = null;
        var season = m <= 256 ? stackalloc double[m] : (rented = new double[m]);
        var multiplicativeError = _spec.Error == EtsErrorType.Multiplicative;
        var keepPositive = _spec.NeedsPositiveData;
        for (var p = 0; p < pathCount; p++)
        {
            _season.CopyTo(season);
            var level = _level;
            var slope = _slope;
            var j = _position;
            var row = paths.Slice(p * horizon, horizon);
            for (var i = 0; i < horizon; i++)
            {
                var q = level + (_phi * slope);
                var s = season[j];
                var f = _spec.Season switch
                {
                    EtsSeasonType.Additive => q + s,
                    EtsSeasonType.Multiplicative => q * s,
                    _ => q,
                };
                var e = _sigma * NextGaussian(random);
                var y = multiplicativeError ? f * (1 + e) : f + e;
                if (keepPositive && !(y > 0))
                {
                    y = 0;
                }

                // A model fitted across a spike can have a relative variance so large that compounding multiplicative
                // draws overflow within a few dozen steps. Each draw is held within the largest observation the package
                // accepts (and a NaN from ∞ × 0 is taken as 0), so paths and the quantiles drawn from them stay finite.
                y = double.IsNaN(y) ? 0 : Math.Clamp(y, -_limit, _limit);
                row[i] = Math.Max(0, y); // the output is floored; the state follows the unfloored draw
                Step(ref level, ref slope, ref season[j], q, y);
                if (++j == m)
                {
                    j = 0;
                }
            }
        }

        GC.KeepAlive(rented);
    }

    /// <inheritdoc/>
    public void Update(double observation)
    {
        BaselineMath.ValidateObservation(observation, nameof(observation));

        var q = _level + (_phi * _slope);
        Step(ref _level, ref _slope, ref _season[_position], q, observation * _inverseScale);
        if (++_position == _season.Length)
        {
            _position = 0;
        }
    }

    private static double NextGaussian(Random random)
    {
        // Box-Muller; 1 - NextDouble() is in (0, 1] so the logarithm is finite.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    // One error-correction step (the same for additive and multiplicative errors when written in terms of y).
    private void Step(ref double level, ref double slope, ref double season, double q, double y)
    {
        var s = season;
        var p = _spec.Season switch
        {
            EtsSeasonType.Additive => y - s,
            EtsSeasonType.Multiplicative => y / Math.Max(s, Tiny),
            _ => y,
        };
        var newLevel = q + (_alpha * (p - q));
        if (_spec.Trend != EtsTrendType.None)
        {
            var phib = _phi * slope;
            slope = phib + (_beta / _alpha * (newLevel - level - phib));
        }

        if (_spec.Season == EtsSeasonType.Additive)
        {
            season = s + (_gamma * (y - q - s));
        }
        else if (_spec.Season == EtsSeasonType.Multiplicative)
        {
            season = Math.Max(Tiny, s + (_gamma * ((y / Math.Max(q, Tiny)) - s)));
        }

        level = _spec.NeedsPositiveData ? Math.Max(newLevel, Tiny) : newLevel;
    }

    private void FillAnalyticQuantiles(double[] mean, double[] levels, double[][] quantiles)
    {
        // Class 1 (Hyndman et al. 2008, table 6.1): v_h = sigma^2 (1 + sum_{j<h} c_j^2), c_j = alpha + beta phi_j + gamma d_j.
        var m = _season.Length;
        var z = new double[levels.Length];
        for (var k = 0; k < levels.Length; k++)
        {
            z[k] = Normal.InvCDF(0, 1, levels[k]);
        }

        var sumSquares = 0.0;
        var phiJ = 0.0;
        var phiPower = 1.0;
        for (var h = 0; h < mean.Length; h++)
        {
            var sd = _sigma * Math.Sqrt(1 + sumSquares);
            for (var k = 0; k < levels.Length; k++)
            {
                quantiles[k][h] = mean[h] + (z[k] * sd);
            }

            // c_j for j = h + 1, used by the next horizon.
            var j = h + 1;
            if (_spec.Trend != EtsTrendType.None)
            {
                phiPower *= _phi;
                phiJ += phiPower;
            }

            var c = _alpha + (_beta * phiJ);
            if (_spec.Season == EtsSeasonType.Additive && m > 1 && j % m == 0)
            {
                c += _gamma;
            }

            sumSquares += c * c;
        }
    }

    private void FillSimulatedQuantiles(int horizon, double[] levels, double[][] quantiles)
    {
        // The paths are drawn one after another from a single seeded stream, so a step's quantiles need every path's
        // value at that step: all SimulationPathCount × horizon values are held at once. They are scratch, so they are
        // rented rather than allocated: a forecast allocates the arrays it returns but not the paths.
        var length = checked(SimulationPathCount * horizon);
        var paths = ArrayPool<double>.Shared.Rent(length);
        var column = ArrayPool<double>.Shared.Rent(SimulationPathCount);
        try
        {
            SimulateInSeriesUnits(paths.AsSpan(0, length), horizon, new Random(SimulationSeed));
            FillQuantilesFromPaths(paths.AsSpan(0, length), horizon, levels, quantiles, column.AsSpan(0, SimulationPathCount));
        }
        finally
        {
            ArrayPool<double>.Shared.Return(paths);
            ArrayPool<double>.Shared.Return(column);
        }
    }

    /// <summary>
    /// Fills each step's quantiles from simulated paths (row-major, <paramref name="horizon"/> steps each): the
    /// step's values across paths are copied into <paramref name="column"/>, the order statistics either side of each
    /// level's position are selected there, the quantile is interpolated linearly between them, and each level's value
    /// is kept at or above the level below it.
    /// </summary>
    /// <remarks>
    /// Only two order statistics per level are read, so they are selected (<see cref="OrderStatistics.Select"/>) rather
    /// than the whole column sorted; the selected values are bit for bit those a sort gives, so the quantiles are too.
    /// </remarks>
    internal static void FillQuantilesFromPaths(
        ReadOnlySpan<double> paths, int horizon, double[] levels, double[][] quantiles, Span<double> column)
    {
        var pathCount = column.Length;

        // The ranks are the same at every step: for level k, ranks[2k] and ranks[2k + 1] are the order statistics
        // below and above its position. Ascending levels give ascending ranks, so each selection narrows the next. They
        // live on the stack unless there are over 64 levels (the forecast allocates an array per level anyway).
        Span<int> ranks = levels.Length <= 64 ? stackalloc int[2 * levels.Length] : new int[2 * levels.Length];
        for (var k = 0; k < levels.Length; k++)
        {
            var lower = (int)Math.Floor(levels[k] * (pathCount - 1));
            ranks[2 * k] = lower;
            ranks[(2 * k) + 1] = Math.Min(lower + 1, pathCount - 1);
        }

        for (var h = 0; h < horizon; h++)
        {
            for (var p = 0; p < pathCount; p++)
            {
                column[p] = paths[(p * horizon) + h];
            }

            OrderStatistics.Select(column, ranks);
            for (var k = 0; k < levels.Length; k++)
            {
                var position = levels[k] * (pathCount - 1);
                var lower = ranks[2 * k];
                var upper = ranks[(2 * k) + 1];
                var value = column[lower] + ((position - lower) * (column[upper] - column[lower]));
                quantiles[k][h] = k > 0 ? Math.Max(value, quantiles[k - 1][h]) : value;
            }
        }
    }
}
