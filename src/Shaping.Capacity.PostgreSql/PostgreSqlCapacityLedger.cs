using Npgsql;
using NpgsqlTypes;
using Shaping.Core.Capacity;
using Shaping.Core.Resources;

namespace Shaping.Capacity.PostgreSql;

/// <summary>
/// A capacity ledger in PostgreSQL, shared by every control-plane instance that points at the same database and schema.
/// </summary>
/// <remarks>
/// <para>
/// <b>Atomicity.</b> A reservation is one statement: a conditional <c>UPDATE</c> of the region row that adds the
/// amount only where it fits in all four dimensions, and an <c>INSERT</c> of the reservation that happens only if the
/// update did. PostgreSQL re-checks the condition against the newest row version after waiting for the row lock,
/// so no interleaving of instances can oversubscribe a dimension; <c>CHECK (used &lt;= cap)</c> constraints guard
/// the same invariant a second time.
/// </para>
/// <para>
/// <b>Idempotency and retries.</b> Every operation is keyed by <see cref="ReservationId"/>. Transient errors (lost
/// connections, <c>40001</c>, <c>40P01</c>, <c>57P01</c>–<c>57P03</c>, <c>08xxx</c>, <c>53300</c>, the lock and
/// statement timeouts <c>55P03</c> and <c>57014</c> that a role's <c>lock_timeout</c> or <c>statement_timeout</c> raises,
/// and <c>25006</c>, the read-only refusal a failover shows while the address still reaches a standby; it and the
/// connection errors also clear the connection pool, so the retry connects afresh)
/// are retried up to <see cref="PostgreSqlLedgerOptions.ReservationRetryCount"/> times with exponential back-off; a retry after a commit
/// whose acknowledgement was lost finds the reservation by id and reports the effect instead of repeating it. When
/// the retries run out the result is <see cref="ReservationStatus.Unavailable"/>: the call's outcome is unknown to
/// this caller, and replaying it with the same id reports what actually happened.
/// A finished (released or expired) reservation is remembered for <see cref="PostgreSqlLedgerOptions.FinishedRetention"/>
/// (one hour by default, as in the in-memory ledger) and then forgotten: its id reads as unknown, a reserve with it
/// reserves afresh, and <see cref="ReclaimExpiredAsync"/> deletes its row in bounded batches.
/// </para>
/// <para>
/// <b>Time.</b> Expiry times are computed from the injected <see cref="TimeProvider"/> and passed to SQL as
/// parameters rather than read from the server's <c>now()</c>. That keeps the ledger testable with a fake clock and
/// gives it the same semantics as the in-memory ledger. The price is that instances' clocks must agree: an instance
/// whose clock runs ahead by <i>s</i> may sweep a reservation up to <i>s</i> early, and one running behind may
/// accept a commit up to <i>s</i> late. Keep the clocks synchronised (NTP keeps skew in milliseconds) and
/// time-to-live values far longer than any skew. Timestamps are truncated to microseconds, PostgreSQL's resolution.
/// </para>
/// <para>
/// <b>Amounts</b> are stored as integer milli-units (0.001 core, 0.001 GiB, 0.001 Gbps), so the database's sums are
/// exact and never drift. Amounts and times to live are limited by <see cref="CapacityLimits"/>, the limits every
/// ledger shares, checked before the database is touched; the largest amount, 9 × 10⁹ units, is 9 × 10¹² milli-units,
/// far inside a <c>bigint</c>. A reservation's per-replica amount rounds up to the next milli-unit and a region's
/// capacity down (an amount within a few ulps of a whole milli-unit, the noise of multiplying by 1,000, counts as it),
/// so rounding never lets reservations exceed a region; the reservation read back carries the rounded amount. This
/// resolution is coarser than the in-memory ledger's (see <see cref="ICapacityLedger"/>). Reserves, free-capacity reads and capacity changes also reclaim
/// their region's expired holds, so <see cref="ReclaimExpiredAsync"/> counts only what those left.
/// </para>
/// <para>
/// <b>Regions.</b> A new schema holds none: a reservation in a region that was never set answers
/// <see cref="ReservationStatus.UnknownRegion"/>. Create regions and change their capacity with
/// <see cref="SetRegionCapacityAsync"/>, which is not part of <see cref="ICapacityLedger"/>, from a deployment step or
/// a start-up job.
/// </para>
/// <para>
/// The schema is created or upgraded before the first operation (see <see cref="PostgreSqlLedgerOptions.CreateSchema"/>),
/// under an advisory lock so that instances starting together do not race.
/// </para>
/// </remarks>
/// <threadsafety>All members are safe to call concurrently.</threadsafety>
public sealed partial class PostgreSqlCapacityLedger : ICapacityLedger, IAsyncDisposable, IDisposable
{
    private const int MaxReruns = 16;

