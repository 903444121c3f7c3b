using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Shaping.Core.Capacity;
using Shaping.Core.Resources;

namespace Shaping.Capacity.PostgreSql.Tests;

public sealed class PostgreSqlLedgerOptionsValidatorTests
{
    private static PostgreSqlLedgerOptions Valid() => new() { ConnectionString = "Host=127.0.0.1;Port=1;Username=u;Password=p;Database=d" };

    [Fact]
    public void Validate_Defaults_Succeed()
    {
        Assert.True(new PostgreSqlLedgerOptionsValidator().Validate(null, Valid()).Succeeded);
    }

    [Theory]
    [InlineData(nameof(PostgreSqlLedgerOptions.ConnectionString))]
    [InlineData(nameof(PostgreSqlLedgerOptions.Schema))]
    [InlineData(nameof(PostgreSqlLedgerOptions.ReservationRetryCount))]
    [InlineData(nameof(PostgreSqlLedgerOptions.RetryBaseDelay))]
    [InlineData(nameof(PostgreSqlLedgerOptions.RetryMaxDelay))]
    [InlineData(nameof(PostgreSqlLedgerOptions.ExpiryBatchSize))]
    [InlineData(nameof(PostgreSqlLedgerOptions.FinishedRetention))]
    public void Validate_OneSettingBad_FailsNamingIt(string setting)
    {
        var options = Valid();
        switch (setting)
        {
            case nameof(PostgreSqlLedgerOptions.ConnectionString): options.ConnectionString = " "; break;
            case nameof(PostgreSqlLedgerOptions.Schema): options.Schema = "Bad\"; DROP"; break;
            case nameof(PostgreSqlLedgerOptions.ReservationRetryCount): options.ReservationRetryCount = -1; break;
            case nameof(PostgreSqlLedgerOptions.RetryBaseDelay): options.RetryBaseDelay = TimeSpan.FromSeconds(-1); break;
            case nameof(PostgreSqlLedgerOptions.RetryMaxDelay): options.RetryMaxDelay = TimeSpan.FromMilliseconds(1); break;
            case nameof(PostgreSqlLedgerOptions.FinishedRetention): options.FinishedRetention = TimeSpan.FromTicks(-1); break;
            default: options.ExpiryBatchSize = 0; break;
        }

        var result = new PostgreSqlLedgerOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.Contains("PostgreSqlLedgerOptions." + setting, failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pg_ledger")] // CREATE SCHEMA refuses it: "unacceptable schema name", the prefix is reserved
    [InlineData("pg_catalog")] // exists, but takes no tables
    [InlineData("pg_toast")]
    public void Validate_SchemaWithTheReservedPgPrefix_FailsNamingIt(string schema)
    {
        // The name matches the documented pattern, so it used to pass: the host started and the first operation threw
        // a PostgresException (42939 or 42501) from the schema creation, on every call.
        var options = Valid();
        options.Schema = schema;

        var result = new PostgreSqlLedgerOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("PostgreSqlLedgerOptions.Schema", Assert.Single(result.Failures!), StringComparison.Ordinal);
        Assert.True(new PostgreSqlLedgerOptionsValidator().Validate(null, new PostgreSqlLedgerOptions { ConnectionString = options.ConnectionString, Schema = "xpg_" + schema }).Succeeded);
    }

    [Theory]
    [InlineData("Username=u;Password=p;Database=d")] // no host
    [InlineData("Host=127.0.0.1;Port=70000;Username=u")]
    [InlineData("Host=127.0.0.1;Username=u;Minimum Pool Size=10;Maximum Pool Size=5")]
    [InlineData("Host=127.0.0.1;Username=u;Minimum Pool Size=0;Maximum Pool Size=0")] // no connection could ever open
    public void Validate_ConnectionStringThatParsesButNoPoolAccepts_FailsNamingItAndSoDoesTheConstructor(string connectionString)
    {
        // Such a string parses, but building the connection pool refuses it: that must fail the start naming the
        // setting, not the first resolution of the ledger with an ArgumentException about a "Host" or "port" parameter.
        var options = Valid();
        options.ConnectionString = connectionString;

        var result = new PostgreSqlLedgerOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("PostgreSqlLedgerOptions.ConnectionString", Assert.Single(result.Failures!), StringComparison.Ordinal);
        var error = Assert.Throws<OptionsValidationException>(() => new PostgreSqlCapacityLedger(options, TimeProvider.System));
        Assert.Contains("PostgreSqlLedgerOptions.ConnectionString", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RetryMaxDelayLongerThanATimerTakes_FailsNamingIt()
    {
        // Task.Delay takes at most about 49.7 days; a longer back-off validated, then threw ArgumentOutOfRangeException
        // out of the first operation that had to retry, instead of ending as Unavailable.
        var options = Valid();
        options.RetryMaxDelay = TimeSpan.FromDays(50);

        var result = new PostgreSqlLedgerOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("PostgreSqlLedgerOptions.RetryMaxDelay", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TryReserve_LongestBackoffAndMostRetries_UnavailableWithoutOverflow()
    {
        // The largest settings that validate: the doubling must saturate at RetryMaxDelay, not overflow TimeSpan.
        var time = new FakeTimeProvider();
        var options = Valid();
        options.ReservationRetryCount = PostgreSqlLedgerOptionsValidator.MaxRetryCount;
        options.RetryMaxDelay = PostgreSqlLedgerOptionsValidator.MaxRetryDelay;
        options.RetryBaseDelay = options.RetryMaxDelay;
        await using var ledger = new PostgreSqlCapacityLedger(options, time);
        var request = new ReservationRequest(ReservationId.Create("x"), "r", "s", new ResourceVector(1, 0, 0, 0), 1, TimeSpan.FromMinutes(1));

        var reserve = ledger.TryReserveAsync(request).AsTask();
        for (var i = 0; i < 10_000 && !reserve.IsCompleted; i++)
        {
            time.Advance(options.RetryMaxDelay);
            await Task.WhenAny(reserve, Task.Delay(5));
        }

        Assert.Equal(ReservationStatus.Unavailable, (await reserve).Status);
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsNamingTheSetting()
    {
        var options = Valid();
        options.Schema = "";

        var error = Assert.Throws<OptionsValidationException>(() => new PostgreSqlCapacityLedger(options, TimeProvider.System));

        Assert.Contains("PostgreSqlLedgerOptions.Schema", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TryReserve_NegativeAmount_ThrowsBeforeTouchingTheDatabase()
    {
        // Port 1 refuses connections: the argument check must come first.
        await using var ledger = new PostgreSqlCapacityLedger(Valid(), TimeProvider.System);
        var request = new ReservationRequest(ReservationId.Create("x"), "r", "s", new ResourceVector(-1, 0, 0, 0), 1, TimeSpan.FromMinutes(1));

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ledger.TryReserveAsync(request).AsTask());

        Assert.Equal("request", error.ParamName);
    }

    [Fact]
    public async Task TryReserve_ServerUnreachable_UnavailableAfterRetries()
    {
        var options = Valid();
        options.ReservationRetryCount = 2;
        options.RetryBaseDelay = TimeSpan.Zero;
        await using var ledger = new PostgreSqlCapacityLedger(options, TimeProvider.System);
        var request = new ReservationRequest(ReservationId.Create("x"), "r", "s", new ResourceVector(1, 0, 0, 0), 1, TimeSpan.FromMinutes(1));

        var result = await ledger.TryReserveAsync(request);

        Assert.Equal(ReservationStatus.Unavailable, result.Status);
        Assert.Null(await ledger.GetFreeCapacityAsync("r"));
        Assert.Equal(0, await ledger.ReclaimExpiredAsync());
    }

    [Theory]
    [InlineData("40001", true)]
    [InlineData("40P01", true)]
    [InlineData("57P01", true)]
    [InlineData("57P02", true)]
    [InlineData("57P03", true)]
    [InlineData("25006", true)]
    [InlineData("08006", true)]
    [InlineData("55P03", true)]
    [InlineData("57014", true)]
    [InlineData("23505", false)]
    [InlineData("42P01", false)]
    public void IsTransientState_KnownCodes_Classified(string sqlState, bool transient)
    {
        Assert.Equal(transient, PostgreSqlCapacityLedger.IsTransientState(sqlState));
    }

    [Theory]
    [InlineData("25006", true)] // read_only_sql_transaction: a failover still pointing the pool at a standby
    [InlineData("57P01", true)]
    [InlineData("08006", true)]
    [InlineData("40001", false)]
    [InlineData("55P03", false)]
    public void ReadOnlyTransactionDuringFailover_IsTransient_AndClearsThePool(string sqlState, bool connectionLoss)
    {
        var error = new PostgresException("refused", "ERROR", "ERROR", sqlState);

        Assert.True(PostgreSqlCapacityLedger.IsTransient(error));
        Assert.Equal(connectionLoss, PostgreSqlCapacityLedger.IsConnectionLoss(error));
    }
}
