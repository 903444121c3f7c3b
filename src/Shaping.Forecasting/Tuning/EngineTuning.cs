using System.Globalization;
using Shaping.Core.Selection;
using Shaping.Forecasting.Models;

namespace Shaping.Forecasting.Tuning;

/// <summary>
/// One setting of the engine's hyperparameters that <see cref="EngineTuner"/> searches over: the model family, the
/// training window, the seasonal period and the safety quantile capacity is provisioned at.
/// </summary>
/// <param name="FamilyIndex">The index of the model family in the tuner's <see cref="EngineTuner.Families"/>.</param>
/// <param name="TrainingWindow">How many of the most recent steps each fit uses.</param>
/// <param name="SeasonalPeriod">The seasonal period passed to the forecaster, in steps.</param>
/// <param name="SafetyQuantile">The forecast quantile capacity is provisioned at, in (0, 1).</param>
public sealed record EngineTuning(int FamilyIndex, int TrainingWindow, int SeasonalPeriod, double SafetyQuantile)
{
    /// <summary>Builds the forecaster this setting describes, to hand to the engine: the family, fitted on the last
    /// <see cref="TrainingWindow"/> steps with <see cref="SeasonalPeriod"/>.</summary>
    /// <param name="families">The tuner's families, as passed to <see cref="EngineTuner"/>.</param>
    /// <returns>The forecaster.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="families"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="FamilyIndex"/> is not an index into <paramref name="families"/>.</exception>
    public IForecaster CreateForecaster(IReadOnlyList<IForecaster> families)
    {
        ArgumentNullException.ThrowIfNull(families);
        ArgumentOutOfRangeException.ThrowIfNegative(FamilyIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(FamilyIndex, families.Count);
        return new TrailingWindowForecaster(new FixedPeriodForecaster(families[FamilyIndex], SeasonalPeriod), TrainingWindow);
    }

    /// <summary>
    /// Applies the tuned safety quantile to a scoring policy: the selector sizes capacity for the predicted peak at
    /// <see cref="ScoringPolicy.PeakConfidence"/>, which is the quantile the tuner's backtests provisioned at. Hand the
    /// result to the request handler (its default policy) so that requests are sized at the tuned quantile.
    /// </summary>
    /// <param name="policy">The policy whose trade-off, headroom and duration are kept.</param>
    /// <returns><paramref name="policy"/> with <see cref="ScoringPolicy.PeakConfidence"/> = <see cref="SafetyQuantile"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="SafetyQuantile"/> is not in (0, 1).</exception>
    public ScoringPolicy ApplyTo(in ScoringPolicy policy) =>
        new(policy.Tradeoff, policy.Headroom, SafetyQuantile, policy.Duration);

    /// <summary>Describes the setting.</summary>
    /// <returns>For example <c>family 2, window 1008, m 24, q 0.930</c>.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture, $"family {FamilyIndex}, window {TrainingWindow}, m {SeasonalPeriod}, q {SafetyQuantile:F3}");
}
