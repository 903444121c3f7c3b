using Shaping.Forecasting;
using Shaping.Forecasting.Calibration;
using Shaping.Forecasting.Models;
using Shaping.Forecasting.Selection;

namespace Shaping.Accuracy;

/// <summary>The forecasting methods the console can score, by the name <c>--methods</c> takes.</summary>
internal static class MethodRegistry
{
    /// <summary>The name of the console's validated-selection row (seasonal naive, Naive2, naive and AutoEts).</summary>
    public const string DefaultName = "default";

    /// <summary>
    /// Builds the registry. To score another forecaster, add one line below (for example
    /// <c>methods["theta"] = new ThetaForecaster();</c>). Methods in the initializer are also candidates of the
    /// <c>default</c> row, which chooses per series among them by validation error.
    /// </summary>
    public static OrderedDictionary<string, IForecaster> Create()
    {
        var methods = new OrderedDictionary<string, IForecaster>(StringComparer.OrdinalIgnoreCase)
        {
            ["naive2"] = new Naive2Forecaster(),
            ["snaive"] = new SeasonalNaiveForecaster(),
            ["naive"] = new NaiveForecaster(),
            ["autoets"] = new AutoEtsForecaster(),
        };

        // Seasonal naive first: it wins ties and is used alone when a history is too short to validate.
        var candidates = new List<IForecaster> { methods["snaive"] };
        candidates.AddRange(methods.Where(m => m.Key != "snaive").Select(m => m.Value));
        methods[DefaultName] = new ValidatedSelectionForecaster(candidates, validationLength: 48, ValidationMetric.Smape);

        // What AddForecasting() registers for the Predictive Load Engine: the same selection over seasonal naive and AutoEts.
        methods["engine"] = new ValidatedSelectionForecaster([methods["snaive"], methods["autoets"]]);

        // Forecasting II: AutoArima, Theta, regression and ensembles (not candidates of the default row, which stays as measured).
        methods["autoarima"] = new AutoArimaForecaster();
        methods["theta"] = new ThetaForecaster();
        methods["regression"] = new RegressionForecaster();
        methods["regression-log"] = new RegressionForecaster { LogTransform = true };
        methods["snaive168"] = new FixedPeriodForecaster(new SeasonalNaiveForecaster(), 168);
        IForecaster[] classic = [methods["autoets"], methods["theta"], methods["regression"], methods["snaive"]];
        methods["ens-median"] = new EnsembleForecaster(classic, EnsembleCombination.Median, name: "EnsembleMedian");
        methods["ens-weighted"] = new EnsembleForecaster(classic, EnsembleCombination.InverseErrorWeighted, name: "EnsembleWeighted");

        // Cheap members only: daily and weekly seasonal naive, additive and log-scale regression.
        IForecaster[] fast = [methods["snaive"], methods["snaive168"], methods["regression"], methods["regression-log"]];
        methods["ens-fast-median"] = new EnsembleForecaster(fast, EnsembleCombination.Median, name: "EnsembleFastMedian");
        methods["ens-fast-w1"] = new EnsembleForecaster(fast, EnsembleCombination.InverseErrorWeighted, name: "EnsembleFastW1");
        methods["ens-fast-w2"] = new EnsembleForecaster(fast, EnsembleCombination.InverseErrorWeighted, name: "EnsembleFastW2") { WeightExponent = 2 };
        methods["ens-fast-w4"] = new EnsembleForecaster(fast, EnsembleCombination.InverseErrorWeighted, name: "EnsembleFastW4") { WeightExponent = 4 };
        methods["ens-fast-w8"] = new EnsembleForecaster(fast, EnsembleCombination.InverseErrorWeighted, name: "EnsembleFastW8") { WeightExponent = 8 };

        // Split-conformal widening (holdout 48 = the horizon): the regression, whose intervals are too narrow, and
        // AutoEts, whose intervals are near nominal (docs/accuracy.md, "Prediction intervals").
        methods["regression-cal"] = new SplitConformalForecaster(methods["regression"]);
        methods["autoets-cal"] = new SplitConformalForecaster(methods["autoets"]);
        return methods;
    }
}
