using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Shaping.Capacity.PostgreSql;
using Shaping.Core.Capacity;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the <see cref="PostgreSqlCapacityLedger"/> as the container's <see cref="ICapacityLedger"/>.</summary>
public static class PostgreSqlCapacityLedgerServiceCollectionExtensions
{
    /// <summary>
    /// Uses a PostgreSQL capacity ledger reached through <paramref name="connectionString"/>, with default settings otherwise.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="connectionString">The Npgsql connection string.</param>
    /// <returns>The value of <paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is null, empty or white space.</exception>
    public static IServiceCollection AddPostgreSqlCapacityLedger(this IServiceCollection services, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return services.AddPostgreSqlCapacityLedger(options => options.ConnectionString = connectionString);
    }

    /// <summary>
    /// Uses a PostgreSQL capacity ledger configured by <paramref name="configure"/>. The settings are validated when the
    /// host starts (and when the ledger is first resolved); an invalid setting fails with a message naming it.
    /// </summary>
    /// <remarks>
    /// Replaces any <see cref="ICapacityLedger"/> registered before (for example an in-memory default). The ledger is
    /// a singleton that owns its connection pool; the container disposes it. It uses the container's
    /// <see cref="TimeProvider"/>, adding <see cref="TimeProvider.System"/> if there is none. Calling this again adds
    /// another configuration step and nothing else. The ledger starts with no regions: set them with
    /// <see cref="PostgreSqlCapacityLedger.SetRegionCapacityAsync"/> before requests arrive (see
    /// <see cref="PostgreSqlShapingBuilderExtensions.UsePostgreSqlCapacityLedger(Shaping.DependencyInjection.IShapingBuilder, string)"/>).
    /// </remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets <see cref="PostgreSqlLedgerOptions"/>.</param>
    /// <returns>The value of <paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddPostgreSqlCapacityLedger(this IServiceCollection services, Action<PostgreSqlLedgerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptionsWithValidateOnStart<PostgreSqlLedgerOptions>().Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgreSqlLedgerOptions>, PostgreSqlLedgerOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(static sp => new PostgreSqlCapacityLedger(
            sp.GetRequiredService<IOptions<PostgreSqlLedgerOptions>>().Value,
            sp.GetRequiredService<TimeProvider>()));
        services.RemoveAll<ICapacityLedger>();
        services.AddSingleton<ICapacityLedger>(static sp => sp.GetRequiredService<PostgreSqlCapacityLedger>());
        return services;
    }
}
