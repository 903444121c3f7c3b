using Microsoft.Extensions.DependencyInjection;

namespace Shaping.DependencyInjection;

/// <summary>
/// Returned by <see cref="ShapingServiceCollectionExtensions.AddPredictiveShaping"/> to plug the host's own
/// adapters (capacity ledger, provisioner, predictor, utilisation source, catalog) into predictive shaping.
/// </summary>
public interface IShapingBuilder
{
    /// <summary>Gets the service collection the builder registers into.</summary>
    IServiceCollection Services { get; }
}
