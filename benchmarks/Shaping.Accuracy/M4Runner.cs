using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Shaping.Forecasting;
using Shaping.Forecasting.Evaluation;

namespace Shaping.Accuracy;

/// <summary>Scores forecasters on M4-format series: fit on the training part, forecast the test horizon.</summary>
internal static class M4Runner
{
    /// <summary>
    /// The quantile levels every method is asked for: the 95 % interval M4 scored (0.025, 0.975) and an 80 % one
    /// (0.1, 0.9), ascending as <see cref="Forecast"/> requires.
    /// </summary>
    internal static readonly double[] IntervalLevels = [0.025, 0.1, 0.9, 0.975];

    /// <summary>The 95 % interval's nominal miss rate α, the MSIS's α.</summary>
    internal const double Alpha95 = 0.05;

    public static MethodResult Run(
        string key,
        IForecaster forecaster,
        IReadOnlyList<M4Series> series,
        int seasonalPeriod,
        int parallelism,
        ProgressLine progress,
        string? forecastsDirectory,
        CancellationToken cancellationToken)
    {
        var smape = new double[series.Count];
        var mase = new double[series.Count];
        var msis = new double[series.Count];
        var coverage95 = new double[series.Count];
        var above95 = new double[series.Count];
        var coverage80 = new double[series.Count];
        var fitMs = new double[series.Count];
        var forecasts = new double[series.Count][];
        var lower95 = new double[series.Count][];
        var upper95 = new double[series.Count][];
        var modelNames = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);

        // One untimed fit first, so JIT compilation does not land in the first series' fit time.
        var warmUp = new double[series[0].Test.Length];
        var warmUpModel = forecaster.Fit(series[0].Train, seasonalPeriod, cancellationToken);
        warmUpModel.ForecastMean(warmUp);
        _ = warmUpModel.Forecast(warmUp.Length, IntervalLevels);

        progress.Start(key, series.Count);
        var wall = Stopwatch.StartNew();
        Parallel.For(
            0,
            series.Count,
            new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            i =>
            {
                var s = series[i];
                var forecast = new double[s.Test.Length];
                var start = Stopwatch.GetTimestamp();
                IForecastModel model;
                Forecast intervals;
                try
                {
                    model = forecaster.Fit(s.Train, seasonalPeriod, cancellationToken);
                    model.ForecastMean(forecast);
                    fitMs[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;

                    // Untimed: the time columns stay fit + point forecast, comparable with earlier runs. The point
                    // scores use ForecastMean as before; the quantiles come from the same fitted model.
                    intervals = model.Forecast(s.Test.Length, IntervalLevels);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    throw new InvalidOperationException($"{key} failed on series {s.Id}: {e.Message}", e);
                }

                foreach (var f in forecast)
                {
                    if (!double.IsFinite(f))
                    {
                        throw new InvalidOperationException($"{key} forecast a non-finite value for series {s.Id}.");
                    }
                }

                forecasts[i] = forecast;
                smape[i] = ForecastMetrics.Smape(s.Test, forecast);
                mase[i] = ForecastMetrics.Mase(s.Train, s.Test, forecast, seasonalPeriod);
                var lo95 = intervals.Quantile(0);
                var lo80 = intervals.Quantile(1);
                var hi80 = intervals.Quantile(2);
                var hi95 = intervals.Quantile(3);
                msis[i] = ForecastMetrics.Msis(s.Train, s.Test, lo95, hi95, seasonalPeriod, Alpha95);
                coverage95[i] = ForecastMetrics.Coverage(s.Test, lo95, hi95);
                coverage80[i] = ForecastMetrics.Coverage(s.Test, lo80, hi80);
                above95[i] = ShareAbove(s.Test, hi95);
                lower95[i] = lo95.ToArray();
                upper95[i] = hi95.ToArray();
                modelNames.AddOrUpdate(model.Name, 1, (_, c) => c + 1);
                progress.Advance();
            });
        wall.Stop();
        progress.Finish();

        if (forecastsDirectory is not null)
        {
            WriteSubmission(Path.Combine(forecastsDirectory, key + ".csv"), series, forecasts);
            WriteSubmission(Path.Combine(forecastsDirectory, key + "-lo95.csv"), series, lower95);
            WriteSubmission(Path.Combine(forecastsDirectory, key + "-hi95.csv"), series, upper95);
        }

        var meanSmape = smape.Average();
        var meanMase = mase.Average();
        Array.Sort(fitMs);
        var median = fitMs.Length % 2 == 1
            ? fitMs[fitMs.Length / 2]
            : 0.5 * (fitMs[(fitMs.Length / 2) - 1] + fitMs[fitMs.Length / 2]);
        return new MethodResult(
            key,
            forecaster.Name,
            meanSmape,
            meanMase,
            ForecastMetrics.Owa(meanSmape, meanMase, ForecastMetrics.M4HourlyNaive2Smape, ForecastMetrics.M4HourlyNaive2Mase),
            msis.Average(),
            OutcomeShare(coverage95, series),
            OutcomeShare(above95, series),
            OutcomeShare(coverage80, series),
            wall.Elapsed.TotalSeconds,
            median,
            fitMs.Average(),
            fitMs[^1],
            series.Count,
            [.. modelNames.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)]);
    }

    /// <summary>Pools per-series shares into the share of all outcomes (each series weighted by its horizon).</summary>
    private static double OutcomeShare(double[] shares, IReadOnlyList<M4Series> series)
    {
        var hits = 0.0;
        var outcomes = 0;
        for (var i = 0; i < shares.Length; i++)
        {
            hits += shares[i] * series[i].Test.Length;
            outcomes += series[i].Test.Length;
        }

        return hits / outcomes;
    }

    /// <summary>The share of outcomes above their upper bound: the misses that would have under-provisioned.</summary>
    private static double ShareAbove(ReadOnlySpan<double> actual, ReadOnlySpan<double> upper)
    {
        var above = 0;
        for (var h = 0; h < actual.Length; h++)
        {
            if (actual[h] > upper[h])
            {
                above++;
            }
        }

        return (double)above / actual.Length;
    }

    /// <summary>Writes point forecasts (or interval bounds) in the M4 submission format: header <c>id,F1,…,Fh</c>, one row per series.</summary>
    private static void WriteSubmission(string path, IReadOnlyList<M4Series> series, double[][] forecasts)
    {
        var horizon = forecasts.Max(f => f.Length);
        var text = new StringBuilder();
        text.Append("id");
        for (var h = 1; h <= horizon; h++)
        {
            text.Append(CultureInfo.InvariantCulture, $",F{h}");
        }

        text.Append('\n');
        for (var i = 0; i < series.Count; i++)
        {
            text.Append(series[i].Id);
            foreach (var f in forecasts[i])
            {
                text.Append(',').Append(f.ToString("R", CultureInfo.InvariantCulture));
            }

            text.Append('\n');
        }

        File.WriteAllText(path, text.ToString());
    }
}
