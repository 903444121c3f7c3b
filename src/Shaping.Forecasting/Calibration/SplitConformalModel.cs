using System.Buffers;
using Shaping.Forecasting.Models;

namespace Shaping.Forecasting.Calibration;

/// <summary>
/// A fitted model whose intervals and sample paths are widened by a fixed conformal adjustment; see
/// <see cref="SplitConformalForecaster"/> for what is and is not calibrated.
/// </summary>
internal sealed class SplitConformalModel : IForecastModel
{
    // Levels closer than this are one level: 1 - 0.975 is 0.025000000000000022, not 0.025.
    private const double LevelTolerance = 1e-9;
    private readonly IForecastModel _inner;
    private readonly double _adjustment;
    private readonly double _scale;

    /// <param name="inner">The model fitted on the whole history.</param>
    /// <param name="adjustment">The widening q (positive), in half-widths of each central interval the inner model states.</param>
    public SplitConformalModel(IForecastModel inner, double adjustment)
    {
        _inner = inner;
        _adjustment = adjustment;
        _scale = 1 + adjustment;
        Name = inner.Name + "+Conformal";
        var parameters = new Dictionary<string, double>(inner.Summary.Parameters, StringComparer.Ordinal)
        {
            ["conformal_widening"] = adjustment,
        };
        Summary = inner.Summary with { Parameters = parameters };
    }

    public string Name { get; }

    public int SeasonalPeriod => _inner.SeasonalPeriod;

    /// <summary>Gets the inner model's summary with the adjustment q (in stated half-widths) added as the parameter
    /// <c>conformal_widening</c>.</summary>
    public FitSummary Summary { get; }

    public void ForecastMean(Span<double> destination) => _inner.ForecastMean(destination);

    public Forecast Forecast(int horizon, ReadOnlySpan<double> levels)
    {
        // Ask the inner model for every level and its partner 1 - τ, so each level is widened by its own central
        // interval's half-width. An invalid or unsorted request fails in the inner model or in Forecast's constructor.
        var all = new List<double>(levels.Length * 2);
        all.AddRange(levels);
        foreach (var level in levels)
        {
            if (IndexOf(all, 1 - level) < 0)
            {
                all.Add(1 - level);
            }
        }

        all.Sort();
        var stated = _inner.Forecast(horizon, [.. all]);
        var quantiles = new double[levels.Length][];
        for (var l = 0; l < levels.Length; l++)
        {
            var own = stated.Quantile(IndexOf(all, levels[l]));
            var partner = stated.Quantile(IndexOf(all, 1 - levels[l]));
            var side = levels[l] < 0.5 - LevelTolerance ? -1 : levels[l] > 0.5 + LevelTolerance ? 1 : 0;
            var widened = new double[horizon];
            for (var h = 0; h < horizon; h++)
            {
                widened[h] = Widen(own[h], partner[h], side);
            }

            quantiles[l] = widened;
        }

        return new Forecast(stated.Mean.ToArray(), levels.ToArray(), quantiles);
    }

    public void SimulatePaths(Span<double> paths, int horizon, Random random)
    {
        BaselineMath.ValidatePaths(paths, horizon, random);
        _inner.SimulatePaths(paths, horizon, random);
        double[]? rented = null;
        var mean = horizon <= 256 ? stackalloc double[horizon] : (rented = ArrayPool<double>.Shared.Rent(horizon)).AsSpan(0, horizon);
        try
        {
            _inner.ForecastMean(mean);
            for (var offset = 0; offset < paths.Length; offset += horizon)
            {
                var path = paths.Slice(offset, horizon);
                for (var h = 0; h < horizon; h++)
                {
                    var value = path[h];
                    var scaled = mean[h] + (_scale * (value - mean[h]));
                    path[h] = value >= 0 ? Math.Max(0, scaled) : scaled;
                }
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<double>.Shared.Return(rented);
            }
        }
    }

    public void Update(double observation) => _inner.Update(observation);

    private static int IndexOf(List<double> levels, double level)
    {
        for (var i = 0; i < levels.Count; i++)
        {
            if (Math.Abs(levels[i] - level) <= LevelTolerance)
            {
                return i;
            }
        }

        return -1;
    }

    // Widens one quantile outward by q half-widths of its central interval [min, max] of it and its partner: down
    // below the median (side -1), up above it (side 1), not at all at the median. A non-negative value stays >= 0.
    private double Widen(double own, double partner, int side)
    {
        if (side == 0)
        {
            return own;
        }

        var lower = Math.Min(own, partner);
        var upper = Math.Max(own, partner);
        var shift = _adjustment * ((0.5 * upper) - (0.5 * lower)); // q * half-width, >= 0 because q > 0
        var widened = side < 0 ? own - shift : own + shift;
        return own >= 0 ? Math.Max(0, widened) : widened;
    }
}
