using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Shaping.Capacity.PostgreSql;

/// <summary>Checks <see cref="PostgreSqlLedgerOptions"/>; every message names the setting.</summary>
internal sealed partial class PostgreSqlLedgerOptionsValidator : IValidateOptions<PostgreSqlLedgerOptions>
{
    internal const int MaxRetryCount = 20;
    internal const int MaxExpiryBatchSize = 100_000;

    /// <summary>The longest retry delay: the longest <see cref="Task.Delay(TimeSpan, TimeProvider)"/> takes (about 49.7 days).</summary>
    internal static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    public ValidateOptionsResult Validate(string? name, PostgreSqlLedgerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = Collect(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every failure.</summary>
    internal static void ThrowIfInvalid(PostgreSqlLedgerOptions options)
    {
        var failures = Collect(options);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(PostgreSqlLedgerOptions), failures);
        }
    }

    internal static List<string> Collect(PostgreSqlLedgerOptions options)
    {
        var failures = new List<string>();
        const string Prefix = nameof(PostgreSqlLedgerOptions) + ".";
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add(Prefix + nameof(options.ConnectionString) + " is required (an Npgsql connection string such as 'Host=127.0.0.1;Username=...;Password=...;Database=...').");
        }
        else
        {
            try
            {
                var parsed = new NpgsqlConnectionStringBuilder(options.ConnectionString);

                // A string that parses may still be refused when the pool is built (no host, a maximum pool size under
                // the minimum) or when the first connection opens (a port out of range): build a pool, which opens
                // nothing, and check the port, so that the start fails here rather than the first operation throwing.
                using var dataSource = new NpgsqlSlimDataSourceBuilder(options.ConnectionString).Build();
                if (parsed.Port is < IPEndPoint.MinPort + 1 or > IPEndPoint.MaxPort)
                {
                    failures.Add(Prefix + nameof(options.ConnectionString) + $" has Port {parsed.Port}; it must be between 1 and {IPEndPoint.MaxPort}.");
                }

                // A pool of at most 0 connections builds, but every operation then waits out the pool's timeout.
                if (parsed.MaxPoolSize < 1)
                {
                    failures.Add(Prefix + nameof(options.ConnectionString) + $" has Maximum Pool Size {parsed.MaxPoolSize}; it must be at least 1.");
                }
            }
            catch (ArgumentException ex)
            {
                failures.Add(Prefix + nameof(options.ConnectionString) + " is not a valid Npgsql connection string: " + ex.Message);
            }
        }

        if (options.Schema is null || !SchemaPattern().IsMatch(options.Schema))
        {
            failures.Add(Prefix + nameof(options.Schema) + $" '{options.Schema}' must be 1 to 63 lower-case letters, digits or underscores, starting with a letter or underscore.");
        }
        else if (options.Schema.StartsWith("pg_", StringComparison.Ordinal))
        {
            // PostgreSQL refuses to create a schema so named and the existing ones (pg_catalog, pg_toast) take no tables:
            // the first operation would fail with a PostgresException instead of the start failing here.
            failures.Add(Prefix + nameof(options.Schema) + $" '{options.Schema}' must not start with 'pg_': PostgreSQL reserves that prefix for system schemas.");
        }

        if (options.ReservationRetryCount is < 0 or > MaxRetryCount)
        {
            failures.Add(Prefix + nameof(options.ReservationRetryCount) + $" must be between 0 and {MaxRetryCount}; it was {options.ReservationRetryCount}.");
        }

        if (options.RetryBaseDelay < TimeSpan.Zero)
        {
            failures.Add(Prefix + nameof(options.RetryBaseDelay) + $" must not be negative; it was {options.RetryBaseDelay}.");
        }

        if (options.RetryMaxDelay < options.RetryBaseDelay)
        {
            failures.Add(Prefix + nameof(options.RetryMaxDelay) + $" ({options.RetryMaxDelay}) must be at least {nameof(options.RetryBaseDelay)} ({options.RetryBaseDelay}).");
        }

        if (options.RetryMaxDelay > MaxRetryDelay)
        {
            failures.Add(Prefix + nameof(options.RetryMaxDelay) + $" ({options.RetryMaxDelay}) must be at most {MaxRetryDelay} (about 49.7 days, the longest delay a timer takes).");
        }

        if (options.ExpiryBatchSize is < 1 or > MaxExpiryBatchSize)
        {
            failures.Add(Prefix + nameof(options.ExpiryBatchSize) + $" must be between 1 and {MaxExpiryBatchSize}; it was {options.ExpiryBatchSize}.");
        }

        if (options.FinishedRetention < TimeSpan.Zero)
        {
            failures.Add(Prefix + nameof(options.FinishedRetention) + $" must not be negative; it was {options.FinishedRetention}.");
        }

        return failures;
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex SchemaPattern();
}
