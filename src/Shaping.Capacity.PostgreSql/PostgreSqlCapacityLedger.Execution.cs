using System.Data;
using System.Data.Common;
using System.Net.Sockets;
using Npgsql;
using NpgsqlTypes;
using Shaping.Core.Capacity;
using Shaping.Core.Resources;

namespace Shaping.Capacity.PostgreSql;

/// <summary>The retry loop, schema migration and one attempt of each operation.</summary>
public sealed partial class PostgreSqlCapacityLedger
{
    /// <summary>Runs one attempt after another until one is done, a non-transient error escapes, or retries run out.</summary>
    /// <remarks>
    /// An attempt that is not done (a stale snapshot or a first-insert race on one id) re-runs at once without
    /// counting as a failure; a transient error clears idle pooled connections if the connection was lost, waits
    /// with exponential back-off and counts against <see cref="PostgreSqlLedgerOptions.ReservationRetryCount"/>.
    /// </remarks>
    private async ValueTask<TResult> RunAsync<TState, TResult>(
        TState state,
        Func<PostgreSqlCapacityLedger, TState, NpgsqlConnection, CancellationToken, Task<(bool Done, TResult Value)>> attempt,
        Func<TResult> unavailable,
        CancellationToken cancellationToken)
    {
        var failures = 0;
        var reruns = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (_options.CreateSchema)
                {
                    await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
                }

                var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    var (done, value) = await attempt(this, state, connection, cancellationToken).ConfigureAwait(false);
                    if (done)
                    {
                        return value;
                    }
                }

                if (++reruns > MaxReruns)
                {
                    return unavailable();
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && IsTransient(ex))
            {
                if (IsConnectionLoss(ex))
                {
                    // The other idle connections of the pool are most likely dead too (server restart, killed backends).
                    _dataSource.Clear();
                }

                if (failures >= _options.ReservationRetryCount)
                {
                    return unavailable();
                }

                var delay = Backoff(failures++);
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, _timeProvider, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    // Doubled in double-precision ticks and capped before it becomes a TimeSpan, so a long base delay saturates at
    // RetryMaxDelay instead of overflowing.
    private TimeSpan Backoff(int failures)
    {
        var ticks = _options.RetryBaseDelay.Ticks * Math.Pow(2, Math.Min(failures, 30));
        return ticks >= _options.RetryMaxDelay.Ticks ? _options.RetryMaxDelay : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>
    /// Whether a retry may succeed: connection trouble, serialization failure, deadlock, server shutting down, a lock
    /// or statement timeout (the statement rolled back whole; a cancellation the caller asked for is not retried), or a
    /// write refused by a read-only server (25006: during a failover the address still reaches the old primary, now a
    /// standby, or the standby before its promotion).
    /// </summary>
    internal static bool IsTransient(Exception exception) => exception switch
    {
        PostgresException pg => pg.IsTransient || IsTransientState(pg.SqlState),
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is IOException or SocketException or TimeoutException,
        IOException or SocketException or TimeoutException => true,
        _ => false,
    };

    internal static bool IsTransientState(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal)
        || sqlState is "40001" or "40P01" or "57P01" or "57P02" or "57P03" or "53300" or "55P03" or "57014" or "25006";

    // Whether the pool's other connections are likely useless too: lost or shut down, or (25006) connected to a server
    // that is read-only now, where a new connection may reach the promoted primary.
    internal static bool IsConnectionLoss(Exception exception) => exception switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState is "57P01" or "57P02" or "57P03" or "25006",
        NpgsqlException => true,
        _ => true,
    };

    private Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        lock (_schemaLock)
        {
            if (_schemaTask is null || _schemaTask.IsFaulted || _schemaTask.IsCanceled)
            {
                _schemaTask = MigrateAsync(CancellationToken.None);
            }

            return _schemaTask.WaitAsync(cancellationToken);
        }
    }

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var migrations = SchemaMigrations.For(_sql.Schema);
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                // Advisory locks are per database; the key names the schema, so ledgers in other schemas do not wait.
                await ExecuteAsync(connection, "SELECT pg_advisory_xact_lock(hashtextextended(@key, 0))", cancellationToken, ("key", "Shaping.Capacity.PostgreSql:" + _options.Schema)).ConfigureAwait(false);

