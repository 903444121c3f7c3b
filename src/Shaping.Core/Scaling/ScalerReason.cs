namespace Shaping.Core.Scaling;

/// <summary>Why a <see cref="HysteresisScaler"/> decided what it did, for logs, telemetry and tests.</summary>
public enum ScalerReason
{
    /// <summary>The smoothed utilisation is between the bands.</summary>
    WithinBands = 0,

    /// <summary>The observation is older than the previous one and was ignored.</summary>
    StaleObservation,

    /// <summary>Above the up band, but not yet for the whole up stabilisation window.</summary>
    StabilizingUp,

    /// <summary>Below the down band, but not yet for the whole down stabilisation window.</summary>
    StabilizingDown,

    /// <summary>A move is due but the cool-down after the last move has not elapsed.</summary>
    CoolingDown,

    /// <summary>A move is due but the replica already made the maximum number of switches in the rolling period.</summary>
    SwitchCapReached,

    /// <summary>Under pressure, but no shape of the catalog gives more room than the current one.</summary>
    NoLargerShape,

    /// <summary>Wasteful, but no cheaper shape of the catalog keeps the demand at the target utilisation.</summary>
    NoCheaperShape,

    /// <summary>Moved up: the smoothed utilisation stayed above the up band for the up stabilisation window.</summary>
    SustainedAboveUpBand,

    /// <summary>Moved down: the smoothed utilisation stayed below the down band for the down stabilisation window.</summary>
    SustainedBelowDownBand,
}
