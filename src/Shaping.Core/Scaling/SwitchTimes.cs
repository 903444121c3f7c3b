using System.Runtime.CompilerServices;

namespace Shaping.Core.Scaling;

/// <summary>A fixed ring of the last <see cref="ScalerPolicy.MaxSwitchCap"/> switch times (UTC ticks), inline in <see cref="ScalerState"/>.</summary>
[InlineArray(ScalerPolicy.MaxSwitchCap)]
internal struct SwitchTimes
{
    private long _element;
}
