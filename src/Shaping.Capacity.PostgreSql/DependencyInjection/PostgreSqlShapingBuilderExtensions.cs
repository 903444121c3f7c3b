using Shaping.Capacity.PostgreSql;
using Shaping.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Plugs the PostgreSQL capacity ledger into <c>AddPredictiveShaping()</c>.</summary>
public static class PostgreSqlShapingBuilderExtensions
{
    /// <summary>
    /// Uses a capacity ledger shared by every control-plane instance that points at the same database, instead of
    /// the in-memory default.
    /// </summary>
    /// <remarks>
    /// The ledger starts with no regions: until a region is given a capacity, every request there answers
    /// <see cref="Shaping.Core.ControlPlane.ReplicaOutcome.NoCapacity"/> ("Region '…' is unknown to the capacity
    /// ledger."), and <c>ShapingOptions.InMemoryRegions</c> seeds only the in-memory ledger. Set regions with
    /// <see cref="PostgreSqlCapacityLedger.SetRegionCapacityAsync"/> (an upsert; not on
    /// <see cref="Shaping.Core.Capacity.ICapacityLedger"/>) from a deployment step or a start-up job, once per
    /// deployment and again when capacity changes. The rows are shared by every instance, so with several instances
    /// set them from one place, or from each only with the same values: the last write wins.
    /// </remarks>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionString">The Npgsql connection string.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is null, empty or white space.</exception>
    public static IShapingBuilder UsePostgreSqlCapacityLedger(this IShapingBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddPostgreSqlCapacityLedger(connectionString);
        return builder;
    }

    /// <summary>Uses the PostgreSQL capacity ledger configured by <paramref name="configure"/>; options are validated at start.</summary>
    /// <remarks>The ledger starts with no regions; see <see cref="UsePostgreSqlCapacityLedger(IShapingBuilder, string)"/>.</remarks>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the ledger's options.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    public static IShapingBuilder UsePostgreSqlCapacityLedger(this IShapingBuilder builder, Action<PostgreSqlLedgerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddPostgreSqlCapacityLedger(configure);
        return builder;
    }
}
