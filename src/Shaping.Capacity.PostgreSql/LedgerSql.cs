namespace Shaping.Capacity.PostgreSql;

/// <summary>The ledger's SQL, built once per schema name (validated, so it is safe to splice into the text).</summary>
/// <remarks>
/// Every statement that changes data is one statement (data-modifying CTEs), run in autocommit mode, so each is
/// atomic on its own and a retry after a lost acknowledgement finds its effect by reservation id. Timestamps come
/// from the caller's <see cref="TimeProvider"/> as parameters (<c>@now</c>), never from the server's <c>now()</c>.
/// </remarks>
internal sealed class LedgerSql
{
    /// <summary>The reservation columns every read returns, in <see cref="PostgreSqlCapacityLedger"/>'s read order.</summary>
    private const string Columns =
        "id, region, shape_name, per_cpu, per_mem, per_sto, per_net, replicas, ttl_ticks, state, expires_at";

    /// <summary>
    /// True for a row not forgotten yet: held, committed, or finished after <c>@cutoff</c> (the ledger's now minus the
    /// finished retention; null when the retention keeps rows for good). A forgotten row reads as absent.
    /// </summary>
    private const string Remembered = "(state IN (0, 1) OR @cutoff::timestamptz IS NULL OR finished_at IS NULL OR finished_at > @cutoff)";

