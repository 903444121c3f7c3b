using Shaping.Forecasting.Engine;

namespace Shaping.Forecasting.Tests.Engine;

/// <summary>
/// How <see cref="PredictiveLoadEngineOptions.Windows"/> is edited in code: the defaults stand until a window is added,
/// which replaces them (as configuration binding, which only adds, needs); any other edit works on the defaults.
/// </summary>
public sealed class PredictiveLoadEngineOptionsTests
{
    private static readonly TimeSpan Minutes15 = TimeSpan.FromMinutes(15);

    [Fact]
    public void Windows_Untouched_AreTheDefaults()
    {
        var options = new PredictiveLoadEngineOptions();

        Assert.Equal([TimeSpan.FromMinutes(5), TimeSpan.FromHours(1), TimeSpan.FromDays(1)], options.Windows);
        Assert.Equal(PredictiveLoadEngineOptions.DefaultWindows, options.Windows);
    }

    [Fact]
    public void Windows_FirstAdd_ReplacesTheDefaultsAndLaterAddsAppend()
    {
        var options = new PredictiveLoadEngineOptions();

        options.Windows.Add(Minutes15);
        options.Windows.Add(TimeSpan.FromHours(2));

        Assert.Equal([Minutes15, TimeSpan.FromHours(2)], options.Windows);
    }

    [Fact]
    public void Windows_ClearThenAdd_HoldsOnlyTheAddedWindows()
    {
        var options = new PredictiveLoadEngineOptions();

        options.Windows.Clear();
        options.Windows.Add(Minutes15);

        Assert.Equal([Minutes15], options.Windows);
    }

    [Fact]
    public void Windows_RemoveThenAdd_EditsTheDefaults()
    {
        var options = new PredictiveLoadEngineOptions();

        Assert.True(options.Windows.Remove(TimeSpan.FromDays(1)));
        options.Windows.Add(Minutes15);

        Assert.Equal([TimeSpan.FromMinutes(5), TimeSpan.FromHours(1), Minutes15], options.Windows);
    }

    [Fact]
    public void Windows_InsertOrSetAnItem_EditsTheDefaults()
    {
        var inserted = new PredictiveLoadEngineOptions();
        inserted.Windows.Insert(0, TimeSpan.FromMinutes(1));
        var set = new PredictiveLoadEngineOptions();
        set.Windows[2] = TimeSpan.FromHours(6);

        Assert.Equal([TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromHours(1), TimeSpan.FromDays(1)], inserted.Windows);
        Assert.Equal([TimeSpan.FromMinutes(5), TimeSpan.FromHours(1), TimeSpan.FromHours(6)], set.Windows);
    }

    [Fact]
    public void Windows_DefaultsPlusOne_WrittenAsDocumented()
    {
        var options = new PredictiveLoadEngineOptions();

        options.Windows.Clear();
        foreach (var window in PredictiveLoadEngineOptions.DefaultWindows)
        {
            options.Windows.Add(window);
        }

        options.Windows.Add(TimeSpan.FromHours(6));

        Assert.Equal([TimeSpan.FromMinutes(5), TimeSpan.FromHours(1), TimeSpan.FromDays(1), TimeSpan.FromHours(6)], options.Windows);
    }

    [Fact]
    public void Windows_ClearedAndLeftEmpty_FailValidationNamingTheSetting()
    {
        var options = new PredictiveLoadEngineOptions();
        options.Windows.Clear();

        var exception = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Contains("PredictiveLoadEngineOptions.Windows (0) must hold at least one window", exception.Message, StringComparison.Ordinal);
    }
}
