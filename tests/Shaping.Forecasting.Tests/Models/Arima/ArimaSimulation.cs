namespace Shaping.Forecasting.Tests.Models.Arima;

/// <summary>Simulates ARMA(1,1) series with a fixed seed for the recovery tests.</summary>
internal static class ArimaSimulation
{
    public static double[] Arma11(int n, double phi, double theta, double mean, int seed, double sigma = 1.0)
    {
        var random = new Random(seed);
        var y = new double[n];
        double previousX = 0, previousE = 0;
        for (var t = -200; t < n; t++)
        {
            var e = sigma * Gaussian(random);
            var x = (phi * previousX) + e + (theta * previousE);
            previousX = x;
            previousE = e;
            if (t >= 0)
            {
                y[t] = mean + x;
            }
        }

        return y;
    }

    private static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