    public LedgerSql(string schema)
    {
        var s = "\"" + schema + "\"";
        Schema = s;

        // Run when a reserve met a finished row under its id whose retention has passed: deletes it, so that the
        // reserve, run again, finds no row and reserves afresh, as the in-memory ledger does once it forgot the id.
        Forget = $"""
            WITH gone AS (
                DELETE FROM {s}.reservations
                WHERE id = @id AND state IN (2, 3) AND finished_at <= @cutoff
                RETURNING 1)
            SELECT count(*)::int FROM gone
            """;

        // Deletes at most @batch finished rows whose retention has passed, oldest first. SKIP LOCKED gives concurrent
        // sweepers disjoint rows; the state and time are checked again by the DELETE.
        Purge = $"""
            WITH due AS (
                SELECT id FROM {s}.reservations
                WHERE state IN (2, 3) AND finished_at <= @cutoff
                ORDER BY finished_at
                LIMIT @batch
                FOR UPDATE SKIP LOCKED),
            gone AS (
                DELETE FROM {s}.reservations r USING due
                WHERE r.id = due.id AND r.state IN (2, 3) AND r.finished_at <= @cutoff
                RETURNING 1)
            SELECT count(*)::int FROM gone
            """;

        // One statement: take the capacity with a conditional UPDATE (row lock on the region; the WHERE is re-checked
        // against the newest row version, so no interleaving can oversubscribe), insert the reservation only if the
        // take happened, and report what exists under the id. Two concurrent first attempts with one id: the second
        // INSERT fails on the primary key (23505), the whole statement rolls back, and the retry finds the row.
        Reserve = $"""
            WITH existing AS (
                SELECT {Columns}, finished_at FROM {s}.reservations WHERE id = @id),
            take AS (
                UPDATE {s}.regions
                SET used_cpu = used_cpu + @tc, used_mem = used_mem + @tm, used_sto = used_sto + @ts, used_net = used_net + @tn,
                    updated_at = @now
                WHERE name = @region AND NOT EXISTS (SELECT 1 FROM existing)
                  AND used_cpu + @tc <= cap_cpu AND used_mem + @tm <= cap_mem
                  AND used_sto + @ts <= cap_sto AND used_net + @tn <= cap_net
                RETURNING name),
            ins AS (
                INSERT INTO {s}.reservations (id, region, shape_name, per_cpu, per_mem, per_sto, per_net, replicas,
                    tot_cpu, tot_mem, tot_sto, tot_net, ttl_ticks, state, created_at, expires_at, updated_at)
                SELECT @id, name, @shape, @pc, @pm, @ps, @pn, @replicas, @tc, @tm, @ts, @tn, @ttl, 0, @now, @expires, @now
                FROM take
                RETURNING id)
            SELECT e.id, e.region, e.shape_name, e.per_cpu, e.per_mem, e.per_sto, e.per_net, e.replicas, e.ttl_ticks,
                   e.state, e.expires_at,
                   (SELECT count(*) FROM ins)::int AS inserted,
                   EXISTS (SELECT 1 FROM {s}.regions WHERE name = @region) AS region_known,
                   e.finished_at
            FROM (SELECT 1) AS one LEFT JOIN existing e ON true
            """;

        // A held reservation becomes committed if it has not expired by the caller's clock.
        Commit = $"""
            WITH upd AS (
                UPDATE {s}.reservations SET state = 1, updated_at = @now
                WHERE id = @id AND state = 0 AND expires_at > @now
                RETURNING {Columns})
            SELECT {Columns}, true AS changed FROM upd
            UNION ALL
            SELECT {Columns}, false FROM {s}.reservations WHERE id = @id AND {Remembered} AND NOT EXISTS (SELECT 1 FROM upd)
            """;

        // A held or committed reservation becomes released and its capacity goes back, in one statement. A hold that
        // has expired but was not swept yet becomes expired instead (its capacity goes back the same way), as the
        // in-memory ledger records it: a replay of its reserve then answers Expired in both.
        Release = $"""
            WITH upd AS (
                UPDATE {s}.reservations SET state = CASE WHEN state = 0 AND expires_at <= @now THEN 3 ELSE 2 END, updated_at = @now,
                    finished_at = @now
                WHERE id = @id AND state IN (0, 1)
                RETURNING {Columns}, tot_cpu, tot_mem, tot_sto, tot_net),
            give AS (
                UPDATE {s}.regions g
                SET used_cpu = g.used_cpu - u.tot_cpu, used_mem = g.used_mem - u.tot_mem,
                    used_sto = g.used_sto - u.tot_sto, used_net = g.used_net - u.tot_net, updated_at = @now
                FROM upd u WHERE g.name = u.region
                RETURNING 1)
            SELECT {Columns}, true AS changed FROM upd
            UNION ALL
            SELECT {Columns}, false FROM {s}.reservations WHERE id = @id AND {Remembered} AND NOT EXISTS (SELECT 1 FROM upd)
            """;

        // The end of both sweeps: given the expired rows (exp), give their totals back to their regions and count them.
        var giveBackExpired = $"""
            agg AS (
                SELECT region, sum(tot_cpu)::bigint AS c, sum(tot_mem)::bigint AS m, sum(tot_sto)::bigint AS st,
                       sum(tot_net)::bigint AS n
                FROM exp GROUP BY region),
            give AS (
                UPDATE {s}.regions g
                SET used_cpu = g.used_cpu - agg.c, used_mem = g.used_mem - agg.m,
                    used_sto = g.used_sto - agg.st, used_net = g.used_net - agg.n, updated_at = @now
                FROM agg WHERE g.name = agg.region
                RETURNING 1)
            SELECT count(*)::int FROM exp
            """;

        // Safe from every instance at once: SKIP LOCKED gives concurrent sweepers disjoint batches, and the state
        // check in the UPDATE makes a row that was committed or released meanwhile stay as it is.
        Sweep = $"""
            WITH due AS (
                SELECT id FROM {s}.reservations
                WHERE state = 0 AND expires_at <= @now
                ORDER BY expires_at
                LIMIT @batch
                FOR UPDATE SKIP LOCKED),
            exp AS (
                UPDATE {s}.reservations r SET state = 3, updated_at = @now, finished_at = @now
                FROM due WHERE r.id = due.id AND r.state = 0
                RETURNING r.region, r.tot_cpu, r.tot_mem, r.tot_sto, r.tot_net),
            {giveBackExpired}
            """;

        // The same for one region and every due hold of it, run before a reserve or a free-capacity read of that region.
        // It locks the due rows (waiting for a concurrent sweep of them rather than skipping, so the reserve that follows
        // sees them given back); the state check makes a row that another sweep took meanwhile stay as it is.
        SweepRegion = $"""
            WITH exp AS (
                UPDATE {s}.reservations r SET state = 3, updated_at = @now, finished_at = @now
                WHERE r.region = @region AND r.state = 0 AND r.expires_at <= @now
                RETURNING r.region, r.tot_cpu, r.tot_mem, r.tot_sto, r.tot_net),
            {giveBackExpired}
            """;

        Get = $"SELECT {Columns} FROM {s}.reservations WHERE id = @id AND {Remembered}";

        Free = $"SELECT cap_cpu - used_cpu, cap_mem - used_mem, cap_sto - used_sto, cap_net - used_net FROM {s}.regions WHERE name = @region";

        SetCapacity = $"""
            INSERT INTO {s}.regions AS g (name, cap_cpu, cap_mem, cap_sto, cap_net, used_cpu, used_mem, used_sto, used_net, updated_at)
            VALUES (@region, @cc, @cm, @cs, @cn, 0, 0, 0, 0, @now)
            ON CONFLICT (name) DO UPDATE
            SET cap_cpu = EXCLUDED.cap_cpu, cap_mem = EXCLUDED.cap_mem, cap_sto = EXCLUDED.cap_sto,
                cap_net = EXCLUDED.cap_net, updated_at = EXCLUDED.updated_at
            WHERE g.used_cpu <= EXCLUDED.cap_cpu AND g.used_mem <= EXCLUDED.cap_mem
              AND g.used_sto <= EXCLUDED.cap_sto AND g.used_net <= EXCLUDED.cap_net
            RETURNING 1
            """;
    }

    public string Schema { get; }

    public string Reserve { get; }

    public string Commit { get; }

    public string Release { get; }

    public string Sweep { get; }

    public string SweepRegion { get; }

    public string Get { get; }

    public string Forget { get; }

    public string Purge { get; }

    public string Free { get; }

    public string SetCapacity { get; }
}
