using Shaping.Forecasting;

namespace Shaping.Simulation.Policies;

/// <summary>
/// One dimension's per-bucket peak series with its forecast model: refitted on a schedule and updated online with
/// every completed bucket in between (the engine's pattern), giving point forecasts of the next two buckets' peaks.
/// </summary>
internal sealed class BucketPeakTrack
{
    private readonly IForecaster _forecaster;
    private readonly int _seasonalPeriod;
    private readonly int _refitBuckets;
    private readonly int _fitBuckets;
    private readonly List<double> _peaks = [];
    private readonly double[] _next = new double[2];
    private IForecastModel? _model;
    private int _lastFit = -1;

    public BucketPeakTrack(IForecaster forecaster, int seasonalPeriod, int refitBuckets, int fitBuckets)
    {
        _forecaster = forecaster;
        _seasonalPeriod = seasonalPeriod;
        _refitBuckets = refitBuckets;
        _fitBuckets = fitBuckets;
    }

    /// <summary>Gets whether a model has been fitted.</summary>
    public bool HasModel => _model is not null;

    /// <summary>Gets the fitted model's name, or an empty string.</summary>
    public string ModelName => _model?.Name ?? string.Empty;

    /// <summary>Gets the point forecast of the peak of the bucket in progress (one step ahead), at least 0.</summary>
    public double PointCurrent => Math.Max(0, _next[0]);

    /// <summary>Gets the point forecast of the peak of the bucket after it (two steps ahead), at least 0.</summary>
    public double PointNext => Math.Max(0, _next[1]);

    /// <summary>
    /// Adds a completed bucket's peak; refits when due (and <paramref name="mayFit"/>), otherwise updates online. A peak
    /// above <see cref="ForecastLimits.MaximumObservation"/>, which the forecasters refuse, drops the model (as the
    /// engine falls back), and no model is fitted while the fit window holds one, so the policy falls back meanwhile.
    /// </summary>
    public void Complete(double peak, bool mayFit)
    {
        if (peak > ForecastLimits.MaximumObservation)
        {
            _model = null;
        }

        _model?.Update(peak);
        _peaks.Add(peak);
        if (mayFit && (_model is null || _peaks.Count - _lastFit >= _refitBuckets))
        {
            var history = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_peaks);
            var window = history[Math.Max(0, history.Length - _fitBuckets)..];
            _model = Fittable(window) ? _forecaster.Fit(window, _seasonalPeriod) : null;
            _lastFit = _peaks.Count;
        }

        _model?.ForecastMean(_next);
    }

    private static bool Fittable(ReadOnlySpan<double> window)
    {
        foreach (var value in window)
        {
            if (value > ForecastLimits.MaximumObservation)
            {
                return false;
            }
        }

        return true;
    }
}
