using Shaping.Core.Resources;

namespace Shaping.Simulation;

/// <summary>One interval of a backtest: what was demanded, what was provisioned and what it cost.</summary>
/// <param name="Time">The start of the interval.</param>
/// <param name="Demand">The whole-service demand during the interval.</param>
/// <param name="ShapeName">The shape every replica ran on.</param>
/// <param name="Replicas">The replica count.</param>
/// <param name="Provisioned">The whole-service capacity: replicas × the shape's capacity.</param>
/// <param name="Cost">What the interval cost: replicas × the shape's price per hour × the interval in hours.</param>
public readonly record struct BacktestStep(
    DateTimeOffset Time, ResourceVector Demand, string ShapeName, int Replicas, ResourceVector Provisioned, double Cost);
