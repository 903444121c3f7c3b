namespace Shaping.Core.Scaling;

/// <summary>What a <see cref="HysteresisScaler"/> decided for one observation.</summary>
public enum ScalerAction
{
    /// <summary>Keep the current shape.</summary>
    Stay = 0,

    /// <summary>Move to a shape with more capacity: the replica was under sustained pressure.</summary>
    MoveUp,

    /// <summary>Move to a cheaper shape: the replica was wasteful for long enough.</summary>
    MoveDown,
}