                // Only what is missing is created: the server checks the privilege to create before it looks whether
                // the object exists, so CREATE SCHEMA IF NOT EXISTS fails for a role that may not create schemas in the
                // database even when the schema is there (one a DBA created for it, or one already current).
                bool schemaExists, versionTableExists;
                await using (var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = @schema), to_regclass(@table) IS NOT NULL", connection))
                {
                    command.Parameters.Add(new NpgsqlParameter<string>("schema", NpgsqlDbType.Text) { TypedValue = _options.Schema });
                    command.Parameters.Add(new NpgsqlParameter<string>("table", NpgsqlDbType.Text) { TypedValue = _sql.Schema + ".schema_version" });
                    await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleRow, cancellationToken).ConfigureAwait(false);
                    await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    schemaExists = reader.GetBoolean(0);
                    versionTableExists = reader.GetBoolean(1);
                }

                if (!schemaExists)
                {
                    await ExecuteAsync(connection, $"CREATE SCHEMA IF NOT EXISTS {_sql.Schema}", cancellationToken).ConfigureAwait(false);
                }

                if (!versionTableExists)
                {
                    await ExecuteAsync(connection, $"""
                        CREATE TABLE IF NOT EXISTS {_sql.Schema}.schema_version (
                            version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL)
                        """, cancellationToken).ConfigureAwait(false);
                }

                int current;
                await using (var command = new NpgsqlCommand($"SELECT coalesce(max(version), 0) FROM {_sql.Schema}.schema_version", connection))
                {
                    current = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
                }

                if (current > migrations.Count)
                {
                    throw new InvalidOperationException(
                        $"The schema '{_options.Schema}' is at version {current}, newer than this library's {migrations.Count}; upgrade Shaping.Capacity.PostgreSql.");
                }

                foreach (var (version, description, sql) in migrations)
                {
                    if (version <= current)
                    {
                        continue;
                    }

                    await ExecuteAsync(connection, sql, cancellationToken).ConfigureAwait(false);
                    await ExecuteAsync(
                        connection,
                        $"INSERT INTO {_sql.Schema}.schema_version (version, description, applied_at) VALUES (@v, @d, @t)",
                        cancellationToken,
                        ("v", version),
                        ("d", description),
                        ("t", Now())).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<(bool, LedgerResult)> ReserveOnceAsync(PreparedReservation p, NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var now = Now();
        var expires = CeilToMicroseconds(now + p.Request.TimeToLive);

        // Holds of this region that expired but were not swept yet still count in its used totals: give them back
        // first, or a region whose callers never reach ReclaimExpiredAsync would stay full of dead holds. Both
        // statements go in one round trip (one implicit transaction; each statement still sees the one before it).
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(SweepRegionCommand(p.Request.Region, now));
        var command = new NpgsqlBatchCommand(_sql.Reserve);
        batch.BatchCommands.Add(command);
        var ps = command.Parameters;
        ps.Add(new NpgsqlParameter<string>("id", NpgsqlDbType.Text) { TypedValue = p.Request.Id.Value });
        ps.Add(new NpgsqlParameter<string>("region", NpgsqlDbType.Text) { TypedValue = p.Request.Region });
        ps.Add(new NpgsqlParameter<string>("shape", NpgsqlDbType.Text) { TypedValue = p.Request.ShapeName });
        AddVector(ps, "p", p.PerReplica);
        AddVector(ps, "t", p.Total);
        ps.Add(new NpgsqlParameter<int>("replicas", NpgsqlDbType.Integer) { TypedValue = p.Request.Replicas });
        ps.Add(new NpgsqlParameter<long>("ttl", NpgsqlDbType.Bigint) { TypedValue = p.Request.TimeToLive.Ticks });
        ps.Add(new NpgsqlParameter<DateTimeOffset>("now", NpgsqlDbType.TimestampTz) { TypedValue = now });
        ps.Add(new NpgsqlParameter<DateTimeOffset>("expires", NpgsqlDbType.TimestampTz) { TypedValue = expires });

        try
        {
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false); // past the sweep's count
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (reader.GetInt32(11) == 1)
            {
                return (true, new LedgerResult(ReservationStatus.Succeeded, new Reservation(p.Request, ReservationState.Held, expires)));
            }

            if (!reader.IsDBNull(0))
            {
                var existing = ReadReservation(reader);
                if (existing.State is ReservationState.Released or ReservationState.Expired
                    && !reader.IsDBNull(13) && Cutoff(now) is { } cutoff && reader.GetFieldValue<DateTimeOffset>(13) <= cutoff)
                {
                    // A finished reservation whose retention has passed: the id is forgotten. Delete it and reserve again
                    // (a second round trip only when an id is reused this late, not on every reserve).
                    await reader.DisposeAsync().ConfigureAwait(false);
                    await ForgetAsync(p.Request.Id.Value, cutoff, connection, cancellationToken).ConfigureAwait(false);
                    return (false, default);
                }

                var same = existing.Request == p.Request;
                var status = !same ? ReservationStatus.Conflict
                    : IsExpired(existing, now) ? ReservationStatus.Expired
                    : existing.State == ReservationState.Released ? ReservationStatus.Conflict // released: it holds nothing
                    : ReservationStatus.Succeeded;
                return (true, new LedgerResult(status, existing));
            }

            var status2 = reader.GetBoolean(12) ? ReservationStatus.InsufficientCapacity : ReservationStatus.UnknownRegion;
            return (true, new LedgerResult(status2, null));
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Another first attempt with this id committed between our snapshot and our insert; the statement rolled
            // back whole. Re-run: the next snapshot sees that reservation.
            return (false, default);
        }
    }

    private async Task ForgetAsync(string id, DateTimeOffset cutoff, NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(_sql.Forget, connection);
        command.Parameters.Add(new NpgsqlParameter<string>("id", NpgsqlDbType.Text) { TypedValue = id });
        command.Parameters.Add(CutoffParameter(cutoff));
        await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<(bool, LedgerResult)> CommitOnceAsync(string id, NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var now = Now();
        var (found, changed, reservation) = await ChangeAsync(_sql.Commit, id, now, connection, cancellationToken).ConfigureAwait(false);
        if (!found)
        {
            return (true, new LedgerResult(ReservationStatus.NotFound, null));
        }

        if (changed || reservation!.State == ReservationState.Committed)
        {
            return (true, new LedgerResult(ReservationStatus.Succeeded, reservation));
        }

        return reservation.State switch
        {
            ReservationState.Expired => (true, new LedgerResult(ReservationStatus.Expired, reservation)),
            // Expired but not swept yet: the row still reads Held, the reservation is expired (as the in-memory ledger reports it).
            ReservationState.Held when reservation.ExpiresAt <= now => (true, new LedgerResult(ReservationStatus.Expired, reservation with { State = ReservationState.Expired })),
            ReservationState.Released => (true, new LedgerResult(ReservationStatus.Conflict, reservation)),
            _ => (false, default), // Held and live, yet not updated: our snapshot predates another change. Re-read.
        };
    }

    private async Task<(bool, LedgerResult)> ReleaseOnceAsync(string id, NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var (found, changed, reservation) = await ChangeAsync(_sql.Release, id, Now(), connection, cancellationToken).ConfigureAwait(false);
        if (!found)
        {
            return (true, new LedgerResult(ReservationStatus.NotFound, null));
        }

        return changed || reservation!.State is ReservationState.Released or ReservationState.Expired
            ? (true, new LedgerResult(ReservationStatus.Succeeded, reservation))
            : (false, default); // Held or committed in an old snapshot: re-read.
    }

    private async Task<(bool Found, bool Changed, Reservation? Reservation)> ChangeAsync(string sql, string id, DateTimeOffset now, NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter<string>("id", NpgsqlDbType.Text) { TypedValue = id });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", NpgsqlDbType.TimestampTz) { TypedValue = now });
        command.Parameters.Add(CutoffParameter(Cutoff(now)));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return (false, false, null);
        }

        return (true, reader.GetBoolean(11), ReadReservation(reader));
    }

    /// <summary>Expires every due hold, a batch a statement; <c>Reached</c> is false when the database stayed unreachable.</summary>
    private async ValueTask<(int Total, bool Reached)> ExpireDueAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var swept = await RunAsync(0, static (ledger, _, connection, ct) => ledger.SweepOnceAsync(connection, ct), static () => -1, cancellationToken).ConfigureAwait(false);
            if (swept < 0)
            {
                return (total, false);
            }

            total += swept;
            if (swept < _options.ExpiryBatchSize)
            {
                return (total, true);
            }
        }
    }

    private async Task<(bool, int)> SweepOnceAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(_sql.Sweep, connection);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", NpgsqlDbType.TimestampTz) { TypedValue = Now() });
        command.Parameters.Add(new NpgsqlParameter<int>("batch", NpgsqlDbType.Integer) { TypedValue = _options.ExpiryBatchSize });
        var count = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return (true, (int)count!);
    }

    private async Task<(bool, int)> PurgeOnceAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var cutoff = Cutoff(Now());
        if (cutoff is null)
        {
            return (true, 0); // kept for good
        }

        await using var command = new NpgsqlCommand(_sql.Purge, connection);
        command.Parameters.Add(CutoffParameter(cutoff));
        command.Parameters.Add(new NpgsqlParameter<int>("batch", NpgsqlDbType.Integer) { TypedValue = _options.ExpiryBatchSize });
        var count = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return (true, (int)count!);
    }

    private NpgsqlBatchCommand SweepRegionCommand(string region, DateTimeOffset now)
    {
        var command = new NpgsqlBatchCommand(_sql.SweepRegion);
        command.Parameters.Add(new NpgsqlParameter<string>("region", NpgsqlDbType.Text) { TypedValue = region });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", NpgsqlDbType.TimestampTz) { TypedValue = now });
        return command;
    }

    private async Task<(bool, LedgerResult)> GetOnceAsync(string id, NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(_sql.Get, connection);
        command.Parameters.Add(new NpgsqlParameter<string>("id", NpgsqlDbType.Text) { TypedValue = id });
        var now = Now();
        command.Parameters.Add(CutoffParameter(Cutoff(now)));
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleRow, cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return (true, new LedgerResult(ReservationStatus.NotFound, null));
        }

        // A hold past its expiry that no sweep has reached yet still reads Held; it is expired (a commit answers
        // Expired, its capacity is free to the next reserve), so it is reported so, as a commit and the in-memory ledger do.
        var reservation = ReadReservation(reader);
        return (true, new LedgerResult(ReservationStatus.Succeeded, IsExpired(reservation, now) ? reservation with { State = ReservationState.Expired } : reservation));
    }

    private async Task<(bool, (bool, ResourceVector))> FreeOnceAsync(string region, NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(SweepRegionCommand(region, Now()));
        var command = new NpgsqlBatchCommand(_sql.Free);
        command.Parameters.Add(new NpgsqlParameter<string>("region", NpgsqlDbType.Text) { TypedValue = region });
        batch.BatchCommands.Add(command);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false); // past the sweep's count
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return (true, (false, default));
        }

        var free = MilliUnits.FromMilli(new MilliVector(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)));
        return (true, (true, free));
    }

    private async Task<(bool, RegionCapacityStatus)> SetCapacityOnceAsync(string region, MilliVector capacity, NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        // Expired holds not swept yet still count in the used totals: give them back first, as a reserve does, or
        // they would refuse a capacity that only they exceed.
        var now = Now();
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(SweepRegionCommand(region, now));
        var command = new NpgsqlBatchCommand(_sql.SetCapacity);
        command.Parameters.Add(new NpgsqlParameter<string>("region", NpgsqlDbType.Text) { TypedValue = region });
        AddVector(command.Parameters, "c", capacity);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", NpgsqlDbType.TimestampTz) { TypedValue = now });
        batch.BatchCommands.Add(command);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false); // past the sweep's count
        var row = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (true, row ? RegionCapacityStatus.Succeeded : RegionCapacityStatus.BelowCurrentUse);
    }

    private static void AddVector(NpgsqlParameterCollection parameters, string prefix, MilliVector v)
    {
        parameters.Add(new NpgsqlParameter<long>(prefix + "c", NpgsqlDbType.Bigint) { TypedValue = v.Cpu });
        parameters.Add(new NpgsqlParameter<long>(prefix + "m", NpgsqlDbType.Bigint) { TypedValue = v.Memory });
        parameters.Add(new NpgsqlParameter<long>(prefix + "s", NpgsqlDbType.Bigint) { TypedValue = v.Storage });
        parameters.Add(new NpgsqlParameter<long>(prefix + "n", NpgsqlDbType.Bigint) { TypedValue = v.Network });
    }

    private static bool IsExpired(Reservation reservation, DateTimeOffset now) =>
        reservation.State == ReservationState.Expired
        || (reservation.State == ReservationState.Held && reservation.ExpiresAt <= now);

    /// <summary>Reads columns 0–10 in <see cref="LedgerSql"/>'s column order.</summary>
    private static Reservation ReadReservation(DbDataReader reader)
    {
        var per = new MilliVector(reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6));
        var request = new ReservationRequest(
            new ReservationId(reader.GetString(0)),
            reader.GetString(1),
            reader.GetString(2),
            MilliUnits.FromMilli(per),
            reader.GetInt32(7),
            TimeSpan.FromTicks(reader.GetInt64(8)));
        var state = (ReservationState)reader.GetInt16(9);
        var expiresAt = reader.GetFieldValue<DateTimeOffset>(10);
        return new Reservation(request, state, expiresAt);
    }
}
