using Microsoft.Extensions.Time.Testing;
using Shaping.Core.Prediction;
using Shaping.Core.Resources;

namespace Shaping.Core.Tests.Prediction;

public sealed class DecayingHistogramPredictorTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromHours(1);

    private readonly FakeTimeProvider _time = new(Start);

    [Fact]
    public void Observe_DemandsNearDoubleMaxThenAGapOfOver1074HalfLives_TheRegionStaysReadable()
    {
        // Two demands of 1e308 cores overflowed the decay-weighted sum to +inf; a sample after more than 1074
        // half-lives rescales every stored weight by 2^-exponent = 0, and +inf x 0 is NaN: the profile's mean was
        // NaN and TryGetProfile threw for the region for good. The sum now saturates.
        var predictor = new DecayingHistogramPredictor(timeProvider: _time);
        predictor.Observe("eu", _time.GetUtcNow(), new ResourceVector(1e308, 4, 0, 1));
        predictor.Observe("eu", _time.GetUtcNow(), new ResourceVector(1e308, 4, 0, 1));
        _time.Advance(TimeSpan.FromDays(1100)); // the default half-life is 24 hours
        predictor.Observe("eu", _time.GetUtcNow(), new ResourceVector(2, 8, 0, 1));

        Assert.True(predictor.TryGetProfile("eu", Window, out var profile));
        Assert.True(double.IsFinite(profile.Mean(Dimension.Cpu).Mean));
    }

    [Fact]
    public void TryGetProfile_UnknownRegion_False()
    {
        Assert.False(new DecayingHistogramPredictor(timeProvider: _time).TryGetProfile("eu", Window, out _));
    }

    [Fact]
    public void RemoveRegion_ForgetsOnlyThatRegion_AndItStartsAfreshIfObservedAgain()
    {
        var predictor = new DecayingHistogramPredictor(timeProvider: _time);
        Feed(predictor, "eu", TimeSpan.FromHours(48), TimeSpan.FromMinutes(5), _ => new ResourceVector(8, 32, 0, 1));
        Feed(predictor, "us", TimeSpan.FromHours(48), TimeSpan.FromMinutes(5), _ => new ResourceVector(2, 8, 0, 1));

        Assert.True(predictor.RemoveRegion("eu"));
        Assert.False(predictor.RemoveRegion("eu"));

        Assert.False(predictor.TryGetProfile("eu", Window, out _));
        Assert.True(predictor.TryGetProfile("us", Window, out _));
        predictor.Observe("eu", _time.GetUtcNow(), new ResourceVector(1, 4, 0, 1));
        Assert.True(predictor.TryGetProfile("eu", Window, out var fresh));
        Assert.True(fresh.Peak(Dimension.Cpu).P99 <= 1.05); // only the new sample: none of the 8 cores it had before
        Assert.Throws<ArgumentNullException>(() => predictor.RemoveRegion(null!));
    }

    [Fact]
    public void TryGetProfile_ConstantLoad_QuantilesWithinOneBucketAndCappedAtMax()
    {
        var predictor = new DecayingHistogramPredictor(timeProvider: _time);
        var load = new ResourceVector(3, 12, 0, 0.5);
        Feed(predictor, "eu", TimeSpan.FromHours(48), TimeSpan.FromMinutes(5), _ => load);

        Assert.True(predictor.TryGetProfile("eu", Window, out var profile));
        Assert.Equal(ProfileSource.Observed, profile.Source);
        for (var d = 0; d < ResourceVector.DimensionCount; d++)
        {
            var dimension = (Dimension)d;
            var value = load[dimension];
            Assert.Equal(value, profile.Mean(dimension).Mean, 9);
            Assert.InRange(profile.Mean(dimension).P50, value / 1.05, value); // capped at the largest value seen
            Assert.InRange(profile.Peak(dimension).P95, value / 1.05, value);
        }
    }

    [Fact]
    public void TryGetProfile_UniformLoad_PercentilesMatchTheDistribution()
    {
        var predictor = new DecayingHistogramPredictor(new DecayingHistogramPredictorOptions { HalfLife = TimeSpan.FromDays(365) }, _time);
        var random = new Random(42);
        Feed(predictor, "eu", TimeSpan.FromHours(100), TimeSpan.FromMinutes(1), _ => new ResourceVector(1 + (9 * random.NextDouble()), 1, 1, 1));

        Assert.True(predictor.TryGetProfile("eu", Window, out var profile));
        var cpu = profile.Mean(Dimension.Cpu);
        Assert.InRange(cpu.Mean, 5.3, 5.7);
        Assert.InRange(cpu.P50, 5.5 * 0.97, 5.5 * 1.08); // bucket upper bounds: conservative by ≤ 5 %
        Assert.InRange(cpu.P90, 9.1 * 0.97, 9.1 * 1.08);
        Assert.InRange(cpu.P99, 9.0, 10.0);
    }

    [Fact]
    public void TryGetProfile_OldHighLoadThenNewLowLoad_DecayFavoursRecent()
    {
        var options = new DecayingHistogramPredictorOptions { HalfLife = TimeSpan.FromHours(1) };
        var predictor = new DecayingHistogramPredictor(options, _time);
        Feed(predictor, "eu", TimeSpan.FromHours(24), TimeSpan.FromMinutes(5), _ => new ResourceVector(10, 1, 1, 1));
        Feed(predictor, "eu", TimeSpan.FromHours(24), TimeSpan.FromMinutes(5), _ => new ResourceVector(2, 1, 1, 1));

        Assert.True(predictor.TryGetProfile("eu", Window, out var profile));
        Assert.InRange(profile.Mean(Dimension.Cpu).P95, 1.9, 2.1);
        Assert.InRange(profile.Mean(Dimension.Cpu).Mean, 1.99, 2.01);
    }

    [Fact]
    public void TryGetProfile_YearsOfData_RescalesWithoutOverflow()
    {
        var options = new DecayingHistogramPredictorOptions { HalfLife = TimeSpan.FromMinutes(10) };
        var predictor = new DecayingHistogramPredictor(options, _time);
        Feed(predictor, "eu", TimeSpan.FromDays(30), TimeSpan.FromHours(1), _ => new ResourceVector(4, 1, 1, 1));

        Assert.True(predictor.TryGetProfile("eu", Window, out var profile));
        Assert.True(double.IsFinite(profile.Mean(Dimension.Cpu).Mean));
        Assert.InRange(profile.Peak(Dimension.Cpu).P95, 3.8, 4.0);
    }

    [Fact]
    public void TryGetProfile_LongerWindow_HigherPeakNotHigherMean()
    {
        var predictor = new DecayingHistogramPredictor(timeProvider: _time);
        var random = new Random(3);
        Feed(predictor, "eu", TimeSpan.FromHours(72), TimeSpan.FromMinutes(5), _ => new ResourceVector(2 + (6 * random.NextDouble()), 4, 1, 1));

        Assert.True(predictor.TryGetProfile("eu", TimeSpan.FromHours(1), out var hour));
        Assert.True(predictor.TryGetProfile("eu", TimeSpan.FromHours(12), out var halfDay));
        Assert.True(halfDay.Peak(Dimension.Cpu).P50 > hour.Peak(Dimension.Cpu).P50);
        Assert.Equal(hour.Mean(Dimension.Cpu), halfDay.Mean(Dimension.Cpu));
        Assert.True(hour.Peak(Dimension.Cpu).P50 >= hour.Mean(Dimension.Cpu).P50);
        Assert.Equal(TimeSpan.FromHours(12), halfDay.Window);
    }

    [Fact]
    public void TryGetProfile_FewSamples_FallbackWithNote()
    {
        var predictor = new DecayingHistogramPredictor(timeProvider: _time);
        predictor.Observe("eu", Start, new ResourceVector(1, 1, 1, 1));
        Assert.True(predictor.TryGetProfile("eu", Window, out var profile));
        Assert.Equal(ProfileSource.Fallback, profile.Source);
        Assert.StartsWith("only 1 observation(s) ", profile.Note, StringComparison.Ordinal); // a fragment: the engine appends it after "; "
    }

    [Fact]
    public void TryGetProfile_StaleData_FallbackWithNote()
    {
        var predictor = new DecayingHistogramPredictor(timeProvider: _time);
        Feed(predictor, "eu", TimeSpan.FromHours(2), TimeSpan.FromMinutes(5), _ => new ResourceVector(1, 1, 1, 1));
        Assert.True(predictor.TryGetProfile("eu", Window, out var fresh));
        Assert.Equal(ProfileSource.Observed, fresh.Source);

        _time.Advance(TimeSpan.FromDays(2));
        Assert.True(predictor.TryGetProfile("eu", Window, out var stale));
        Assert.Equal(ProfileSource.Fallback, stale.Source);
        Assert.Contains("stale", stale.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void TryGetProfile_NoNewObservation_ServesTheCachedProfile()
    {
        var predictor = new DecayingHistogramPredictor(timeProvider: _time);
        Feed(predictor, "eu", TimeSpan.FromHours(2), TimeSpan.FromMinutes(5), _ => new ResourceVector(1, 1, 1, 1));
        Assert.True(predictor.TryGetProfile("eu", Window, out var first));
        Assert.True(predictor.TryGetProfile("eu", Window, out var second));
        Assert.Same(first, second);

        Assert.True(predictor.TryGetProfile("eu", TimeSpan.FromHours(2), out var otherWindow));
        Assert.NotSame(first, otherWindow);
        predictor.Observe("eu", _time.GetUtcNow(), new ResourceVector(5, 1, 1, 1));
        Assert.True(predictor.TryGetProfile("eu", Window, out var updated));
        Assert.NotSame(first, updated);
        Assert.Equal(5, updated.Mean(Dimension.Cpu).P99, 9);
    }

    [Fact]
    public void Observe_InvalidDemand_Throws()
    {
        var predictor = new DecayingHistogramPredictor(timeProvider: _time);
        Assert.Throws<ArgumentOutOfRangeException>(() => predictor.Observe("eu", Start, new ResourceVector(double.NaN, 0, 0, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => predictor.Observe("eu", Start, new ResourceVector(-1, 0, 0, 0)));
        Assert.Throws<ArgumentException>(() => predictor.Observe("", Start, ResourceVector.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => predictor.TryGetProfile("eu", TimeSpan.Zero, out _));
    }

    [Fact]
    public void Observe_FarFutureTimestamp_ClampedSoLaterSamplesStillCount()
    {
        var predictor = new DecayingHistogramPredictor(timeProvider: _time);
        Feed(predictor, "eu", TimeSpan.FromHours(2), TimeSpan.FromMinutes(5), _ => new ResourceVector(2, 1, 1, 1));

        // A source whose clock is ten years ahead. Before, this sample moved the decay reference ten years on, and
        // every real sample after it weighed 2^-3650 (zero): the profile stayed at 50 cores.
        predictor.Observe("eu", _time.GetUtcNow().AddYears(10), new ResourceVector(50, 1, 1, 1));
        Feed(predictor, "eu", TimeSpan.FromHours(24), TimeSpan.FromMinutes(5), _ => new ResourceVector(2, 1, 1, 1));

        Assert.Equal(1, predictor.FutureObservationsClamped);
        Assert.True(predictor.TryGetProfile("eu", Window, out var profile));
        Assert.Equal(ProfileSource.Observed, profile.Source);
        Assert.InRange(profile.Mean(Dimension.Cpu).P50, 1.9, 2.1);
        Assert.InRange(profile.Mean(Dimension.Cpu).Mean, 2, 2.2); // one 50-core sample among ~300 of 2 cores
    }

    [Fact]
    public void Observe_FarFutureTimestamp_RegionStillTurnsStale()
    {
        var options = new DecayingHistogramPredictorOptions();
        var predictor = new DecayingHistogramPredictor(options, _time);
        Feed(predictor, "eu", TimeSpan.FromHours(2), TimeSpan.FromMinutes(5), _ => new ResourceVector(2, 1, 1, 1));
        predictor.Observe("eu", _time.GetUtcNow().AddYears(10), new ResourceVector(2, 1, 1, 1));

        // The sample counts as taken MaxClockSkew from now: staleness starts from there, not ten years on.
        _time.Advance(options.StaleAfter + options.MaxClockSkew + TimeSpan.FromMinutes(1));
        Assert.True(predictor.TryGetProfile("eu", Window, out var profile));
        Assert.Equal(ProfileSource.Fallback, profile.Source);
        Assert.Contains("stale", profile.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Observe_AheadWithinMaxClockSkew_KeptAsIs()
    {
        var options = new DecayingHistogramPredictorOptions { MaxClockSkew = TimeSpan.FromMinutes(5) };
        var predictor = new DecayingHistogramPredictor(options, _time);
        Feed(predictor, "eu", TimeSpan.FromHours(2), TimeSpan.FromMinutes(5), _ => new ResourceVector(2, 1, 1, 1));
        predictor.Observe("eu", _time.GetUtcNow() + TimeSpan.FromMinutes(5), new ResourceVector(2, 1, 1, 1));
        Assert.Equal(0, predictor.FutureObservationsClamped);

        // Its own timestamp counts: stale only StaleAfter after it, not after the clock's now.
        _time.Advance(options.StaleAfter + TimeSpan.FromMinutes(1));
        Assert.True(predictor.TryGetProfile("eu", Window, out var fresh));
        Assert.Equal(ProfileSource.Observed, fresh.Source);
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.True(predictor.TryGetProfile("eu", Window, out var stale));
        Assert.Equal(ProfileSource.Fallback, stale.Source);
    }

    [Theory]
    [InlineData(-1, 24)]
    [InlineData(25 * 60, 24)]
    public void Constructor_MaxClockSkewOutOfRange_ThrowsNamingIt(int skewMinutes, int staleAfterHours)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new DecayingHistogramPredictor(new DecayingHistogramPredictorOptions
        {
            MaxClockSkew = TimeSpan.FromMinutes(skewMinutes),
            StaleAfter = TimeSpan.FromHours(staleAfterHours),
        }));
        Assert.Equal("options", error.ParamName);
        Assert.Contains("DecayingHistogramPredictorOptions.MaxClockSkew", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_InvalidOption_ThrowsNamingTheSetting()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new DecayingHistogramPredictor(new DecayingHistogramPredictorOptions { BucketGrowthRatio = 1 }));
        Assert.Contains("BucketGrowthRatio", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DecayingHistogramPredictor(new DecayingHistogramPredictorOptions { HalfLife = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DecayingHistogramPredictor(new DecayingHistogramPredictorOptions { MinimumSamples = 0 }));
    }

    [Theory]
    [InlineData(1e-9, 1 + 1e-12, 1e15)] // about 3.7e13 buckets
    [InlineData(1e-9, 1 + 1e-8, 1e6)] // about 1.6e9 buckets: the count fits an int, four dimensions of them do not
    [InlineData(1e-300, 1.05, 1e300)] // MaxValue × (ratio − 1) / FirstBucketSize overflows
    public void Constructor_MoreBucketsThanAnArrayHolds_ThrowsNamingTheSettings(double firstBucketSize, double ratio, double maxValue)
    {
        // Each setting is in its documented range, but together they ask for more buckets than an array holds. Before: the
        // predictor was created (BucketCount int.MinValue for the first and last) and every Observe threw
        // IndexOutOfRangeException or OverflowException.
        var options = new DecayingHistogramPredictorOptions { FirstBucketSize = firstBucketSize, BucketGrowthRatio = ratio, MaxValue = maxValue };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new DecayingHistogramPredictor(options, _time));

        Assert.Equal("options", error.ParamName);
        Assert.Contains("DecayingHistogramPredictorOptions.BucketGrowthRatio", error.Message, StringComparison.Ordinal);
        Assert.Contains("DecayingHistogramPredictorOptions.FirstBucketSize", error.Message, StringComparison.Ordinal);
        Assert.Contains("DecayingHistogramPredictorOptions.MaxValue", error.Message, StringComparison.Ordinal);
    }

    // Observes as a live source would: each sample at the clock's now, the clock moving on with the samples.
    private void Feed(DecayingHistogramPredictor predictor, string region, TimeSpan span, TimeSpan step, Func<DateTimeOffset, ResourceVector> load)
    {
        var end = _time.GetUtcNow() + span;
        for (var t = _time.GetUtcNow(); t < end; t += step)
        {
            _time.SetUtcNow(t);
            predictor.Observe(region, t, load(t));
        }

        _time.SetUtcNow(end);
    }
}
