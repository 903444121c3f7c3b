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
/// feeding zero demand there while no replica runs in it; and the host's <see cref="ILoadPredictor"/> keeps what it
/// learnt: the <see cref="PredictiveLoadEngine"/> (with <c>AddForecasting()</c>) the region's series, models and
/// profiles, and its fallback's histograms; the embedded default <see cref="DecayingHistogramPredictor"/> (without
/// <c>AddForecasting()</c>) its histograms. Removing the region from the predictor alone does not last: the loop's
/// next zero brings it back. <see cref="Decommission"/> makes the loop forget the region first (see
/// <see cref="ShapeAdjustmentLoop.ForgetRegion"/>), then removes it from the predictor
/// (<see cref="PredictiveLoadEngine.RemoveRegion"/>, <see cref="DecayingHistogramPredictor.RemoveRegion"/>); a cycle
/// running meanwhile feeds its zero either before the loop forgets the region, and so before the predictor removes
/// it, or not at all. Afterwards a request naming the region finds no profile. Parts the container does not have are
/// skipped, and a predictor of another type (the host's own) is left as it is, so the same call serves any host.
/// </para>
/// <para>
/// What this does not do: the region's capacity in the ledger, its provisioner and the replicas the inventory tracks
/// there are the host's to retire (release the replicas first: while the utilisation source reports a replica in the
/// region, the loop feeds its demand and the predictor learns the region again).
/// </para>
/// <para><b>Thread safety:</b> safe to call concurrently, and while the loop and the predictor run.</para>
/// </remarks>
public sealed class RegionDecommissioner
{
    private readonly ShapeAdjustmentLoop? _loop;
    private readonly ILoadPredictor? _predictor;

    /// <summary>Creates a decommissioner over the parts a host has; either may be missing.</summary>
    /// <param name="loop">The adjustment loop, or <see langword="null"/> when the host runs none.</param>
    /// <param name="predictor">The host's load predictor (the one the loop feeds and requests are sized from), or
    /// <see langword="null"/>. A <see cref="PredictiveLoadEngine"/> or a <see cref="DecayingHistogramPredictor"/> has the
    /// region removed; a predictor of another type is left as it is.</param>
    public RegionDecommissioner(ShapeAdjustmentLoop? loop, ILoadPredictor? predictor)
    {
        _loop = loop;
        _predictor = predictor;
    }

    /// <summary>
    /// Drops a region from the adjustment loop's fed regions and then from the load predictor, so that neither
    /// observes nor forecasts it any more (see the remarks on the class for what it leaves to the host).
    /// </summary>
    /// <param name="region">The region.</param>
    /// <returns>
    /// <see langword="true"/> when the loop or the predictor knew the region and forgot it; <see langword="false"/> when
    /// neither did (calling it again, say).
    /// </returns>
    /// <exception cref="ArgumentException"><paramref name="region"/> is null, empty or white space.</exception>
    public bool Decommission(string region)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);

        // The loop first: once it has forgotten the region it feeds it nothing more, so the predictor's removal lasts.
        var forgotten = _loop?.ForgetRegion(region) ?? false;
        var removed = _predictor switch
        {
            PredictiveLoadEngine engine => engine.RemoveRegion(region),
            DecayingHistogramPredictor histograms => histograms.RemoveRegion(region),
            _ => false,
        };
        return forgotten || removed;
    }
}
