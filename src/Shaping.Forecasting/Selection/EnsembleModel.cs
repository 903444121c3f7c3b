using Shaping.Forecasting.Models;

namespace Shaping.Forecasting.Selection;

/// <summary>A fitted ensemble: the members' models and their weights.</summary>
/// <remarks>Demand is non-negative: the combined means and quantiles and the members' sample paths are floored at 0,
/// so a member that forecasts negative load (a custom forecaster, say) cannot pull the ensemble below 0.</remarks>
internal sealed class EnsembleModel : IForecastModel
{
    private readonly IForecastModel[] _models;
    private readonly double[] _weights;
    private readonly bool _median;

    public EnsembleModel(string name, IForecastModel[] models, double[] weights, bool median, int seasonalPeriod, int count)
    {
        _models = models;
        _weights = weights;
        _median = median;
        SeasonalPeriod = seasonalPeriod;
        Name = $"{name}[{string.Join(", ", models.Select(m => m.Name))}]";
        var parameters = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var i = 0; i < models.Length; i++)
        {
            parameters[$"weight{i}:{models[i].Name}"] = weights[i];
        }

        Summary = new FitSummary(parameters, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, count);
    }

    public string Name { get; }

    public int SeasonalPeriod { get; }

    public FitSummary Summary { get; }

    /// <summary>Gets the member weights (equal for the median), summing to 1.</summary>
    public ReadOnlySpan<double> Weights => _weights;

    public void ForecastMean(Span<double> destination)
    {
        var horizon = destination.Length;
        var rows = new double[_models.Length][];
        for (var i = 0; i < _models.Length; i++)
        {
            rows[i] = new double[horizon];
            _models[i].ForecastMean(rows[i]);
        }

        Combine(rows, destination);
    }

    public Forecast Forecast(int horizon, ReadOnlySpan<double> levels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        var forecasts = new Forecast[_models.Length];
        for (var i = 0; i < _models.Length; i++)
        {
            forecasts[i] = _models[i].Forecast(horizon, levels);
        }

        var rows = new double[_models.Length][];
        var mean = new double[horizon];
        for (var i = 0; i < _models.Length; i++)
        {
            rows[i] = forecasts[i].Mean.ToArray();
        }

        Combine(rows, mean);
        var levelArray = levels.ToArray();
        var quantiles = new double[levelArray.Length][];
        for (var l = 0; l < levelArray.Length; l++)
        {
            for (var i = 0; i < _models.Length; i++)
            {
                rows[i] = forecasts[i].Quantile(l).ToArray();
            }

            quantiles[l] = new double[horizon];
            Combine(rows, quantiles[l]);
        }

        return new Forecast(mean, levelArray, quantiles);
    }

    public void SimulatePaths(Span<double> paths, int horizon, Random random)
    {
        BaselineMath.ValidatePaths(paths, horizon, random);

        // Draw each path's member, then let each member simulate its paths as one contiguous block.
        var pathCount = paths.Length / horizon;
        Span<int> counts = _models.Length <= 64 ? stackalloc int[_models.Length] : new int[_models.Length];
        counts.Clear();
        for (var p = 0; p < pathCount; p++)
        {
            var u = random.NextDouble();
            var member = 0;
            while (member < _models.Length - 1 && u >= _weights[member])
            {
                u -= _weights[member];
                member++;
            }

            counts[member]++;
        }

        var offset = 0;
        for (var i = 0; i < _models.Length; i++)
        {
            if (counts[i] > 0)
            {
                var block = paths.Slice(offset, counts[i] * horizon);
                _models[i].SimulatePaths(block, horizon, random);
                EtsModel.FloorAtZero(block);
                offset += counts[i] * horizon;
            }
        }
    }

    public void Update(double observation)
    {
        BaselineMath.ValidateObservation(observation, nameof(observation));

        foreach (var model in _models)
        {
            model.Update(observation);
        }
    }

    private void Combine(double[][] rows, Span<double> destination)
    {
        var scratch = new double[rows.Length];
        for (var h = 0; h < destination.Length; h++)
        {
            if (_median)
            {
                for (var i = 0; i < rows.Length; i++)
                {
                    scratch[i] = rows[i][h];
                }

                Array.Sort(scratch);
                var mid = scratch.Length / 2;
                destination[h] = Math.Max(0, scratch.Length % 2 == 1 ? scratch[mid] : 0.5 * (scratch[mid - 1] + scratch[mid]));
            }
            else
            {
                var sum = 0.0;
                for (var i = 0; i < rows.Length; i++)
                {
                    sum += _weights[i] * rows[i][h];
                }

                destination[h] = Math.Max(0, sum);
            }
        }
    }
}