    // Throws on a lone surrogate instead of writing a replacement character, so such ids are refused, not altered.
    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly PostgreSqlLedgerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly LedgerSql _sql;
    private readonly Lock _schemaLock = new();
    private Task? _schemaTask;

    /// <summary>Creates a ledger with its own connection pool, built from <see cref="PostgreSqlLedgerOptions.ConnectionString"/>.</summary>
    /// <param name="options">The settings; validated here.</param>
    /// <param name="timeProvider">The clock for expiry times and retry delays; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A setting is invalid; the message names it.</exception>
    public PostgreSqlCapacityLedger(PostgreSqlLedgerOptions options, TimeProvider? timeProvider)
        : this(CreateDataSource(options), ownsDataSource: true, options, timeProvider)
    {
    }

    /// <summary>Creates a ledger on a data source the caller owns (and disposes).</summary>
    /// <param name="dataSource">The Npgsql data source (connection pool).</param>
    /// <param name="options">The settings; <see cref="PostgreSqlLedgerOptions.ConnectionString"/> is not used.</param>
    /// <param name="timeProvider">The clock for expiry times and retry delays; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A setting is invalid; the message names it.</exception>
    public PostgreSqlCapacityLedger(NpgsqlDataSource dataSource, PostgreSqlLedgerOptions options, TimeProvider? timeProvider)
        : this(dataSource, ownsDataSource: false, WithConnectionString(options, dataSource), timeProvider)
    {
    }

    private PostgreSqlCapacityLedger(NpgsqlDataSource dataSource, bool ownsDataSource, PostgreSqlLedgerOptions options, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        PostgreSqlLedgerOptionsValidator.ThrowIfInvalid(options);
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _sql = new LedgerSql(options.Schema);
    }

    /// <summary>Gets the schema that holds the ledger's tables.</summary>
    public string Schema => _options.Schema;

    /// <summary>The schema version this library creates and expects.</summary>
    public static int SchemaVersion => SchemaMigrations.For("s").Count;

