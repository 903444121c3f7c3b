using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Shaping.Core.Prediction;
using Shaping.Forecasting;
using Shaping.Forecasting.Engine;
using Shaping.Forecasting.Models;
using Shaping.Forecasting.Selection;

using Shaping.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Wires the Predictive Load Engine (Shaping.Forecasting) into <c>AddPredictiveShaping()</c>.</summary>
public static class ForecastingShapingBuilderExtensions
{
    /// <summary>
    /// Makes the <see cref="PredictiveLoadEngine"/> the host's <see cref="ILoadPredictor"/>, with the core
    /// <see cref="DecayingHistogramPredictor"/> as its fallback, and runs its refit and refresh schedule as a hosted
    /// service.
    /// </summary>
    /// <remarks>
    /// The engine's forecaster is, unless an <see cref="IForecaster"/> is registered, a
    /// <see cref="ValidatedSelectionForecaster"/> choosing per series between seasonal naive and AutoEts by their
    /// error on the last 48 steps (so a model that loses to seasonal naive on a series is not used for it). This call
    /// replaces the embedded default predictor but never an <see cref="ILoadPredictor"/> the host registered itself,
    /// whether before or after <c>AddPredictiveShaping()</c>; the engine is then still resolvable as
    /// <see cref="PredictiveLoadEngine"/>. A <see cref="PredictiveLoadEngine"/> the host registered itself before this
    /// call is the engine used (made the predictor and run on the schedule) instead of the default one. A second call adds nothing but its
    /// <paramref name="configure"/> delegate. Invalid engine options fail when the host starts, with a message naming
    /// the setting and its value.
    /// </remarks>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Adjusts the engine's options (resolution, windows, refit and refresh intervals, paths).</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IShapingBuilder AddForecasting(this IShapingBuilder builder, Action<PredictiveLoadEngineOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<PredictiveLoadEngineOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(
            ServiceDescriptor.Singleton<IValidateOptions<PredictiveLoadEngineOptions>, PredictiveLoadEngineOptionsValidator>());

        // A second call is told by the engine's hosted service, not by an engine registration: an engine the host
        // registered itself before this call is the one served (as AddPredictiveShaping's defaults give way to the
        // host's), and still becomes the predictor and runs its schedule.
        if (services.Any(IsEngineHostedService))
        {
            return builder;
        }

        services.TryAddSingleton<IForecaster>(_ => new ValidatedSelectionForecaster([new SeasonalNaiveForecaster(), new AutoEtsForecaster()]));
        services.TryAddSingleton(sp => new DecayingHistogramPredictor(timeProvider: sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new PredictiveLoadEngine(
            sp.GetRequiredService<IForecaster>(),
            sp.GetRequiredService<DecayingHistogramPredictor>(),
            sp.GetRequiredService<IOptions<PredictiveLoadEngineOptions>>().Value,
            sp.GetRequiredService<TimeProvider>()));

        // Replace the embedded default predictor, but never a predictor the host registered itself, before or after
        // AddPredictiveShaping (with TryAdd, Add or Use*): only the default's own descriptor goes, and the engine
        // becomes the predictor only when no other registration is left.
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (IsDefaultPredictor(services[i]))
            {
                services.RemoveAt(i);
            }
        }

        if (!services.Any(d => d.ServiceType == typeof(ILoadPredictor) && !d.IsKeyedService))
        {
            services.AddSingleton<ILoadPredictor>(sp => sp.GetRequiredService<PredictiveLoadEngine>());
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PredictiveLoadEngineHostedService>());
        return builder;
    }

    private static bool IsEngineHostedService(ServiceDescriptor descriptor) =>
        descriptor.ServiceType == typeof(IHostedService)
        && !descriptor.IsKeyedService
        && descriptor.ImplementationType == typeof(PredictiveLoadEngineHostedService);

    private static bool IsDefaultPredictor(ServiceDescriptor descriptor) =>
        descriptor.ServiceType == typeof(ILoadPredictor)
        && !descriptor.IsKeyedService
        && ShapingServiceCollectionExtensions.DefaultPredictorFactory.Equals(descriptor.ImplementationFactory);
}
