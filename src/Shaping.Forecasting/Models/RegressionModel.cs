using MathNet.Numerics.Distributions;

namespace Shaping.Forecasting.Models;

/// <summary>A fitted regression: coefficients, the design, the AR(1) residual state and the next step's index.</summary>
internal sealed class RegressionModel : IForecastModel
{
    private readonly RegressionDesign _design;
    private readonly double[] _beta;
    private readonly bool _log;
    // On the log scale, the value an observation below it (a 0) is taken as: 1e-9 × min(1, the history's smallest
    // value), so that a 0 never counts as more than a value the fit saw (an absolute 1e-9 did, on a series below it).
    private readonly double _logFloor;
    private readonly double _phi;
    private readonly double _sigma;
    private readonly double[] _row;
    private double _lastResidual;
    private long _next;

    public RegressionModel(RegressionDesign design, double[] beta, bool log, double logFloor, double phi, double sigma2, double lastResidual, int seasonalPeriod, int count)
    {
        _design = design;
        _beta = beta;
        _log = log;
        _logFloor = logFloor;
        _phi = phi;
        _sigma = Math.Sqrt(sigma2);
        _lastResidual = lastResidual;
        _next = count;
        _row = new double[design.ColumnCount];
        SeasonalPeriod = seasonalPeriod;
        var parameters = new Dictionary<string, double>
        {
            ["intercept"] = beta[0], ["slope"] = beta[1], ["phi"] = phi, ["sigma2"] = sigma2, ["log"] = log ? 1 : 0,
        };
        for (var e = 0; e < design.EventCount; e++)
        {
            parameters[$"event{e}"] = beta[design.EventOffset + e];
        }

        Summary = new FitSummary(parameters, double.NaN, double.NaN, double.NaN, double.NaN, sigma2, count);
    }

    public string Name => _log ? "Regression(log)" : "Regression";

    public int SeasonalPeriod { get; }

    public FitSummary Summary { get; }

    /// <summary>Gets the coefficients, in design-column order.</summary>
    public ReadOnlySpan<double> Coefficients => _beta;

    public void ForecastMean(Span<double> destination)
    {
        var carry = _lastResidual;
        for (var h = 0; h < destination.Length; h++)
        {
            carry *= _phi;
            destination[h] = Back(Centre(h) + carry);
        }
    }

    public Forecast Forecast(int horizon, ReadOnlySpan<double> levels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        var mean = new double[horizon];
        var centre = new double[horizon];
        var sd = new double[horizon];
        var carry = _lastResidual;
        var variance = 0.0;
        var power = 1.0;
        for (var h = 0; h < horizon; h++)
        {
            carry *= _phi;
            centre[h] = Centre(h) + carry;
            variance += _sigma * _sigma * power;
            power *= _phi * _phi;
            sd[h] = Math.Sqrt(variance);
            mean[h] = Back(centre[h]);
        }

        var levelArray = levels.ToArray();
        var quantiles = new double[levelArray.Length][];
        for (var l = 0; l < levelArray.Length; l++)
        {
            if (!(levelArray[l] > 0 && levelArray[l] < 1))
            {
                throw new ArgumentException($"Quantile level {levelArray[l]} must be inside (0, 1).", nameof(levels));
            }

            var z = Normal.InvCDF(0, 1, levelArray[l]);
            quantiles[l] = new double[horizon];
            for (var h = 0; h < horizon; h++)
            {
                quantiles[l][h] = Back(centre[h] + (z * sd[h]));
            }
        }

        return new Forecast(mean, levelArray, quantiles);
    }

    public void SimulatePaths(Span<double> paths, int horizon, Random random)
    {
        BaselineMath.ValidatePaths(paths, horizon, random);
        Span<double> centres = horizon <= 1024 ? stackalloc double[horizon] : new double[horizon];
        for (var h = 0; h < horizon; h++)
        {
            centres[h] = Centre(h);
        }

        for (var start = 0; start < paths.Length; start += horizon)
        {
            var r = _lastResidual;
            for (var h = 0; h < horizon; h++)
            {
                r = (_phi * r) + (_sigma * BaselineMath.NextGaussian(random));
                paths[start + h] = Back(centres[h] + r);
            }
        }
    }

    public void Update(double observation)
    {
        BaselineMath.ValidateObservation(observation, nameof(observation));
        var z = _log ? Math.Log(Math.Max(observation, _logFloor)) : observation;
        _design.Row(_next, _row);
        _lastResidual = z - RegressionForecaster.Dot(_row, _beta);
        _next++;
    }

    private double Centre(int h)
    {
        _design.Row(_next + h, _row);
        return RegressionForecaster.Dot(_row, _beta);
    }

    private double Back(double z) => _log ? Math.Exp(Math.Min(z, 700)) : Math.Max(0, z);
}
