using System.Diagnostics.CodeAnalysis;
using Shaping.Core.Prediction;
using Shaping.Core.Resources;

namespace Shaping.Forecasting.Tests.Engine;

/// <summary>A fallback that answers with the largest demand it saw, and counts what it was given.</summary>
internal sealed class RecordingPredictor : ILoadPredictor
{
    private readonly Dictionary<string, ResourceVector> _max = [];

    public int Observations { get; private set; }

    public void Observe(string region, DateTimeOffset timestamp, ResourceVector demand)
    {
        Observations++;
        _max[region] = _max.TryGetValue(region, out var seen) ? ResourceVector.Max(seen, demand) : demand;
    }

    public bool TryGetProfile(string region, TimeSpan window, [NotNullWhen(true)] out LoadProfile? profile)
    {
        profile = _max.TryGetValue(region, out var max) ? LoadProfile.Exact(max * 0.5, max, window) : null;
        return profile is not null;
    }
}
