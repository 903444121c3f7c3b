using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Shaping.Core.Resources;

namespace Shaping.Samples.Simulator.Tests;

public sealed class ValueParsersTests
{
    [Theory]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("1.5h", 5400)]
    [InlineData("1d", 86400)]
    [InlineData("00:05:00", 300)]
    [InlineData("1.00:00:00", 86400)]
    [InlineData(" 2M ", 120)]
    public void TryParseDuration_ValidText_ReturnsSeconds(string text, double seconds)
    {
        Assert.True(ValueParsers.TryParseDuration(text, out var value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5x")]
    [InlineData("-5m")]
    [InlineData("0s")]
    [InlineData("m")]
    [InlineData("00:00:00")]
    [InlineData("1e20s")] // beyond TimeSpan's range: used to throw OverflowException out of the parser
    [InlineData("1e15d")]
    [InlineData("300")] // a bare number: the TimeSpan fallback read it as 300 days
    [InlineData("1.5")] // ... and this as 1 day 5 hours
    [InlineData("7")]
    [InlineData(null)]
    public void TryParseDuration_InvalidText_ReturnsFalse(string? text) =>
        Assert.False(ValueParsers.TryParseDuration(text, out _));

    [Theory]
    [InlineData("300", true)]
    [InlineData("1.5", true)]
    [InlineData("5m", false)]
    [InlineData("00:05:00", false)]
    [InlineData(null, false)]
    public void IsBareNumber_Text_TellsNumbersWithoutUnit(string? text, bool expected) =>
        Assert.Equal(expected, ValueParsers.IsBareNumber(text));

    [Fact]
    public void TryParseVector_TwoValues_FillsTheRestWithZero()
    {
        Assert.True(ValueParsers.TryParseVector("16, 64", out var value));
        Assert.Equal(new ResourceVector(16, 64, 0, 0), value);
    }

    [Theory]
    [InlineData("1,2,3,4,5")]
    [InlineData("1,-2")]
    [InlineData("a,b")]
    [InlineData("1,,2")]
    [InlineData("NaN")]
    [InlineData("")]
    public void TryParseVector_InvalidText_ReturnsFalse(string text) =>
        Assert.False(ValueParsers.TryParseVector(text, out _));

    [Property(MaxTest = 200)]
    public Property TryParseVector_FormattedVector_RoundTrips() =>
        Prop.ForAll(
            Gen.Choose(0, 1_000_000).Select(i => i / 1000.0).ArrayOf(4).ToArbitrary(),
            amounts =>
            {
                var text = string.Join(',', amounts.Select(a => a.ToString("R", CultureInfo.InvariantCulture)));
                return ValueParsers.TryParseVector(text, out var value)
                    && value == new ResourceVector(amounts[0], amounts[1], amounts[2], amounts[3]);
            });
}
