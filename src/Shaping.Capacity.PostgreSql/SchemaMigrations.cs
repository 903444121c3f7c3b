namespace Shaping.Capacity.PostgreSql;

/// <summary>The versioned schema: migration N brings a schema at version N − 1 to version N.</summary>
/// <remarks>
/// Migrations are only ever appended. They run in one transaction under a transaction-scoped advisory lock keyed by
/// the schema name, so instances starting together never race: the first applies what is missing, the others wait,
/// then find the version current and apply nothing.
/// </remarks>
internal static class SchemaMigrations
{
    internal static IReadOnlyList<(int Version, string Description, string Sql)> For(string s) =>
    [
        (1, "regions and reservations", $"""
            CREATE TABLE {s}.regions (
                name text PRIMARY KEY,
                cap_cpu bigint NOT NULL CHECK (cap_cpu >= 0),
                cap_mem bigint NOT NULL CHECK (cap_mem >= 0),
                cap_sto bigint NOT NULL CHECK (cap_sto >= 0),
                cap_net bigint NOT NULL CHECK (cap_net >= 0),
                used_cpu bigint NOT NULL CHECK (used_cpu >= 0 AND used_cpu <= cap_cpu),
                used_mem bigint NOT NULL CHECK (used_mem >= 0 AND used_mem <= cap_mem),
                used_sto bigint NOT NULL CHECK (used_sto >= 0 AND used_sto <= cap_sto),
                used_net bigint NOT NULL CHECK (used_net >= 0 AND used_net <= cap_net),
                updated_at timestamptz NOT NULL);
            COMMENT ON TABLE {s}.regions IS 'Capacity and use per region, in integer milli-units (0.001 core, GiB, Gbps).';
            CREATE TABLE {s}.reservations (
                id text PRIMARY KEY,
                region text NOT NULL REFERENCES {s}.regions (name),
                shape_name text NOT NULL,
                per_cpu bigint NOT NULL CHECK (per_cpu >= 0),
                per_mem bigint NOT NULL CHECK (per_mem >= 0),
                per_sto bigint NOT NULL CHECK (per_sto >= 0),
                per_net bigint NOT NULL CHECK (per_net >= 0),
                replicas integer NOT NULL CHECK (replicas >= 1),
                tot_cpu bigint NOT NULL CHECK (tot_cpu >= 0),
                tot_mem bigint NOT NULL CHECK (tot_mem >= 0),
                tot_sto bigint NOT NULL CHECK (tot_sto >= 0),
                tot_net bigint NOT NULL CHECK (tot_net >= 0),
                ttl_ticks bigint NOT NULL CHECK (ttl_ticks > 0),
                state smallint NOT NULL CHECK (state BETWEEN 0 AND 3),
                created_at timestamptz NOT NULL,
                expires_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL);
            COMMENT ON COLUMN {s}.reservations.state IS '0 held, 1 committed, 2 released, 3 expired';
            CREATE INDEX reservations_held_by_expiry ON {s}.reservations (expires_at) WHERE state = 0;
            CREATE INDEX reservations_live_by_region ON {s}.reservations (region) WHERE state IN (0, 1);
            """),
        // When a reservation was released or expired, by the ledger's clock, so that it is forgotten once
        // PostgreSqlLedgerOptions.FinishedRetention has passed. Rows finished before this version get the time their
        // state last changed (updated_at), which is when they finished. The index serves the sweep's purge.
        (2, "finished_at for the retention of finished reservations", $"""
            ALTER TABLE {s}.reservations ADD COLUMN finished_at timestamptz;
            UPDATE {s}.reservations SET finished_at = updated_at WHERE state IN (2, 3);
            COMMENT ON COLUMN {s}.reservations.finished_at IS 'When the reservation was released or expired (state 2 or 3); null while held or committed';
            CREATE INDEX reservations_finished_by_time ON {s}.reservations (finished_at) WHERE state IN (2, 3);
            """),
    ];
}
