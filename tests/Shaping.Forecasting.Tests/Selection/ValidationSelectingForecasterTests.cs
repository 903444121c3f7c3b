using Shaping.Forecasting.Selection;

namespace Shaping.Forecasting.Tests.Selection;

public sealed class ValidationSelectingForecasterTests
{
    [Fact]
    public void Fit_CandidateWithTheSmallerValidationError_IsRefittedOnTheWholeHistory()
    {
        var far = new FixedForecaster(100);
        var near = new FixedForecaster(6);
        var selector = new ValidationSelectingForecaster([far, near], validationSteps: 8);
        var history = Enumerable.Repeat(5.0, 60).ToArray();

        var model = selector.Fit(history, 1);
        var forecast = new double[3];
        model.ForecastMean(forecast);

        Assert.All(forecast, v => Assert.Equal(6, v));
        Assert.Equal([52], far.FittedLengths);
        Assert.Equal([52, 60], near.FittedLengths);
    }

    [Fact]
    public void Fit_Tie_GoesToTheEarlierCandidate()
    {
        var first = new FixedForecaster(4);
        var second = new FixedForecaster(6);
        var model = new ValidationSelectingForecaster([first, second], 8).Fit(Enumerable.Repeat(5.0, 40).ToArray(), 1);
        Assert.Equal("Fixed(4)", model.Name);
    }

    [Fact]
    public void Fit_HistoryTooShortForValidation_FitsTheFirstCandidateOnAll()
    {
        var first = new FixedForecaster(1);
        var second = new FixedForecaster(5);
        var model = new ValidationSelectingForecaster([first, second], 48).Fit(Enumerable.Repeat(5.0, 60).ToArray(), 24);

        Assert.Equal("Fixed(1)", model.Name);
        Assert.Equal([60], first.FittedLengths);
        Assert.Empty(second.FittedLengths);
    }

    [Fact]
    public void Fit_CandidateThatThrows_IsSkipped()
    {
        var model = new ValidationSelectingForecaster([new ThrowingForecaster(), new FixedForecaster(5)], 8)
            .Fit(Enumerable.Repeat(5.0, 40).ToArray(), 1);
        Assert.Equal("Fixed(5)", model.Name);
    }

    [Fact]
    public void Construct_And_Fit_BadArguments_Throw()
    {
        Assert.Throws<ArgumentException>(() => new ValidationSelectingForecaster([], 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ValidationSelectingForecaster([new FixedForecaster(1)], 0));
        var selector = new ValidationSelectingForecaster([new FixedForecaster(1)], 8);
        Assert.Throws<ArgumentException>(() => selector.Fit([1, double.NaN], 1));
    }

    private sealed class FixedForecaster(double value) : IForecaster
    {
        public List<int> FittedLengths { get; } = [];

        public string Name => $"Fixed({value})";

        public IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default)
        {
            FittedLengths.Add(history.Length);
            return new FixedModel(value, Name);
        }
    }

    private sealed class ThrowingForecaster : IForecaster
    {
        public string Name => "Throws";

        public IForecastModel Fit(ReadOnlySpan<double> history, int seasonalPeriod, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("Broken candidate.");
    }

    private sealed class FixedModel(double value, string name) : IForecastModel
    {
        public string Name => name;

        public int SeasonalPeriod => 1;

        public FitSummary Summary => new(new Dictionary<string, double>(), double.NaN, double.NaN, double.NaN, double.NaN, 0, 0);

        public void ForecastMean(Span<double> destination) => destination.Fill(value);

        public Forecast Forecast(int horizon, ReadOnlySpan<double> levels)
        {
            var mean = Enumerable.Repeat(value, horizon).ToArray();
            return new Forecast(mean, levels.ToArray(), levels.ToArray().Select(_ => mean.ToArray()).ToArray());
        }

        public void SimulatePaths(Span<double> paths, int horizon, Random random) => paths.Fill(value);

        public void Update(double observation)
        {
        }
    }
}
