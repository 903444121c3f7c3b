namespace Shaping.Capacity.PostgreSql;

/// <summary>Settings of the <see cref="PostgreSqlCapacityLedger"/>.</summary>
/// <remarks>
/// Validated when the ledger is created (and, through dependency injection, when the host starts); every
/// validation message names the setting it is about.
/// </remarks>
public sealed class PostgreSqlLedgerOptions
{
    /// <summary>The default schema name.</summary>
    public const string DefaultSchema = "shaping_capacity";

    /// <summary>
    /// Gets or sets the Npgsql connection string, for example
    /// <c>Host=db;Username=shaping;Password=…;Database=shaping</c>. Required.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Gets or sets the schema that holds the ledger's tables. Lower-case letters, digits and underscores, starting
    /// with a letter or underscore, at most 63 characters, so that it never needs quoting rules beyond the obvious; not
    /// starting with <c>pg_</c>, a prefix PostgreSQL reserves for system schemas.
    /// </summary>
    /// <value>The default is <c>shaping_capacity</c>. Every instance that shares regions must use the same schema.</value>
    public string Schema { get; set; } = DefaultSchema;

    /// <summary>
    /// Gets or sets how many times an operation is retried after a transient database error (lost connection,
    /// serialization failure, deadlock, server shutdown, lock or statement timeout) before it reports <c>Unavailable</c>. Applies to every
    /// ledger operation, not only reservations. From 0 to 20.
    /// </summary>
    /// <value>The default is 4 retries (5 attempts).</value>
    public int ReservationRetryCount { get; set; } = 4;

    /// <summary>
    /// Gets or sets the delay before the first retry; each later retry waits twice as long as the one before,
    /// up to <see cref="RetryMaxDelay"/>. Zero retries at once. Measured on the ledger's <see cref="TimeProvider"/>.
    /// </summary>
    /// <value>The default is 50 ms.</value>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Gets or sets the longest delay between two retries. At least <see cref="RetryBaseDelay"/> and at most about 49.7
    /// days (2³² − 2 ms, the longest delay a timer takes).
    /// </summary>
    /// <value>The default is 2 s.</value>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Gets or sets how many expired reservations one statement of the expiry sweep reclaims; the sweep repeats
    /// until none is left. Bounds the locks one statement holds. Also the most rows whose
    /// <see cref="FinishedRetention"/> has passed one sweep deletes (one statement a sweep, so a sweep stays short
    /// however many have piled up). From 1 to 100 000.
    /// </summary>
    /// <value>The default is 500.</value>
    public int ExpiryBatchSize { get; set; } = 500;

    /// <summary>
    /// Gets or sets how long a finished (released or expired) reservation is remembered, so that a replay of its id
    /// answers <c>Conflict</c> or <c>Expired</c> instead of reserving again; after that it is forgotten: every operation
    /// treats its id as unknown (a reserve with it reserves afresh) and <see cref="PostgreSqlCapacityLedger.ReclaimExpiredAsync"/>
    /// deletes its row, at most <see cref="ExpiryBatchSize"/> rows a call, so the table holds live reservations and
    /// the recently finished rather than every reservation ever made. Measured on the ledger's <see cref="TimeProvider"/>
    /// from the moment the ledger recorded the release or expiry, as the in-memory ledger's <c>finishedRetention</c> is.
    /// Choose it longer than any caller may take to retry an operation. Not negative.
    /// <see cref="TimeSpan.Zero"/> forgets a reservation as soon as it finishes; <see cref="TimeSpan.MaxValue"/> keeps
    /// it for good (the table then grows with every reservation).
    /// </summary>
    /// <value>The default is one hour, as the in-memory ledger's.</value>
    public TimeSpan FinishedRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Gets or sets whether the ledger creates or upgrades its schema before its first operation.
    /// Only what is missing is created: a schema someone else created needs only the privilege to create tables in it,
    /// and a schema already at the current version no privilege to create anything.
    /// Turn off when a migration job owns the schema; the ledger then checks nothing and trusts that the tables exist
    /// (<see cref="PostgreSqlCapacityLedger.InitializeAsync"/> still migrates when called).
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool CreateSchema { get; set; } = true;
}
