namespace Shaping.Core.ControlPlane;

/// <summary>How a replica request ended: provisioned, or the reason nothing was.</summary>
public enum ReplicaOutcome
{
    /// <summary>The replicas were provisioned and their capacity committed.</summary>
    Provisioned = 0,

    /// <summary>No shape of the catalog covers the predicted peak with the policy's headroom, in any region tried.</summary>
    NoFeasibleShape,

    /// <summary>Feasible shapes existed but no region tried had the capacity to reserve for them.</summary>
    NoCapacity,

    /// <summary>Capacity was reserved but the regions' control planes failed to provision (after bounded retries).</summary>
    ProvisioningFailed,

    /// <summary>
    /// The predictor knows nothing about any region tried, so no shape could be chosen. A predictor learns a region
    /// from the demand fed to <see cref="Prediction.ILoadPredictor.Observe"/>: by the host (history), or by the
    /// adjustment loop from every replica its utilisation source reports there, tracked or not.
    /// </summary>
    NoPrediction,

    /// <summary>
    /// The caller cancelled; nothing was left reserved or provisioned, unless <see cref="ReplicaResult.IsOutcomeUnknown"/>
    /// says the region could not confirm what it created (then the reservation is kept until a resubmission settles it
    /// or it expires).
    /// </summary>
    Cancelled,
}
