using Microsoft.Extensions.DependencyInjection;

namespace Shaping.DependencyInjection;

/// <summary>The default <see cref="IShapingBuilder"/>: a thin wrapper over the service collection.</summary>
internal sealed class ShapingBuilder(IServiceCollection services) : IShapingBuilder
{
    public IServiceCollection Services { get; } = services;
}
