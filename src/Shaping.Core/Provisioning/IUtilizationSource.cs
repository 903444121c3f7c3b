using Shaping.Core.ControlPlane;
using Shaping.Core.Scaling;

namespace Shaping.Core.Provisioning;

/// <summary>
/// Port: reads what running replicas use, from a monitoring system (Prometheus, the .NET runtime's
/// resource-monitoring instruments, a cloud metrics API).
/// </summary>
/// <remarks>
/// <para>
/// <b>Every running replica on every read.</b> <see cref="ShapeAdjustmentLoop"/> sums the observations of one read
/// per region and hands that sum to the <see cref="Prediction.ILoadPredictor"/> as the region's demand, timestamped
/// with the region's latest observation. A replica missing from a read is missing from that demand, with no error:
/// a source that returns only the replicas with a new sample (scrapes that land in different cycles) makes the
/// predictor learn a fraction of the real demand, and the handler then sizes replicas for it. So each read returns
/// the latest observation of every replica that runs, whether the control plane provisioned it or not, even when
/// the sample has not changed since the previous read: repeat it with its own timestamp. A repeat is harmless: the
/// scaler gives an observation no newer than the replica's previous one no weight (its smoothing advances with
/// elapsed time; an older one is ignored as <see cref="ScalerReason.StaleObservation"/>), and the predictor records
/// the same region total again.
/// </para>
/// <para>
/// One observation per replica: for a second one of the same replica in a read, the scaler steps again but the
/// region's sum keeps the first. Leave out a replica once it has stopped, or its last sample would count as demand.
/// An observation with a blank region or an invalid amount (NaN, infinite, negative) is skipped.
/// </para>
/// <para>
/// <b>A region with no replica.</b> A region the loop has fed before (read since it started) that a read leaves out,
/// and where the <see cref="ReplicaInventory"/> tracks no replica, has no replica running: the loop hands the predictor
/// zero demand there for that cycle (at the loop's clock), so forecasts learn that the load is gone rather than keep
/// the last demand seen. A region left out while the inventory tracks a replica in it gets nothing (no data: the
/// source or the inventory is behind), and so does every region when a read holds no usable observation at all while
/// the inventory tracks replicas. An empty read with no tracked replica means that no replica runs: that cycle moves
/// nothing and feeds zero demand to each region fed before (see
/// <see cref="ShapeAdjustmentLoop.ForgetRegion"/> for a region that is decommissioned). So never leave a running
/// replica out of a read, or its region may be taken as idle. When the monitoring system can't be read, throw rather
/// than return what was read: a partial list
/// would be taken as the whole demand, while an exception fails the cycle before any replica is evaluated or the
/// predictor fed (<see cref="ShapeAdjustmentLoop.RunAsync"/> counts it in <see cref="ShapeAdjustmentLoop.FailedCycles"/>
/// and keeps it in <see cref="ShapeAdjustmentLoop.LastError"/>), and the next cycle reads again.
/// </para>
/// </remarks>
public interface IUtilizationSource
{
    /// <summary>Reads the latest observation of every running replica the source knows, changed or not.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One observation per running replica; empty only when no replica runs.</returns>
    ValueTask<IReadOnlyList<ReplicaUtilization>> ReadAsync(CancellationToken cancellationToken = default);
}
