using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;
using Shaping.Core.Prediction;
using Shaping.Core.Resources;
using Shaping.Forecasting.Engine;
using Shaping.Forecasting.Models;
using Shaping.Forecasting.Selection;

namespace Shaping.Forecasting.Tests.Engine;

public sealed class PredictiveLoadEngineProperties
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan[] Windows = [TimeSpan.FromHours(1), TimeSpan.FromHours(3), TimeSpan.FromHours(6)];

    /// <summary>
    /// Observations late, early (within and beyond the clock skew), out of order and across gaps longer than the
    /// history, interleaved with refreshes: every answer is finite, each window's peak quantiles are at least the
    /// shorter window's, a window's mean never exceeds its peak, and a forecast is served only while the status says
    /// the models are there and nothing falls back (a fallback always says why).
    /// </summary>
    [Property(MaxTest = 60)]
    public Property DisorderlyObservations_ProfilesStayConsistentAndTheStatusAgrees() => Disorderly(calibrate: false);

    /// <summary>
    /// The same with <see cref="PredictiveLoadEngineOptions.CalibratePeaks"/> on, after two noisy days refreshed every
    /// hour, so the calibrators adjust before the disorder begins: the calibrated quantiles keep every rule above (each
    /// window's calibration is its own, so the longer window's floor is the engine's doing).
    /// </summary>
    [Property(MaxTest = 60)]
    public Property DisorderlyObservationsWithPeakCalibration_ProfilesStayConsistentAndTheStatusAgrees() => Disorderly(calibrate: true);

    private static Property Disorderly(bool calibrate)
    {
        var operation = Gen.Choose(0, 99).Three();
        return Prop.ForAll(Gen.ListOf(operation).Select(l => l.ToArray()).ToArbitrary(), operations =>
        {
            var options = new PredictiveLoadEngineOptions
            {
                Resolution = TimeSpan.FromHours(1),
                SeasonalPeriod = 4,
                MinimumHistory = 8,
                MaximumHistory = 48,
                RefitInterval = TimeSpan.FromHours(4),
                RefreshInterval = TimeSpan.FromHours(1),
                StaleAfter = TimeSpan.FromHours(3),
                MaxClockSkew = TimeSpan.FromMinutes(30),
                PathCount = 40,
                CalibratePeaks = calibrate,
            };
            options.Windows.Clear();
            foreach (var window in Windows)
            {
                options.Windows.Add(window);
            }

            var clock = new FakeTimeProvider(Start);
            var forecaster = new ValidatedSelectionForecaster([new SeasonalNaiveForecaster(), new NaiveForecaster(), new ThetaForecaster()], validationLength: 4);
            var engine = new PredictiveLoadEngine(forecaster, new RecordingPredictor(), options, clock);

            // A regular start, so that most runs reach a forecast before the disorder begins; with calibration, two
            // noisy days refreshed every hour, so its calibrators have scored enough windows to adjust.
            var noise = new Random(5);
            for (var h = 0; h < (calibrate ? 48 : 12); h++)
            {
                var cpu = 10 + (h % 4) + (calibrate ? 4 * noise.NextDouble() : 0);
                engine.Observe("r", clock.GetUtcNow(), new ResourceVector(cpu, 4, 1, 1));
                clock.Advance(TimeSpan.FromHours(1));
                if (calibrate)
                {
                    engine.RefreshAsync().GetAwaiter().GetResult();
                }
            }

            engine.RefreshAsync().GetAwaiter().GetResult();
            Check(engine);
            foreach (var (kind, a, b) in operations)
            {
                switch (kind)
                {
                    case < 60: // an observation between 8 h late and 2 h early
                        var offset = TimeSpan.FromMinutes((a * 6) - 480);
                        engine.Observe("r", clock.GetUtcNow() + offset, new ResourceVector(b, b / 4.0, 1, b % 3));
                        break;
                    case < 80:
                        clock.Advance(TimeSpan.FromMinutes(a * 2));
                        break;
                    case < 83: // a silence longer than the history: the next observation restarts the series
                        clock.Advance(TimeSpan.FromDays(3));
                        break;
                    default:
                        engine.RefreshAsync().GetAwaiter().GetResult();
                        break;
                }

                Check(engine);
            }
        });
    }

    private static void Check(PredictiveLoadEngine engine)
    {
        var status = engine.GetStatus("r")!;
        LoadProfile? previous = null;
        foreach (var window in Windows)
        {
            Assert.True(engine.TryGetProfile("r", window, out var profile));
            if (profile.Source == ProfileSource.Fallback)
            {
                Assert.False(string.IsNullOrEmpty(status.FallbackReason));
                Assert.Null(previous); // all windows of one region fall back together
                continue;
            }

            Assert.Equal(ProfileSource.Forecast, profile.Source);
            Assert.Null(status.FallbackReason);
            Assert.DoesNotContain("none", status.Models);
            for (var d = 0; d < ResourceVector.DimensionCount; d++)
            {
                var mean = profile.Mean((Dimension)d);
                var peak = profile.Peak((Dimension)d);
                Assert.True(double.IsFinite(mean.Mean) && double.IsFinite(peak.Mean));
                Assert.True(mean.Mean <= peak.Mean * (1 + 1e-12) + 1e-12, $"{(Dimension)d} mean {mean} above peak {peak}");
                for (var l = 0; l < QuantileDistribution.LevelCount; l++)
                {
                    Assert.True(double.IsFinite(peak.QuantileAt(l)) && peak.QuantileAt(l) >= 0);
                    Assert.True(l == 0 || peak.QuantileAt(l) >= peak.QuantileAt(l - 1));
                    if (previous is not null)
                    {
                        var shorter = previous.Peak((Dimension)d).QuantileAt(l);
                        Assert.True(peak.QuantileAt(l) >= shorter, $"{(Dimension)d} {window} peak level {l} {peak.QuantileAt(l)} below the shorter window's {shorter}");
                    }
                }
            }

            previous = profile;
        }
    }
}
