using Shaping.Forecasting;

namespace Shaping.Simulation.Policies;

/// <summary>
/// One dimension's per-bucket peak series with its forecast model: refitted on a schedule, updated online with every
/// completed bucket in between, and calibrated by the ratios actual peak ÷ point forecast of recent buckets.
/// </summary>
internal sealed class BucketPeakTrack
{
    private readonly IForecaster _forecaster;
    private readonly int _seasonalPeriod;
    private readonly int _refitBuckets;
    private readonly int _fitBuckets;
    private readonly int _calibrationBuckets;
    private readonly double _quantile;
    private readonly List<double> _peaks = [];
    private readonly List<double> _ratios = [];
    private readonly double[] _next = new double[2];
    private double[] _sortBuffer = [];
    private IForecastModel? _model;
    private int _lastFit = -1;
    private double _multiplier = 1;

    public BucketPeakTrack(IForecaster forecaster, int seasonalPeriod, int refitBuckets, int fitBuckets, int calibrationBuckets, double quantile)
    {
        _forecaster = forecaster;
        _seasonalPeriod = seasonalPeriod;
        _refitBuckets = refitBuckets;
        _fitBuckets = fitBuckets;
        _calibrationBuckets = calibrationBuckets;
        _quantile = quantile;
    }

    /// <summary>Gets whether a model has been fitted.</summary>
    public bool HasModel => _model is not null;

    /// <summary>Gets the number of completed buckets seen.</summary>
    public int Count => _peaks.Count;

    /// <summary>Gets the fitted model's name, or an empty string.</summary>
    public string ModelName => _model?.Name ?? string.Empty;

    /// <summary>Gets the calibrated upper bound of the peak of the bucket in progress (one step ahead).</summary>
    public double UpperCurrent => Math.Max(0, _next[0]) * _multiplier;

    /// <summary>Gets the calibrated upper bound of the peak of the bucket after it (two steps ahead).</summary>
    public double UpperNext => Math.Max(0, _next[1]) * _multiplier;

    /// <summary>Gets the point forecast of the bucket in progress.</summary>
    public double PointCurrent => Math.Max(0, _next[0]);

    public void Clear()
    {
        _peaks.Clear();
        _ratios.Clear();
        _model = null;
        _lastFit = -1;
        _multiplier = 1;
        _next[0] = _next[1] = 0;
    }

    /// <summary>Adds a completed bucket's peak; refits when due (and <paramref name="mayFit"/>), otherwise updates online.</summary>
    public void Complete(double peak, bool mayFit)
    {
        if (_model is not null)
        {
            if (_next[0] > 1e-12)
            {
                _ratios.Add(peak / _next[0]);
            }

            _model.Update(peak);
        }

        _peaks.Add(peak);
        if (mayFit && (_model is null || _peaks.Count - _lastFit >= _refitBuckets))
        {
            var history = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_peaks);
            var from = Math.Max(0, history.Length - _fitBuckets);
            _model = _forecaster.Fit(history[from..], _seasonalPeriod);
            _lastFit = _peaks.Count;
        }

        if (_model is null)
        {
            return;
        }

        _model.ForecastMean(_next);
        if (_ratios.Count > _calibrationBuckets * 2)
        {
            _ratios.RemoveRange(0, _ratios.Count - _calibrationBuckets);
        }

        _multiplier = UpperRatio();
    }

    private double UpperRatio()
    {
        var count = Math.Min(_ratios.Count, _calibrationBuckets);
        if (count == 0)
        {
            return 1;
        }

        if (_sortBuffer.Length < count)
        {
            _sortBuffer = new double[Math.Max(count, _calibrationBuckets)];
        }

        var span = _sortBuffer.AsSpan(0, count);
        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_ratios)[^count..].CopyTo(span);
        return Quantiles.Upper(span, _quantile);
    }
}
