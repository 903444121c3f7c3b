using Shaping.Forecasting.Models.Arima;
using Shaping.Forecasting.Tests.Fixtures;

namespace Shaping.Forecasting.Tests.Models.Arima;

public sealed class ArimaForecasterTests
{
    private static readonly ArimaSpecification Airline = new(0, 1, 1, 0, 1, 1, IncludeConstant: false);

    [Fact]
    public void AirPassengers_Fixture_MatchesTheDataset()
    {
        Assert.Equal(144, AirPassengers.Values.Length);
        Assert.Equal(40_363, AirPassengers.Values.Sum());
        Assert.Equal(112, AirPassengers.Values[0]);
        Assert.Equal(432, AirPassengers.Values[^1]);
    }

    [Fact]
    public void Fit_AirlineModelOnLogAirPassengers_MatchesRArima()
    {
        // R 4.x: arima(log(AirPassengers), c(0,1,1), seasonal = c(0,1,1)) gives ma1 = -0.4018, sma1 = -0.5569,
        // sigma^2 = 0.001348, log likelihood = 244.7.
        var model = new ArimaForecaster(Airline).Fit(AirPassengers.Log(), 12);

        var summary = model.Summary;
        Assert.Equal("ARIMA(0,1,1)(0,1,1)[12]", model.Name);
        Assert.Equal(-0.4018, summary.Parameters["ma1"], 0.005);
        Assert.Equal(-0.5569, summary.Parameters["sma1"], 0.005);
        Assert.Equal(244.70, summary.LogLikelihood, 0.1);
        Assert.Equal(0.001348, summary.Sigma2, 0.00002);
        Assert.Equal(131, summary.ObservationCount);
    }
}
