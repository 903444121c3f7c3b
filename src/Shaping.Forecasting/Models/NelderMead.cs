namespace Shaping.Forecasting.Models;

/// <summary>
/// An allocation-free Nelder-Mead simplex minimiser with the same moves, coefficients, convergence test and
/// evaluation accounting as MathNet.Numerics' <c>NelderMeadSimplex</c> (reflection −1, expansion 2,
/// contraction 0.5, shrink towards the best vertex; stop when 2|f_max − f_min| / (|f_max| + |f_min| + 1e-10)
/// falls below the tolerance or the evaluation budget is spent).
/// </summary>
/// <remarks>
/// ETS estimation evaluates a cheap likelihood tens of thousands of times per series; MathNet's implementation
/// allocates new vectors for every centroid and trial point (about 170 MB per AutoEts fit of an M4-hourly
/// series, which made the garbage collector dominate the fit), so the same algorithm runs here on buffers
/// allocated once per minimisation.
/// </remarks>
internal static class NelderMead
{
    private const double Jitter = 1e-10;

    /// <summary>Minimises <paramref name="function"/> from <paramref name="start"/>; returns the best vertex.</summary>
    /// <param name="function">The objective; it must not keep the array it is given.</param>
    /// <param name="start">The starting point.</param>
    /// <param name="step">The initial simplex edge per coordinate.</param>
    /// <param name="maxEvaluations">The evaluation budget.</param>
    /// <param name="tolerance">The relative convergence tolerance on the function values.</param>
    /// <returns>The best point found.</returns>
    internal static double[] Minimise(Func<double[], double> function, double[] start, double[] step, int maxEvaluations, double tolerance = 1e-8)
    {
        var n = start.Length;
        var count = n + 1;
        var vertices = new double[count][];
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            vertices[i] = (double[])start.Clone();
            if (i > 0)
            {
                vertices[i][i - 1] += step[i - 1];
            }

            values[i] = function(vertices[i]);
        }

        var centroid = new double[n];
        var trial = new double[n];
        var evaluations = 0;
        while (true)
        {
            Profile(values, out var lowest, out var nextHighest, out var highest);
            var range = 2 * Math.Abs(values[highest] - values[lowest]) / (Math.Abs(values[highest]) + Math.Abs(values[lowest]) + Jitter);
            if (range < tolerance)
            {
                break;
            }

            Centroid(vertices, highest, centroid);
            var reflected = TryScale(-1.0, function, vertices, values, highest, centroid, trial);
            evaluations++;
            if (reflected <= values[lowest])
            {
                TryScale(2.0, function, vertices, values, highest, centroid, trial);
                evaluations++;
            }
            else if (reflected >= values[nextHighest])
            {
                var worst = values[highest];
                var contracted = TryScale(0.5, function, vertices, values, highest, centroid, trial);
                evaluations++;
                if (contracted >= worst)
                {
                    for (var i = 0; i < count; i++)
                    {
                        if (i == lowest)
                        {
                            continue;
                        }

                        var v = vertices[i];
                        var best = vertices[lowest];
                        for (var k = 0; k < n; k++)
                        {
                            v[k] = best[k] + (0.5 * (v[k] - best[k]));
                        }

                        values[i] = function(v);
                    }

                    evaluations += count;
                }
            }

            if (evaluations >= maxEvaluations)
            {
                break;
            }
        }

        Profile(values, out var bestIndex, out _, out _);
        return vertices[bestIndex];
    }

    private static void Profile(double[] values, out int lowest, out int nextHighest, out int highest)
    {
        // As MathNet: the highest, the next highest and the lowest value's indices.
        if (values[0] > values[1])
        {
            highest = 0;
            nextHighest = 1;
        }
        else
        {
            highest = 1;
            nextHighest = 0;
        }

        lowest = 0;
        for (var i = 0; i < values.Length; i++)
        {
            var value = values[i];
            if (value <= values[lowest])
            {
                lowest = i;
            }

            if (value > values[highest])
            {
                nextHighest = highest;
                highest = i;
            }
            else if (value > values[nextHighest] && i != highest)
            {
                nextHighest = i;
            }
        }
    }

    private static void Centroid(double[][] vertices, int highest, double[] centroid)
    {
        Array.Clear(centroid);
        for (var i = 0; i < vertices.Length; i++)
        {
            if (i == highest)
            {
                continue;
            }

            var v = vertices[i];
            for (var k = 0; k < centroid.Length; k++)
            {
                centroid[k] += v[k];
            }
        }

        var scale = 1.0 / (vertices.Length - 1);
        for (var k = 0; k < centroid.Length; k++)
        {
            centroid[k] *= scale;
        }
    }

    private static double TryScale(double factor, Func<double[], double> function, double[][] vertices, double[] values, int highest, double[] centroid, double[] trial)
    {
        var high = vertices[highest];
        for (var k = 0; k < trial.Length; k++)
        {
            trial[k] = centroid[k] + (factor * (high[k] - centroid[k]));
        }

        var value = function(trial);
        if (value < values[highest])
        {
            Array.Copy(trial, high, trial.Length);
            values[highest] = value;
        }

        return value;
    }
}
