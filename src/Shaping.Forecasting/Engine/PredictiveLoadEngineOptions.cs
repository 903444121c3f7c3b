using System.Globalization;

namespace Shaping.Forecasting.Engine;

/// <summary>Settings of the <see cref="PredictiveLoadEngine"/>.</summary>
public sealed class PredictiveLoadEngineOptions
{
    /// <summary>Gets or sets the length of one step of the series the engine keeps and forecasts.</summary>
    /// <remarks>Observations are averaged into steps of this length; load above the step mean inside one step is not
    /// seen by the models, so choose a resolution no coarser than the shortest window you ask for.</remarks>
    /// <value>The default value is 5 minutes.</value>
    public TimeSpan Resolution { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets the windows the engine precomputes profiles for (a list to edit in place).</summary>
    /// <remarks>
    /// <para>A request for another window is served from the smallest precomputed window at least as long
    /// (peaks over a longer window are higher, so that errs on the safe side), or from the fallback.</para>
    /// <para>
    /// The list starts with <see cref="DefaultWindows"/>, and the first window added replaces them: windows given in
    /// configuration (<c>"Windows": ["00:15:00", "02:00:00"]</c> bound with <c>services.Configure&lt;PredictiveLoadEngineOptions&gt;(section)</c>)
    /// are the engine's windows, not added to the defaults, and so is <c>options.Windows.Add(…)</c> in code. Any other
    /// edit first (<c>Clear</c>, <c>Remove</c>, <c>Insert</c>, setting an item) works on the defaults, and every add
    /// after an edit appends. To keep the defaults and add one, write
    /// <c>options.Windows.Clear()</c>, then add <see cref="DefaultWindows"/> and yours.
    /// </para>
    /// </remarks>
    /// <value>The default value is 5 minutes, 1 hour and 1 day (<see cref="DefaultWindows"/>).</value>
    public IList<TimeSpan> Windows { get; } = new ReplaceableDefaultsList<TimeSpan>(DefaultWindows);

    /// <summary>Gets the windows <see cref="Windows"/> holds until a window is added: 5 minutes, 1 hour and 1 day.</summary>
    public static IReadOnlyList<TimeSpan> DefaultWindows { get; } = [TimeSpan.FromMinutes(5), TimeSpan.FromHours(1), TimeSpan.FromDays(1)];

    /// <summary>Gets or sets the seasonal period in steps; 0 derives it as one day divided by <see cref="Resolution"/>.</summary>
    /// <value>The default value is 0 (daily). The period, set or derived, must be at most 524,288 steps (half the
    /// largest <see cref="MaximumHistory"/>, since the default minimum history is two seasons): a daily period needs
    /// a <see cref="Resolution"/> of at least about 0.17 s.</value>
    public int SeasonalPeriod { get; set; }

    /// <summary>Gets or sets how often the models are refitted on the whole history.</summary>
    /// <remarks>Between refits, each new step is absorbed online in O(1) (<see cref="IForecastModel.Update"/>).</remarks>
    /// <value>The default value is 6 hours.</value>
    public TimeSpan RefitInterval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Gets or sets how often the profiles are recomputed from the current models.</summary>
    /// <remarks>
    /// <see cref="PredictiveLoadEngine.RunAsync"/> waits this long between refreshes with
    /// <see cref="Task.Delay(TimeSpan, TimeProvider, CancellationToken)"/>, which takes at most 4,294,967,294 ms. The
    /// wait starts when a refresh ends, so profiles are republished every interval plus the refresh's own time (fits
    /// included): keep <see cref="StaleAfter"/> well above that, or lookups fall back for a while before each refresh.
    /// </remarks>
    /// <value>The default value is 5 minutes. Must be positive and at most 4,294,967,294 ms (about 49.7 days).</value>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    // The longest delay Task.Delay accepts (its timer's limit); a longer RefreshInterval would fail only when RunAsync
    // first waited.
    private static readonly TimeSpan MaxRefreshInterval = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary>
    /// Gets or sets how old a profile, or a region's latest observation, may be before lookups fall back instead of
    /// using the forecast.
    /// </summary>
    /// <remarks>
    /// Measured both from the last refresh (the refresh loop stopped) and from the region's latest observation (its
    /// data stopped: refreshing would only re-stamp a forecast for a window that has passed), at each lookup: data
    /// that resumes counts as fresh at once, not from the next refresh.
    /// </remarks>
    /// <value>The default value is 30 minutes.</value>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Gets or sets how far ahead of the engine's clock an observation's timestamp may be.</summary>
    /// <remarks>
    /// Observations come from other machines' clocks, which can run ahead. A single sample stamped far in the future
    /// would move a region's series there: the steps in between would be filled with synthetic copies and every real
    /// observation after it would be too late to keep. The demand of such a sample is still real, so it is kept, at
    /// the clock's now plus this tolerance, and counted in <see cref="PredictiveLoadEngine.FutureObservationsClamped"/>
    /// (the same rule as the core predictor's <c>DecayingHistogramPredictorOptions.MaxClockSkew</c>). Allow for
    /// ordinary clock skew and for the delay between taking an observation and recording it.
    /// </remarks>
    /// <value>The default value is 5 minutes. Must be non-negative and at most <see cref="StaleAfter"/>.</value>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets the minimum history, in steps, before a model is fitted; 0 means two seasons.</summary>
    /// <value>The default value is 0 (two seasons).</value>
    public int MinimumHistory { get; set; }

    /// <summary>Gets or sets the most steps of history kept per series (older steps are dropped).</summary>
    /// <remarks>Each region holds four series of this many steps (12 bytes a step), allocated at its first
    /// observation, and a refit copies them.</remarks>
    /// <value>The default value is 4,032 (two weeks of 5-minute steps). Must be at least the minimum history and at
    /// most 1,048,576 (12 MiB per series).</value>
    public int MaximumHistory { get; set; } = 4032;

    /// <summary>Gets or sets how many sample paths build a window's mean and peak distributions.</summary>
    /// <remarks>A refresh simulates, per region and dimension, this many paths over the longest window plus a lead of
    /// up to <see cref="StaleAfter"/> (the data may end that long before now), one <see cref="double"/> per step.</remarks>
    /// <value>The default value is 500. Must be at least 20, and <see cref="PathCount"/> × (steps of the longest
    /// window + steps of <see cref="StaleAfter"/> + 1) at most 8,388,608 (64 MiB of paths per refresh).</value>
    public int PathCount { get; set; } = 500;

    /// <summary>Gets or sets the seed of the path simulation, for reproducible profiles.</summary>
    /// <value>The default value is 42.</value>
    public int Seed { get; set; } = 42;

    /// <summary>
    /// Gets or sets whether the engine calibrates the peak quantiles it publishes online, from how the realised peaks
    /// of past windows landed against the quantiles it stated for them.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The shape selector sizes capacity at a quantile of the predicted peak (<c>PeakConfidence</c>), so a profile
    /// whose stated 95 % peak is exceeded in 20 % of windows gives users less confidence than they asked for, and one
    /// exceeded in 0.2 % of windows buys capacity they did not ask for. With calibration on, each region keeps, per
    /// window and dimension, an adaptive conformal calibrator (<see cref="Calibration.ConformalIntervalCalibrator"/>)
    /// for each stored level above the median (0.75, 0.9, 0.95, 0.99). When a published window has passed, the next
    /// refresh scores its realised peak (the highest closed step) by how far it came above the stated quantile, in
    /// units of the stated median peak, and every profile published afterwards has that level's quantile U moved to
    /// max(median, U + q × median), where q is the calibrator's current adjustment: raised when peaks came above it more
    /// often than the level allows, lowered when less often. Only exceedances count (a peak below the quantile costs
    /// idle capacity, not a shortfall). The median, the lower quantiles, the peak's mean and the window-mean
    /// distributions are the models' own, and a longer window's quantiles stay at least the shorter window's.
    /// </para>
    /// <para>
    /// A window is recorded at most 12 times per window length (a 1-day window every 2 hours) and at most once per
    /// <see cref="RefreshInterval"/>; overlapping windows miss together, so the adaptive step per record is
    /// <see cref="PeakCalibrationLearningRate"/> divided by the records per window length. A level is adjusted once it
    /// has 20 scores: for the 1-day window about 1.7 days of records after the first window closes, which is three days
    /// after the region's first forecast. The work runs in the refresh, never in <see cref="PredictiveLoadEngine.Observe"/>
    /// or the lookup. A region's calibration is dropped with its series when the series restarts after a long gap, and
    /// with the region in <see cref="PredictiveLoadEngine.RemoveRegion"/>. A raised quantile is capped at the highest
    /// realised peak of the window's last <see cref="PeakCalibrationScores"/> scored windows (or left at the stated one
    /// when that is higher), so misses learnt while a region was near idle cannot inflate it once it is busy. Memory: per
    /// region, windows × 4 dimensions × (4 levels × 2 + 1) × <see cref="PeakCalibrationScores"/> doubles (about 422 KiB
    /// with the default three windows and 500 scores).
    /// </para>
    /// </remarks>
    /// <value>The default value is <see langword="true"/>: on the accuracy console's real traces (docs/accuracy.md, "The
    /// engine's served profiles on real traces") it brought the share of windows under the stated 95 % peak closer to
    /// 95 % on 23 of 24 window and dimension rows, from 70–100 % to 77–100 % (94–96 % on every 5-minute and 1-hour
    /// window). Turn it off to serve the models' quantiles as they are.</value>
    public bool CalibratePeaks { get; set; } = true;

    /// <summary>Gets or sets how many recent scores each peak calibrator takes its quantile over (see <see cref="CalibratePeaks"/>).</summary>
    /// <remarks>Longer is steadier; shorter follows a change in the series' behaviour sooner. The 99 % level needs a
    /// few hundred for its quantile to rest on more than a handful of misses.</remarks>
    /// <value>The default value is 500. Must be from 20 to 10,000.</value>
    public int PeakCalibrationScores { get; set; } = 500;

    /// <summary>Gets or sets the adaptive step γ of each peak calibrator (see <see cref="CalibratePeaks"/>): after every
    /// scored window the working miss rate moves by γ × (target miss rate − miss), divided by how many overlapping
    /// windows are recorded per window length.</summary>
    /// <remarks>0 turns the adaptation off (a plain rolling conformal quantile). Larger steps follow drift faster and
    /// swing more.</remarks>
    /// <value>The default value is 0.005 (as <see cref="Calibration.ConformalIntervalCalibrator"/>'s). Must be in [0, 0.5].</value>
    public double PeakCalibrationLearningRate { get; set; } = 0.005;

    /// <summary>The largest <see cref="PeakCalibrationScores"/>.</summary>
    internal const int MaxPeakCalibrationScores = 10_000;

    /// <summary>The largest <see cref="MaximumHistory"/>, in steps.</summary>
    internal const int MaxHistorySteps = 1 << 20;

    /// <summary>The largest seasonal period, in steps: two seasons (the default minimum history) fit the largest history.</summary>
    internal const int MaxSeasonalPeriod = MaxHistorySteps / 2;

    /// <summary>The most path values (<see cref="PathCount"/> × steps simulated) one refresh may allocate.</summary>
    internal const long MaxPathValues = 1 << 23;

    /// <summary>Gets the effective seasonal period, in steps (valid once <see cref="Validate"/> passed).</summary>
    internal int EffectiveSeasonalPeriod =>
        SeasonalPeriod > 0 ? SeasonalPeriod : Math.Max(1, checked((int)Math.Round(TimeSpan.FromDays(1) / Resolution)));

    /// <summary>Gets the steps of the longest window (valid once <see cref="Validate"/> passed).</summary>
    internal int LongestWindowSteps => checked((int)Math.Ceiling(Windows.Max() / Resolution));

    /// <summary>
    /// Gets the most steps a refresh simulates before its windows start: a region's data may end up to
    /// <see cref="StaleAfter"/> before now (later than that it falls back), plus the open step.
    /// </summary>
    internal int MaxLeadSteps => checked((int)Math.Ceiling(StaleAfter / Resolution) + 1);

    /// <summary>Gets the effective minimum history, in steps.</summary>
    internal int EffectiveMinimumHistory => MinimumHistory > 0 ? MinimumHistory : checked(2 * EffectiveSeasonalPeriod);

    /// <summary>Copies the settings, so that an engine is not affected by later changes to the instance it was given.</summary>
    internal PredictiveLoadEngineOptions Clone()
    {
        var copy = new PredictiveLoadEngineOptions
        {
            Resolution = Resolution,
            SeasonalPeriod = SeasonalPeriod,
            RefitInterval = RefitInterval,
            RefreshInterval = RefreshInterval,
            StaleAfter = StaleAfter,
            MaxClockSkew = MaxClockSkew,
            MinimumHistory = MinimumHistory,
            MaximumHistory = MaximumHistory,
            PathCount = PathCount,
            Seed = Seed,
            CalibratePeaks = CalibratePeaks,
            PeakCalibrationScores = PeakCalibrationScores,
            PeakCalibrationLearningRate = PeakCalibrationLearningRate,
        };
        copy.Windows.Clear();
        foreach (var window in Windows)
        {
            copy.Windows.Add(window);
        }

        return copy;
    }

    /// <summary>Checks every setting and throws with a message naming the first bad one.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        Check(Resolution > TimeSpan.Zero, nameof(Resolution), Resolution, "must be positive");
        Check(Windows.Count > 0, nameof(Windows), Windows.Count, "must hold at least one window");
        foreach (var window in Windows)
        {
            Check(window >= Resolution, nameof(Windows), window, "must each be at least the resolution");
        }

        Check(SeasonalPeriod >= 0, nameof(SeasonalPeriod), SeasonalPeriod, "must be 0 (daily) or positive");
        Check(SeasonalPeriod <= MaxSeasonalPeriod, nameof(SeasonalPeriod), SeasonalPeriod, $"must be at most {MaxSeasonalPeriod} steps");
        if (SeasonalPeriod == 0)
        {
            var daily = Math.Round(TimeSpan.FromDays(1) / Resolution);
            Check(daily <= MaxSeasonalPeriod, nameof(Resolution), Resolution, $"derives a daily seasonal period of {daily} steps, more than the {MaxSeasonalPeriod} supported; use a coarser resolution or set SeasonalPeriod");
        }

        Check(RefitInterval > TimeSpan.Zero, nameof(RefitInterval), RefitInterval, "must be positive");
        Check(RefreshInterval > TimeSpan.Zero, nameof(RefreshInterval), RefreshInterval, "must be positive");
        Check(RefreshInterval <= MaxRefreshInterval, nameof(RefreshInterval), RefreshInterval, $"must be at most {MaxRefreshInterval} (about 49.7 days), the longest delay a timer supports");
        Check(StaleAfter >= RefreshInterval, nameof(StaleAfter), StaleAfter, "must be at least RefreshInterval");
        Check(MaxClockSkew >= TimeSpan.Zero && MaxClockSkew <= StaleAfter, nameof(MaxClockSkew), MaxClockSkew, "must be non-negative and at most StaleAfter");
        Check(MinimumHistory >= 0, nameof(MinimumHistory), MinimumHistory, "must be 0 (two seasons) or positive");
        Check(
            MaximumHistory >= EffectiveMinimumHistory,
            nameof(MaximumHistory),
            MaximumHistory,
            MinimumHistory > 0
                ? $"must be at least MinimumHistory ({MinimumHistory} steps)"
                : $"must be at least the minimum history, two seasons of {EffectiveSeasonalPeriod} steps ({EffectiveMinimumHistory} steps{(SeasonalPeriod == 0 ? $": a day is {EffectiveSeasonalPeriod} steps of {Resolution}" : "")}); raise MaximumHistory, or set MinimumHistory or SeasonalPeriod");
        Check(MaximumHistory <= MaxHistorySteps, nameof(MaximumHistory), MaximumHistory, $"must be at most {MaxHistorySteps} steps");
        Check(PathCount >= 20, nameof(PathCount), PathCount, "must be at least 20");
        Check(
            PeakCalibrationScores >= 20 && PeakCalibrationScores <= MaxPeakCalibrationScores,
            nameof(PeakCalibrationScores),
            PeakCalibrationScores,
            $"must be from 20 to {MaxPeakCalibrationScores}");
        Check(
            PeakCalibrationLearningRate >= 0 && PeakCalibrationLearningRate <= 0.5,
            nameof(PeakCalibrationLearningRate),
            PeakCalibrationLearningRate,
            "must be in [0, 0.5]");

        // In double: a long window at a fine resolution does not fit an int, let alone the product.
        var longest = Math.Ceiling(Windows.Max() / Resolution);
        var lead = Math.Ceiling(StaleAfter / Resolution) + 1;
        var values = (double)PathCount * (longest + lead);
        Check(values <= MaxPathValues, nameof(PathCount), PathCount, $"× (longest window + StaleAfter lead) = {PathCount} × ({longest} + {lead}) steps = {values} path values, more than the {MaxPathValues} a refresh may allocate; use fewer paths, shorter Windows, a shorter StaleAfter or a coarser Resolution");
    }

    private static void Check(bool condition, string name, object value, string rule)
    {
        if (!condition)
        {
            throw new ArgumentOutOfRangeException(
                name, value, string.Create(CultureInfo.InvariantCulture, $"PredictiveLoadEngineOptions.{name} ({value}) {rule}."));
        }
    }
}
