using System.Diagnostics;
using System.Globalization;
using Shaping.Forecasting;
using Shaping.Forecasting.Models;
using Shaping.Forecasting.Selection;
using Shaping.Forecasting.Tuning;

namespace Shaping.Accuracy;

/// <summary>
/// The <c>tune</c> command: tunes the engine's hyperparameters on a real trace by Bayesian optimisation of the
/// rolling-origin provisioning cost, and prints the cost of the engine's default setting and of the tuned one on a
/// later held-out period.
/// </summary>
internal static class TuneCommand
{
    /// <summary>The longest step: half a day, so a day has at least two steps.</summary>
    private const int MaxStepMinutes = 720;

    public static int Run(FileInfo trace, int stepMinutes, int tuneDays, int testDays, int evaluations, int seed, CancellationToken cancellationToken)
    {
        if (!trace.Exists)
        {
            Console.Error.WriteLine($"error: --trace file '{trace.FullName}' does not exist.");
            return 2;
        }

        // At least two steps a day: the tuner's seasonal periods are one day and one week of steps.
        if (stepMinutes > MaxStepMinutes)
        {
            Console.Error.WriteLine($"error: --step-minutes {stepMinutes} is longer than half a day; at most {MaxStepMinutes} (two steps a day).");
            return 2;
        }

        var series = ReadAggregated(trace.FullName, TimeSpan.FromMinutes(stepMinutes));
        if (series.Length == 0)
        {
            Console.Error.WriteLine($"error: --trace file '{trace.FullName}' has no timestamp,value row that parses (expected a header, then rows such as 2014-07-01 00:00:00,10844).");
            return 2;
        }

        var stepsPerDay = (int)Math.Round(TimeSpan.FromDays(1) / TimeSpan.FromMinutes(stepMinutes));
        var testStart = series.Length - (testDays * stepsPerDay);
        var tuneStart = testStart - (tuneDays * stepsPerDay);
        if (tuneStart < 2 * 7 * stepsPerDay)
        {
            Console.Error.WriteLine($"error: the trace has {series.Length} steps; too short for {tuneDays} + {testDays} days after two weeks of history.");
            return 2;
        }

        IForecaster[] families =
        [
            new SeasonalNaiveForecaster(),
            new ThetaForecaster(),
            new RegressionForecaster(),
            new EnsembleForecaster(
                [new SeasonalNaiveForecaster(), new FixedPeriodForecaster(new SeasonalNaiveForecaster(), 7 * stepsPerDay),
                    new RegressionForecaster(), new RegressionForecaster { LogTransform = true }],
                EnsembleCombination.InverseErrorWeighted, validationLength: stepsPerDay, name: "EnsembleFastW4") { WeightExponent = 4 },
        ];
        var tuner = new EngineTuner(
            families, [stepsPerDay, 7 * stepsPerDay], minimumWindow: 7 * stepsPerDay, maximumWindow: Math.Min(tuneStart, 12 * 7 * stepsPerDay),
            horizon: stepsPerDay)
        { OriginStride = stepsPerDay };

        // The engine's default: validated selection between seasonal naive and AutoEts, the default history cap of
        // 4,032 steps, a daily period, provisioning at the 0.9 quantile (the ideal one for the cost's penalty of 9).
        var engineDefault = new ValidatedSelectionForecaster([new SeasonalNaiveForecaster(), new AutoEtsForecaster()], stepsPerDay);
        var defaultTuner = new EngineTuner([engineDefault], [stepsPerDay], 2, 4032, stepsPerDay) { OriginStride = stepsPerDay };
        var defaultSetting = new EngineTuning(0, Math.Min(4032, tuneStart), stepsPerDay, 0.9);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"trace {trace.Name}: {series.Length} steps of {stepMinutes} min; tuning on days [{tuneStart / stepsPerDay}, {testStart / stepsPerDay}), held out [{testStart / stepsPerDay}, {series.Length / stepsPerDay}]"));
        Console.WriteLine("cost = (idle capacity + 9 × unmet demand) / demand, capacity = forecast quantile, 1-day horizon, one origin per day");

        var clock = Stopwatch.StartNew();
        var defaultTune = defaultTuner.Evaluate(series, tuneStart, testStart, defaultSetting, cancellationToken);
        var defaultTest = defaultTuner.Evaluate(series, testStart, series.Length, defaultSetting, cancellationToken);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"before (engine default {engineDefault.Name}[SeasonalNaive, AutoEts], window {defaultSetting.TrainingWindow}, m {stepsPerDay}, q 0.900): tuning period {defaultTune:F4}, held out {defaultTest:F4} ({clock.Elapsed.TotalSeconds:F1} s)"));

        clock.Restart();
        var (best, bestCost) = tuner.Tune(series, tuneStart, testStart, evaluations, warmStart: null, seed, cancellationToken);
        var tunedTest = tuner.Evaluate(series, testStart, series.Length, best, cancellationToken);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"after ({families[best.FamilyIndex].Name}, window {best.TrainingWindow}, m {best.SeasonalPeriod}, q {best.SafetyQuantile:F3}; {evaluations} backtests, {clock.Elapsed.TotalSeconds:F1} s): tuning period {bestCost:F4}, held out {tunedTest:F4}"));

        clock.Restart();
        var (rebest, recost) = tuner.Tune(series, tuneStart, testStart, Math.Max(2, evaluations / 3), warmStart: best, seed + 1, cancellationToken);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"warm-started retune ({Math.Max(2, evaluations / 3)} backtests from the last best, {clock.Elapsed.TotalSeconds:F1} s): {rebest}, tuning period {recost:F4}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"held-out change: {defaultTest:F4} -> {tunedTest:F4} ({100 * (tunedTest - defaultTest) / defaultTest:+0.0;-0.0} %)"));
        return 0;
    }

    /// <summary>Reads <c>timestamp,value</c> rows and averages them into steps of <paramref name="step"/>; an empty step
    /// repeats the previous one. Empty when no row parses.</summary>
    private static double[] ReadAggregated(string path, TimeSpan step)
    {
        var sums = new SortedDictionary<long, (double Sum, int Count)>();
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var parts = line.Split(',');
            if (parts.Length < 2
                || !DateTimeOffset.TryParse(parts[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
                || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            var key = time.UtcTicks / step.Ticks;
            sums[key] = sums.TryGetValue(key, out var s) ? (s.Sum + value, s.Count + 1) : (value, 1);
        }

        if (sums.Count == 0)
        {
            return [];
        }

        var first = sums.Keys.First();
        var last = sums.Keys.Last();
        var series = new double[last - first + 1];
        for (var k = first; k <= last; k++)
        {
            series[k - first] = sums.TryGetValue(k, out var s) ? Math.Max(0, s.Sum / s.Count) : series[Math.Max(0, k - first - 1)];
        }

        return series;
    }
}
