namespace Shaping.Forecasting.Models;

/// <summary>
/// A known event that moves load while it lasts — a campaign, a launch, a holiday — supplied by the host app from
/// its own calendar, past or planned.
/// </summary>
/// <remarks>Occurrences that share a <see cref="Name"/> share one effect in <see cref="RegressionForecaster"/>: the
/// effect is learnt from past occurrences and applied to future ones.</remarks>
/// <param name="Name">The event's kind, for example <c>black-friday</c>; occurrences with the same name share an effect.</param>
/// <param name="Start">When the event starts (inclusive).</param>
/// <param name="End">When the event ends (exclusive); after <paramref name="Start"/>.</param>
public sealed record KnownEvent(string Name, DateTimeOffset Start, DateTimeOffset End);
