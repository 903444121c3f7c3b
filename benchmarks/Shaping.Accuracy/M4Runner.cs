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
        var fitMs = new double[series.Count];
        var forecasts = new double[series.Count][];
        var modelNames = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);

        // One untimed fit first, so JIT compilation does not land in the first series' fit time.
        var warmUp = new double[series[0].Test.Length];
        forecaster.Fit(series[0].Train, seasonalPeriod, cancellationToken).ForecastMean(warmUp);

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
                try
                {
                    model = forecaster.Fit(s.Train, seasonalPeriod, cancellationToken);
                    model.ForecastMean(forecast);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    throw new InvalidOperationException($"{key} failed on series {s.Id}: {e.Message}", e);
                }

                fitMs[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
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
                modelNames.AddOrUpdate(model.Name, 1, (_, c) => c + 1);
                progress.Advance();
            });
        wall.Stop();
        progress.Finish();

        if (forecastsDirectory is not null)
        {
            WriteSubmission(Path.Combine(forecastsDirectory, key + ".csv"), series, forecasts);
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
            wall.Elapsed.TotalSeconds,
            median,
            fitMs.Average(),
            fitMs[^1],
            series.Count,
            [.. modelNames.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)]);
    }

    /// <summary>Writes point forecasts in the M4 submission format: header <c>id,F1,…,Fh</c>, one row per series.</summary>
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
