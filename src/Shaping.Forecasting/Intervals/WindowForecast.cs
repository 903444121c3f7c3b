using Shaping.Core.Prediction;

namespace Shaping.Forecasting.Intervals;

/// <summary>The forecast distributions of one window: of the window's mean and of its peak (the maximum over its steps).</summary>
/// <param name="Mean">The distribution of the mean over the window's steps, in the series' unit.</param>
/// <param name="Peak">The distribution of the maximum over the window's steps, in the series' unit.</param>
public readonly record struct WindowForecast(QuantileDistribution Mean, QuantileDistribution Peak);
