using System.Globalization;
using Shaping.Core.Resources;

namespace Shaping.Samples.Simulator;

/// <summary>Parses the command line's compact values: durations such as <c>5m</c> and resource vectors such as <c>16,64,0,12.5</c>.</summary>
internal static class ValueParsers
{
    /// <summary>
    /// Parses a positive duration: a number with a unit suffix (<c>30s</c>, <c>5m</c>, <c>1h</c>, <c>1d</c>) or a
    /// .NET time span with colons (<c>00:05:00</c>, <c>1.00:00:00</c>). A number without a unit is rejected: .NET
    /// would read <c>300</c> as 300 days, where the user almost certainly meant seconds or minutes.
    /// </summary>
    public static bool TryParseDuration(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        var unit = char.ToLowerInvariant(text[^1]);
        var secondsPerUnit = unit switch
        {
            's' => 1.0,
            'm' => 60.0,
            'h' => 3_600.0,
            'd' => 86_400.0,
            _ => 0.0,
        };
        if (secondsPerUnit > 0
            && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount)
            && double.IsFinite(amount) && amount > 0
            && amount * secondsPerUnit < TimeSpan.MaxValue.TotalSeconds)
        {
            value = TimeSpan.FromSeconds(amount * secondsPerUnit);
            return value > TimeSpan.Zero;
        }

        // The TimeSpan fallback only for the colon form: without a colon it reads "300" as days and "1.5" as 1 day 5 hours.
        return text.Contains(':', StringComparison.Ordinal)
            && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && value > TimeSpan.Zero;
    }

    /// <summary>Whether <paramref name="text"/> is a plain number, a duration written without its unit.</summary>
    public static bool IsBareNumber(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    /// <summary>
    /// Parses a non-negative resource vector written as <c>cpuCores,memoryGiB,storageGiB,networkGbps</c>; missing
    /// trailing values are zero (<c>16,64</c> is 16 cores and 64 GiB).
    /// </summary>
    public static bool TryParseVector(string? text, out ResourceVector value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length > ResourceVector.DimensionCount)
        {
            return false;
        }

        Span<double> amounts = stackalloc double[ResourceVector.DimensionCount];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out amounts[i])
                || !double.IsFinite(amounts[i]) || amounts[i] < 0)
            {
                return false;
            }
        }

        value = new ResourceVector(amounts[0], amounts[1], amounts[2], amounts[3]);
        return true;
    }
}
