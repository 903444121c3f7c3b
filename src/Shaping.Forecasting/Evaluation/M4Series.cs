namespace Shaping.Forecasting.Evaluation;

/// <summary>One series of an M4-format data set: its id, its training part and its held-out test part.</summary>
/// <param name="Id">The series id, for example <c>H1</c>.</param>
/// <param name="Train">The training values, oldest first.</param>
/// <param name="Test">The held-out continuation (the forecast horizon), oldest first; empty when not read.</param>
public sealed record M4Series(string Id, double[] Train, double[] Test);
