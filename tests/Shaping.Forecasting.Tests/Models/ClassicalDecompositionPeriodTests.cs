using Shaping.Forecasting.Models;

namespace Shaping.Forecasting.Tests.Models;

/// <summary>
/// Naive2 and Theta share the classical decomposition's seasonality test (it needs three seasons), so a period longer
/// than the history is not seasonal for either: the fit falls back to the non-seasonal method without sizing the
/// seasonal indices. Both used to allocate the m indices first (m = int.MaxValue threw OutOfMemoryException; a week of
/// minutes, m = 10,080, on 80 points allocated 80 KB, and m = 10⁶ 8 MB, only to fill them with 1).
/// </summary>
public sealed class ClassicalDecompositionPeriodTests
{
    public static TheoryData<string> Methods => ["naive2", "theta"];

    [Theory]
    [MemberData(nameof(Methods))]
    public void Fit_PeriodOfIntMaxValue_FallsBackToNotSeasonal(string method)
    {
        var model = Create(method).Fit([4.0, 9.0, 7.0, 8.0], int.MaxValue);
        var reference = Create(method).Fit([4.0, 9.0, 7.0, 8.0], 1);
        model.Update(6);
        reference.Update(6);

        var forecast = model.Forecast(3, [0.1, 0.9]);
        var expected = reference.Forecast(3, [0.1, 0.9]);
        Assert.Equal(int.MaxValue, model.SeasonalPeriod);
        Assert.Equal(0, model.Summary.Parameters["seasonal"]);
        Assert.Equal(expected.Mean.ToArray(), forecast.Mean.ToArray());
        Assert.Equal(expected.Quantile(0).ToArray(), forecast.Quantile(0).ToArray());
        Assert.Equal(expected.Quantile(1).ToArray(), forecast.Quantile(1).ToArray());
        var paths = new double[6];
        var referencePaths = new double[6];
        model.SimulatePaths(paths, 3, new Random(1));
        reference.SimulatePaths(referencePaths, 3, new Random(1));
        Assert.Equal(referencePaths, paths);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Fit_PeriodLongerThanHistory_DoesNotAllocateSeasonalIndices(string method)
    {
        double[] x = [.. Enumerable.Range(0, 80).Select(t => 100 + (t % 7))];
        var forecaster = Create(method);
        forecaster.Fit(x, 1); // warm up
        const int period = 1_000_000;

        var before = GC.GetAllocatedBytesForCurrentThread();
        var model = forecaster.Fit(x, period);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(period, model.SeasonalPeriod);
        Assert.InRange(allocated, 0, period * sizeof(double) / 8);
    }

    private static IForecaster Create(string method) => method == "naive2" ? new Naive2Forecaster() : new ThetaForecaster();
}
