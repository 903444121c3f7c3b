// Load console for the PostgreSQL capacity ledger: reservations per second with 1, 4 and 16 concurrent clients.
// Usage: SHAPING_TEST_POSTGRES='Host=127.0.0.1;Username=postgres;Password=...;Database=...' \
//        dotnet run -c Release --project benchmarks/Shaping.Capacity.PostgreSql.Load -- [seconds per run, default 5] [client counts, default 1,4,16]
// Each client loops: TryReserve (one atomic check-and-take on the shared region row) then Release, so the region
// never fills and every reservation succeeds. All clients of a run share one ledger (one connection pool), as the
// workers of one control-plane instance would; the region row is the contended resource.
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Npgsql;
using Shaping.Capacity.PostgreSql;
using Shaping.Core.Capacity;
using Shaping.Core.Resources;

var connectionString = Environment.GetEnvironmentVariable("SHAPING_TEST_POSTGRES");
if (string.IsNullOrWhiteSpace(connectionString))
{
    Console.Error.WriteLine("Set SHAPING_TEST_POSTGRES to an Npgsql connection string.");
    return 2;
}

var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 5;
var clientCounts = args.Length > 1 ? args[1].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray() : [1, 4, 16];

await using (var probe = NpgsqlDataSource.Create(connectionString))
await using (var command = probe.CreateCommand("SHOW server_version"))
{
    Console.WriteLine($"PostgreSQL {await command.ExecuteScalarAsync()} on loopback; .NET {Environment.Version}; {Environment.ProcessorCount} cores; {RuntimeInformation.OSDescription}");
}

Console.WriteLine($"{seconds:0.#} s per run after a 1 s warm-up; each op = TryReserve (a sweep of the region's expired holds, then the reserve) + Release: 3 statements");
Console.WriteLine();
Console.WriteLine("| clients | reservations/s | statements/s | reserve p50 (ms) | reserve p99 (ms) | failed |");
Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: |");
foreach (var clients in clientCounts)
{
    var schema = "load_" + Guid.NewGuid().ToString("N")[..10];
    var builder = new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = Math.Max(clients, 4), ApplicationName = "shaping-load" };
    await using var ledger = new PostgreSqlCapacityLedger(new PostgreSqlLedgerOptions { ConnectionString = builder.ConnectionString, Schema = schema }, TimeProvider.System);
    await ledger.SetRegionCapacityAsync("load", new ResourceVector(1e6, 1e6, 1e6, 1e6));
    await RunAsync(ledger, clients, TimeSpan.FromSeconds(1), null);
    var latencies = new List<double>[clients];
    var (reserved, failed, elapsed) = await RunAsync(ledger, clients, TimeSpan.FromSeconds(seconds), latencies);
    var all = latencies.SelectMany(l => l).Order().ToArray();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {clients} | {reserved / elapsed.TotalSeconds:0} | {3 * reserved / elapsed.TotalSeconds:0} | {Percentile(all, 0.50):0.00} | {Percentile(all, 0.99):0.00} | {failed} |"));
    await using var drop = NpgsqlDataSource.Create(connectionString);
    await using var dropCommand = drop.CreateCommand($"DROP SCHEMA \"{schema}\" CASCADE");
    await dropCommand.ExecuteNonQueryAsync();
}

return 0;

static async Task<(long Reserved, long Failed, TimeSpan Elapsed)> RunAsync(PostgreSqlCapacityLedger ledger, int clients, TimeSpan duration, List<double>[]? latencies)
{
    long reserved = 0, failed = 0;
    var stopwatch = Stopwatch.StartNew();
    var tasks = Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
    {
        var mine = latencies is null ? null : latencies[client] = new List<double>();
        var per = new ResourceVector(0.5, 2, 10, 0.125);
        var n = 0;
        while (stopwatch.Elapsed < duration)
        {
            var id = ReservationId.Create($"c{client}-{n++}-{Guid.NewGuid():N}");
            var start = Stopwatch.GetTimestamp();
            var result = await ledger.TryReserveAsync(new ReservationRequest(id, "load", "s", per, 2, TimeSpan.FromMinutes(5)));
            mine?.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            if (result.IsSuccess && (await ledger.ReleaseAsync(id)).IsSuccess)
            {
                Interlocked.Increment(ref reserved);
            }
            else
            {
                Interlocked.Increment(ref failed);
            }
        }
    })).ToArray();
    await Task.WhenAll(tasks);
    return (reserved, failed, stopwatch.Elapsed);
}

static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
