using Microsoft.Extensions.Time.Testing;

namespace Shaping.Forecasting.Tests;

/// <summary>
/// A clock that never moves, for a forecaster with a wall-clock budget (<see cref="Selection.AutoArimaForecaster.TimeBudget"/>)
/// in a test that checks what it fits.
/// </summary>
/// <remarks>
/// On the system clock AutoArima's search stops after 3 s, and its exact refits after 6 s, however far it got: on a
/// loaded machine (CI has 2 cores, and the test runner runs test classes in parallel) it stops earlier, with another
/// model or less converged coefficients, so what a test sees depends on the load (the hourly test's fit took 1.6 s to
/// 4.5 s in four loaded runs, around the budget). On this clock the budget is never spent, and every run fits the same
/// models.
/// </remarks>
internal static class StoppedClock
{
    /// <summary>Gets the clock; nothing can advance it.</summary>
    public static TimeProvider Instance { get; } = new FakeTimeProvider();
}
