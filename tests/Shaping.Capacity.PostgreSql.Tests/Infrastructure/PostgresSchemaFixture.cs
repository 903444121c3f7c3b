using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Shaping.Capacity.PostgreSql.Tests.Infrastructure;

/// <summary>A throw-away schema per test class, ledgers on it, and check queries that read the tables directly.</summary>
public sealed class PostgresSchemaFixture : IAsyncLifetime
{
    private readonly List<PostgreSqlCapacityLedger> _ledgers = [];
    private NpgsqlDataSource? _checker;

    public string Schema { get; } = "t_" + Guid.NewGuid().ToString("N")[..12];

    public static string ConnectionString => PostgresFactAttribute.ConnectionString ?? throw new InvalidOperationException(PostgresFactAttribute.Variable + " is not set.");

    /// <summary>A pool of its own, used only by the checks (and to kill other connections).</summary>
    public NpgsqlDataSource Checker => _checker ??= NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = "shaping-test-checker" }.ConnectionString);

    /// <summary>Creates a ledger with its own connection pool (an independent "instance").</summary>
    public PostgreSqlCapacityLedger CreateLedger(TimeProvider? time = null, Action<PostgreSqlLedgerOptions>? configure = null, string? applicationName = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = applicationName ?? "shaping-test-" + Schema };
        var options = new PostgreSqlLedgerOptions { ConnectionString = builder.ConnectionString, Schema = Schema, RetryBaseDelay = TimeSpan.Zero };
        configure?.Invoke(options);
        var ledger = new PostgreSqlCapacityLedger(options, time ?? new FakeTimeProvider());
        lock (_ledgers)
        {
            _ledgers.Add(ledger);
        }

        return ledger;
    }

    /// <summary>Rows where a region is oversubscribed or its used counters differ from the sum of live reservations.</summary>
    public async Task<long> ViolationsAsync()
    {
        await using var command = Checker.CreateCommand($"""
            SELECT count(*) FROM (
                SELECT g.name,
                       g.used_cpu = coalesce(sum(r.tot_cpu), 0) AND g.used_mem = coalesce(sum(r.tot_mem), 0)
                   AND g.used_sto = coalesce(sum(r.tot_sto), 0) AND g.used_net = coalesce(sum(r.tot_net), 0) AS consistent,
                       coalesce(sum(r.tot_cpu), 0) <= g.cap_cpu AND coalesce(sum(r.tot_mem), 0) <= g.cap_mem
                   AND coalesce(sum(r.tot_sto), 0) <= g.cap_sto AND coalesce(sum(r.tot_net), 0) <= g.cap_net AS within
                FROM "{Schema}".regions g
                LEFT JOIN "{Schema}".reservations r ON r.region = g.name AND r.state IN (0, 1)
                GROUP BY g.name) AS c
            WHERE NOT (consistent AND within)
            """);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The whole content of both tables as one string, to show that a call changed nothing.</summary>
    public async Task<string> SnapshotAsync()
    {
        await using var command = Checker.CreateCommand($"""
            SELECT coalesce((SELECT string_agg(g::text, '|' ORDER BY g.name) FROM "{Schema}".regions g), '')
                || '#' || coalesce((SELECT string_agg(r::text, '|' ORDER BY r.id) FROM "{Schema}".reservations r), '')
            """);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var command = Checker.CreateCommand(sql.Replace("{s}", "\"" + Schema + "\"", StringComparison.Ordinal));
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var ledger in _ledgers)
        {
            await ledger.DisposeAsync();
        }

        if (!string.IsNullOrWhiteSpace(PostgresFactAttribute.ConnectionString))
        {
            await using var command = Checker.CreateCommand($"DROP SCHEMA IF EXISTS \"{Schema}\" CASCADE");
            await command.ExecuteNonQueryAsync();
        }

        if (_checker is not null)
        {
            await _checker.DisposeAsync();
        }
    }
}
