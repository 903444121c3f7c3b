using Microsoft.Extensions.Options;
using Shaping.Forecasting.Engine;

namespace Shaping.DependencyInjection;

/// <summary>
/// Checks <see cref="PredictiveLoadEngineOptions"/> at start with the engine's own rules
/// (<see cref="PredictiveLoadEngineOptions.Validate"/>), and reports the engine's message, which names the setting and
/// the value it got (<c>PredictiveLoadEngineOptions.PathCount (1) must be at least 20.</c>).
/// </summary>
internal sealed class PredictiveLoadEngineOptionsValidator : IValidateOptions<PredictiveLoadEngineOptions>
{
    public ValidateOptionsResult Validate(string? name, PredictiveLoadEngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}
