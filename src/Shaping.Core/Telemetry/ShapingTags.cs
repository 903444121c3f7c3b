namespace Shaping.Core.Telemetry;

/// <summary>The tag names (and fixed tag values) of the "Shaping" instruments and activities, in one place.</summary>
public static class ShapingTags
{
    /// <summary>The region a measurement is about.</summary>
    public const string Region = "shaping.region";

    /// <summary>How a request ended (see <see cref="ShapingTelemetry.OutcomeName"/>).</summary>
    public const string Outcome = "shaping.outcome";

    /// <summary>The ledger's answer to a reservation attempt.</summary>
    public const string Result = "shaping.result";

    /// <summary>The direction of a shape switch: <see cref="Up"/> or <see cref="Down"/>.</summary>
    public const string Direction = "shaping.direction";

    /// <summary>The shape chosen for a request.</summary>
    public const string Shape = "shaping.shape";

    /// <summary>The number of replicas requested.</summary>
    public const string Replicas = "shaping.replicas";

    /// <summary>The number of shape attempts a request made.</summary>
    public const string Attempts = "shaping.attempts";

    /// <summary>The direction value for a move to a larger shape.</summary>
    public const string Up = "up";

    /// <summary>The direction value for a move to a smaller shape.</summary>
    public const string Down = "down";
}
