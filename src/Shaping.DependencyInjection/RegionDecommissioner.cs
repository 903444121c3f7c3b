using Shaping.Core.ControlPlane;
using Shaping.Core.Prediction;
using Shaping.Forecasting.Engine;

namespace Shaping.DependencyInjection;

/// <summary>
/// Decommissions a region in one call: what the host's control plane learnt about it is dropped from every part that
/// keeps it, in the order that keeps it from coming back. Registered by <c>AddPredictiveShaping()</c>; inject it
/// where the host retires regions.
/// </summary>
/// <remarks>
/// <para>
/// Two parts keep a region once it was observed: the <see cref="ShapeAdjustmentLoop"/> (when
/// <c>AddAdjustmentLoop()</c> registered it) remembers that it fed the region's demand to the predictor, and goes on
/// feeding zero demand there while no replica runs in it; and the <see cref="PredictiveLoadEngine"/> (when
/// <c>AddForecasting()</c> registered it, or the host's <see cref="ILoadPredictor"/> is one) keeps the region's series,
/// models and profiles and refreshes them. Removing the region from the engine alone does not last: the loop's next
/// zero brings it back. <see cref="Decommission"/> makes the loop forget the region first (see
/// <see cref="ShapeAdjustmentLoop.ForgetRegion"/>), then removes it from the engine
/// (<see cref="PredictiveLoadEngine.RemoveRegion"/>); a cycle running meanwhile feeds its zero either before the loop
/// forgets the region, and so before the engine removes it, or not at all. Parts the container does not have are
/// skipped, so the same call serves a host without the loop or without the engine.
/// </para>
/// <para>
/// What this does not do: the region's capacity in the ledger, its provisioner and the replicas the inventory tracks
/// there are the host's to retire (release the replicas first: while the utilisation source reports a replica in the
/// region, the loop feeds its demand and the engine learns the region again). The core
/// <see cref="DecayingHistogramPredictor"/> (the embedded default without <c>AddForecasting()</c>, and the engine's
/// fallback) has no removal: it keeps its histograms of the region, unused once no request names the region.
/// </para>
/// <para><b>Thread safety:</b> safe to call concurrently, and while the loop and the engine run.</para>
/// </remarks>
public sealed class RegionDecommissioner
{
    private readonly ShapeAdjustmentLoop? _loop;
    private readonly PredictiveLoadEngine? _engine;

    /// <summary>Creates a decommissioner over the parts a host has; either may be missing.</summary>
    /// <param name="loop">The adjustment loop, or <see langword="null"/> when the host runs none.</param>
    /// <param name="engine">The forecasting engine, or <see langword="null"/> when the host uses another predictor.</param>
    public RegionDecommissioner(ShapeAdjustmentLoop? loop, PredictiveLoadEngine? engine)
    {
        _loop = loop;
        _engine = engine;
    }

    /// <summary>
    /// Drops a region from the adjustment loop's fed regions and then from the forecasting engine, so that neither
    /// observes nor forecasts it any more (see the remarks on the class for what it leaves to the host).
    /// </summary>
    /// <param name="region">The region.</param>
    /// <returns>
    /// <see langword="true"/> when the loop or the engine knew the region and forgot it; <see langword="false"/> when
    /// neither did (calling it again, say).
    /// </returns>
    /// <exception cref="ArgumentException"><paramref name="region"/> is null, empty or white space.</exception>
    public bool Decommission(string region)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);

        // The loop first: once it has forgotten the region it feeds it nothing more, so the engine's removal lasts.
        var forgotten = _loop?.ForgetRegion(region) ?? false;
        var removed = _engine?.RemoveRegion(region) ?? false;
        return forgotten || removed;
    }
}
