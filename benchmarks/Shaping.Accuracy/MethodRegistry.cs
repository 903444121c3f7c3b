using Shaping.Forecasting;
using Shaping.Forecasting.Models;
using Shaping.Forecasting.Selection;

namespace Shaping.Accuracy;

/// <summary>The forecasting methods the console can score, by the name <c>--methods</c> takes.</summary>
internal static class MethodRegistry
{
    /// <summary>The name of the engine's default forecaster row.</summary>
    public const string DefaultName = "default";

    /// <summary>
    /// Builds the registry. To score another forecaster, add one line to the initializer (for example
    /// <c>["autoets"] = new AutoEtsForecaster(),
    /// <c>default</c> row, which chooses per series among every registered method by validation error.
    /// </summary>
    public static OrderedDictionary<string, IForecaster> Create()
    {
        var methods = new OrderedDictionary<string, IForecaster>(StringComparer.OrdinalIgnoreCase)
        {
            ["naive2"] = new Naive2Forecaster(),
            ["snaive"] = new SeasonalNaiveForecaster(),
            ["naive"] = new NaiveForecaster(),
            ["autoets"] = new AutoEtsForecaster(),
            ["autoarima"] = new AutoArimaForecaster(),
        };

        // Seasonal naive first: it wins ties and is used alone when a history is too short to validate.
        var candidates = new List<IForecaster> { methods["snaive"] };
        candidates.AddRange(methods.Where(m => m.Key != "snaive").Select(m => m.Value));
        methods[DefaultName] = new ValidatedSelectionForecaster(candidates, validationLength: 48, ValidationMetric.Smape);
        return methods;
    }
}
