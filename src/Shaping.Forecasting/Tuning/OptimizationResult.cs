namespace Shaping.Forecasting.Tuning;

/// <summary>What a <see cref="BayesianOptimizer"/> run found.</summary>
/// <param name="BestPoint">The best point evaluated, one value per dimension.</param>
/// <param name="BestValue">The objective at <see cref="BestPoint"/>; the lowest seen.</param>
/// <param name="Evaluations">How many times the run evaluated the objective.</param>
public sealed record OptimizationResult(IReadOnlyList<double> BestPoint, double BestValue, int Evaluations);