    /// <inheritdoc/>
    /// <remarks>
    /// Holds of the region that have expired but were not reclaimed yet are reclaimed first, so their capacity is
    /// available to this reservation whether or not anything calls <see cref="ReclaimExpiredAsync"/>.
    /// </remarks>
    /// <exception cref="ArgumentException">
    /// The id, region or shape name is empty, contains a NUL character, is not valid UTF-16, or is longer than
    /// <see cref="MaxKeyBytes"/> in UTF-8.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// The request's replicas, per-replica amount, total or time to live is outside <see cref="CapacityLimits"/>; the
    /// message names the member.
    /// </exception>
    public ValueTask<LedgerResult> TryReserveAsync(ReservationRequest request, CancellationToken cancellationToken = default)
    {
        var prepared = Prepare(request);
        return RunAsync(prepared, static (ledger, p, connection, ct) => ledger.ReserveOnceAsync(p, connection, ct), Unavailable, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty.</exception>
    public ValueTask<LedgerResult> CommitAsync(ReservationId id, CancellationToken cancellationToken = default)
    {
        ThrowIfEmpty(id);
        return RunAsync(id.Value, static (ledger, key, connection, ct) => ledger.CommitOnceAsync(key, connection, ct), Unavailable, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty.</exception>
    public ValueTask<LedgerResult> ReleaseAsync(ReservationId id, CancellationToken cancellationToken = default)
    {
        ThrowIfEmpty(id);
        return RunAsync(id.Value, static (ledger, key, connection, ct) => ledger.ReleaseOnceAsync(key, connection, ct), Unavailable, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Safe to run from every instance at once: concurrent sweeps take disjoint batches (<c>FOR UPDATE SKIP LOCKED</c>)
    /// and each expired reservation is reclaimed exactly once. "Expired" is judged by this instance's clock. Returns 0
    /// if the database stays unreachable after bounded retries (the next sweep reclaims what this one could not).
    /// Also deletes at most <see cref="PostgreSqlLedgerOptions.ExpiryBatchSize"/> finished reservations whose
    /// <see cref="PostgreSqlLedgerOptions.FinishedRetention"/> has passed (not counted in the result), oldest first.
    /// </remarks>
    public async ValueTask<int> ReclaimExpiredAsync(CancellationToken cancellationToken = default)
    {
        var (total, reached) = await ExpireDueAsync(cancellationToken).ConfigureAwait(false);
        if (!reached)
        {
            return total; // no second round of retries against a database that just stayed unreachable
        }

        // Then one bounded statement deletes finished rows whose retention has passed (every operation already treats
        // them as absent), so a sweep's time stays bounded however many have piled up; the next sweep takes the rest.
        await RunAsync(0, static (ledger, _, connection, ct) => ledger.PurgeOnceAsync(connection, ct), static () => -1, cancellationToken).ConfigureAwait(false);
        return total;
    }

    /// <inheritdoc/>
    /// <remarks>Returns <see langword="null"/> also when the database stays unreachable after bounded retries.</remarks>
    /// <exception cref="ArgumentException"><paramref name="region"/> is empty.</exception>
    public async ValueTask<ResourceVector?> GetFreeCapacityAsync(string region, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ThrowIfUnstorable(region, "The region", nameof(region));
        var (found, free) = await RunAsync(region, static (ledger, r, connection, ct) => ledger.FreeOnceAsync(r, connection, ct), static () => (false, default(ResourceVector)), cancellationToken).ConfigureAwait(false);
        return found ? free : null;
    }

    /// <summary>Reads one reservation as the ledger holds it.</summary>
    /// <remarks>
    /// A held reservation whose expiry has passed by this instance's clock is reported <see cref="ReservationState.Expired"/>,
    /// whether or not a sweep has reclaimed it yet, as every other operation treats it.
    /// </remarks>
    /// <param name="id">The reservation id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// <see cref="ReservationStatus.Succeeded"/> with the reservation, <see cref="ReservationStatus.NotFound"/>, or
    /// <see cref="ReservationStatus.Unavailable"/>.
    /// </returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty.</exception>
    public ValueTask<LedgerResult> GetReservationAsync(ReservationId id, CancellationToken cancellationToken = default)
    {
        ThrowIfEmpty(id);
        return RunAsync(id.Value, static (ledger, key, connection, ct) => ledger.GetOnceAsync(key, connection, ct), Unavailable, cancellationToken);
    }

    /// <summary>
    /// Creates a region or replaces its capacity (an upsert). Capacity already reserved stays reserved; a capacity
    /// below the current use of any dimension is refused. Expired holds of the region are reclaimed first, so they do
    /// not count as use.
    /// </summary>
    /// <param name="region">The region name.</param>
    /// <param name="capacity">
    /// The region's total capacity in each dimension's unit; finite, non-negative and at most <see cref="CapacityLimits.MaxAmount"/>.
    /// </param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="ArgumentException"><paramref name="region"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="capacity"/> has a NaN, infinite, negative or too large dimension (see <see cref="CapacityLimits.ThrowIfAmountOutOfRange(ResourceVector, string?)"/>).
    /// </exception>
    public ValueTask<RegionCapacityStatus> SetRegionCapacityAsync(string region, ResourceVector capacity, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ThrowIfUnstorable(region, "The region", nameof(region));
        CapacityLimits.ThrowIfAmountOutOfRange(capacity);
        var milli = MilliUnits.ToMilliDown(capacity);
        return RunAsync((region, milli), static (ledger, s, connection, ct) => ledger.SetCapacityOnceAsync(s.region, s.milli, connection, ct), static () => RegionCapacityStatus.Unavailable, cancellationToken);
    }

    /// <summary>
    /// Creates or upgrades the schema now instead of before the first operation; idempotent and safe to call from
    /// several instances at once.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the schema is current.</returns>
    /// <exception cref="NpgsqlException">The database refused or could not be reached.</exception>
    /// <exception cref="InvalidOperationException">The schema is at a newer version than this library knows.</exception>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => MigrateAsync(cancellationToken);

    /// <summary>Disposes the connection pool if the ledger created it.</summary>
    /// <returns>A task that completes when the pool is closed.</returns>
    public ValueTask DisposeAsync() => _ownsDataSource ? _dataSource.DisposeAsync() : ValueTask.CompletedTask;

    /// <summary>
    /// Disposes the connection pool if the ledger created it, synchronously: a container disposed with <c>Dispose()</c>
    /// rather than <c>DisposeAsync()</c> refuses singletons that are only asynchronously disposable.
    /// </summary>
    public void Dispose()
    {
        if (_ownsDataSource)
        {
            _dataSource.Dispose();
        }
    }

    private static LedgerResult Unavailable() => new(ReservationStatus.Unavailable, null);

    private static NpgsqlDataSource CreateDataSource(PostgreSqlLedgerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        PostgreSqlLedgerOptionsValidator.ThrowIfInvalid(options);
        return new NpgsqlSlimDataSourceBuilder(options.ConnectionString).Build();
    }

    private static PostgreSqlLedgerOptions WithConnectionString(PostgreSqlLedgerOptions options, NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(dataSource);
        return new PostgreSqlLedgerOptions
        {
            ConnectionString = dataSource.ConnectionString,
            Schema = options.Schema,
            ReservationRetryCount = options.ReservationRetryCount,
            RetryBaseDelay = options.RetryBaseDelay,
            RetryMaxDelay = options.RetryMaxDelay,
            ExpiryBatchSize = options.ExpiryBatchSize,
            FinishedRetention = options.FinishedRetention,
            CreateSchema = options.CreateSchema,
        };
    }

    /// <summary>The longest reservation id, region or shape name the ledger stores, in UTF-8 bytes (1,024).</summary>
    public const int MaxKeyBytes = 1024;

    private static void ThrowIfEmpty(ReservationId id)
    {
        if (string.IsNullOrWhiteSpace(id.Value))
        {
            throw new ArgumentException("The reservation id must not be empty.", nameof(id));
        }

        ThrowIfUnstorable(id.Value, "The reservation id", nameof(id));
    }

    // PostgreSQL text holds no NUL, UTF-8 has no lone surrogates, and a primary-key index entry has a size limit: such
    // a string would fail in the database as an exception, not a result. Refuse it here as a bad argument instead.
    private static void ThrowIfUnstorable(string value, string what, string paramName)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"{what} must not contain a NUL character.", paramName);
        }

        int bytes;
        try
        {
            bytes = StrictUtf8.GetByteCount(value);
        }
        catch (System.Text.EncoderFallbackException)
        {
            throw new ArgumentException($"{what} is not valid UTF-16 (it has a lone surrogate).", paramName);
        }

        if (bytes > MaxKeyBytes)
        {
            throw new ArgumentException($"{what} is {bytes} bytes in UTF-8; at most {MaxKeyBytes} are stored.", paramName);
        }
    }


    private static PreparedReservation Prepare(ReservationRequest request)
    {
        // What every ledger refuses, refused as every ledger does; then what this store cannot keep.
        CapacityLimits.ThrowIfRequestInvalid(request);
        ThrowIfUnstorable(request.Id.Value, "ReservationRequest.Id", nameof(request));
        ThrowIfUnstorable(request.Region, "ReservationRequest.Region", nameof(request));
        ThrowIfUnstorable(request.ShapeName, "ReservationRequest.ShapeName", nameof(request));

        // The limit applies to the request's amounts as given, before rounding to milli-units, as in every ledger. The
        // rounded total can pass it by at most one milli-unit per replica (under 2.2 × 10⁹ of them), still far inside a
        // bigint; such a reservation simply finds no region large enough.
        var per = MilliUnits.ToMilliUp(request.PerReplica);
        var total = per.Times(request.Replicas);
        var normalized = request with { PerReplica = MilliUnits.FromMilli(per) };
        return new PreparedReservation(normalized, per, total);
    }

    private static DateTimeOffset TruncateToMicroseconds(DateTimeOffset t) => t.AddTicks(-(t.UtcTicks % 10));

    // An expiry rounds up: with now truncated to microseconds, a time-to-live shorter than one still expires after now.
    private static DateTimeOffset CeilToMicroseconds(DateTimeOffset t) => t.UtcTicks % 10 == 0 ? t : t.AddTicks(10 - (t.UtcTicks % 10));

    /// <summary>
    /// The latest finishing time that is forgotten at <paramref name="now"/> (finished at or before it: now − finished ≥
    /// retention, as in the in-memory ledger), or null when the retention reaches back past any time stored.
    /// </summary>
    private DateTimeOffset? Cutoff(DateTimeOffset now) =>
        _options.FinishedRetention >= now - DateTimeOffset.MinValue - TimeSpan.FromDays(1)
            ? null
            : TruncateToMicroseconds(now - _options.FinishedRetention);

    private static NpgsqlParameter CutoffParameter(DateTimeOffset? cutoff) =>
        new("cutoff", NpgsqlDbType.TimestampTz) { Value = cutoff is { } c ? c : DBNull.Value };

    private DateTimeOffset Now() => TruncateToMicroseconds(_timeProvider.GetUtcNow().ToUniversalTime());

    private sealed record PreparedReservation(ReservationRequest Request, MilliVector PerReplica, MilliVector Total);
}
