using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Shaping.Capacity.PostgreSql.Tests.Infrastructure;
using Shaping.Core.Capacity;
using Shaping.Core.Resources;
using Xunit.Abstractions;

namespace Shaping.Capacity.PostgreSql.Tests;

/// <summary>
/// Several instances at once: every answer is a legal step of the reservation's life cycle while backends are killed,
/// holds expire and sweeps run; serialization failures of a stricter default isolation are retried; one id reserved in
/// several regions at once is taken once.
/// </summary>
public sealed class ConcurrencyTests(PostgresSchemaFixture db, ITestOutputHelper output) : IClassFixture<PostgresSchemaFixture>
{
    [PostgresFact]
    public async Task RandomLoad_SixInstancesWithKillsExpiriesAndSweeps_EveryAnswerIsALegalTransition()
    {
        var time = new FakeTimeProvider();
        var application = "shaping-model-" + Guid.NewGuid().ToString("N")[..8];
        var ledgers = Enumerable.Range(0, 6).Select(_ => db.CreateLedger(time, o => o.ReservationRetryCount = 8, application)).ToArray();
        string[] regions = ["model-a", "model-b"];
        foreach (var region in regions)
        {
            Assert.Equal(RegionCapacityStatus.Succeeded, await ledgers[0].SetRegionCapacityAsync(region, new ResourceVector(10, 10, 10, 10)));
        }

        var errors = new List<string>();
        var killed = 0;
        var answers = 0;

        // Each instance works on ids of its own and knows the state each is in, except after an Unavailable answer
        // (the outcome is unknown): that id is no longer followed.
        async Task WorkAsync(int index)
        {
            var random = new Random(4711 + index);
            var ledger = ledgers[index];
            var known = new Dictionary<ReservationId, (ReservationRequest Request, ReservationState State)>();
            for (var step = 0; step < 200; step++)
            {
                var roll = random.Next(100);
                try
                {
                    if (roll < 35 || known.Count == 0)
                    {
                        var id = ReservationId.Create($"m{index}-{step}");
                        var request = new ReservationRequest(id, regions[random.Next(2)], "s", new ResourceVector(random.Next(1, 4), 1, 1, 0.5), 1, TimeSpan.FromSeconds(random.Next(1, 120)));
                        var result = await ledger.TryReserveAsync(request);
                        if (result.IsSuccess)
                        {
                            known[id] = (request, result.Reservation!.State);
                        }
                        else if (result.Status is not (ReservationStatus.InsufficientCapacity or ReservationStatus.Unavailable))
                        {
                            lock (errors)
                            {
                                errors.Add($"reserve {id}: {result.Status}");
                            }
                        }

                        continue;
                    }

                    if (roll >= 90)
                    {
                        if (index == 0)
                        {
                            time.Advance(TimeSpan.FromSeconds(random.Next(1, 30)));
                        }
                        else if (index == 1 && random.Next(3) == 0)
                        {
                            Interlocked.Add(ref killed, await KillAsync(application));
                        }
                        else
                        {
                            await ledger.ReclaimExpiredAsync();
                        }

                        continue;
                    }

                    var (pick, (pickRequest, state)) = known.ElementAt(random.Next(known.Count));
                    var (operation, answer) = roll switch
                    {
                        < 60 => ("commit", await ledger.CommitAsync(pick)),
                        < 80 => ("release", await ledger.ReleaseAsync(pick)),
                        _ => ("replay", await ledger.TryReserveAsync(pickRequest)),
                    };
                    Interlocked.Increment(ref answers);
                    if (answer.Status == ReservationStatus.Unavailable)
                    {
                        known.Remove(pick);
                        continue;
                    }

                    var legal = (operation, state, answer.Status) switch
                    {
                        ("commit", ReservationState.Held, ReservationStatus.Succeeded or ReservationStatus.Expired) => true,
                        ("commit", ReservationState.Committed, ReservationStatus.Succeeded) => true,
                        ("commit", ReservationState.Expired, ReservationStatus.Expired) => true,
                        ("commit", ReservationState.Released, ReservationStatus.Conflict) => true,
                        ("release", _, ReservationStatus.Succeeded) => true,
                        ("replay", ReservationState.Held, ReservationStatus.Succeeded or ReservationStatus.Expired) => true,
                        ("replay", ReservationState.Committed, ReservationStatus.Succeeded) => true,
                        ("replay", ReservationState.Expired, ReservationStatus.Expired) => true,
                        ("replay", ReservationState.Released, ReservationStatus.Conflict) => true,
                        _ => false,
                    };
                    if (!legal)
                    {
                        lock (errors)
                        {
                            errors.Add($"{operation} {pick} from {state}: {answer.Status} ({answer.Reservation?.State})");
                        }
                    }

                    if (answer.Reservation is { } now && answer.Status != ReservationStatus.Conflict)
                    {
                        known[pick] = (pickRequest, now.State);
                    }
                }
#pragma warning disable CA1031 // The point of the test: record any exception that escapes instead of a typed result.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    lock (errors)
                    {
                        errors.Add(ex.GetType().Name + ": " + ex.Message);
                    }
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, ledgers.Length).Select(i => Task.Run(() => WorkAsync(i))));

        output.WriteLine($"backends killed: {killed}; answers checked: {answers}");
        Assert.Empty(errors);
        Assert.True(answers > 300, "too few answers to mean anything");
        Assert.True(killed > 0, "no backend was killed: the kills tested nothing");
        Assert.Equal(0, await db.ViolationsAsync());
    }

    [PostgresFact]
    public async Task TryReserve_OneIdInFourRegionsFromFourInstancesAtOnce_TakenOnceTheOthersConflict()
    {
        var time = new FakeTimeProvider();
        var ledgers = Enumerable.Range(0, 4).Select(_ => db.CreateLedger(time)).ToArray();
        var regions = Enumerable.Range(0, 4).Select(i => $"sid-{i}-" + Guid.NewGuid().ToString("N")[..6]).ToArray();
        foreach (var region in regions)
        {
            Assert.Equal(RegionCapacityStatus.Succeeded, await ledgers[0].SetRegionCapacityAsync(region, new ResourceVector(1000, 1000, 1000, 1000)));
        }

        for (var round = 0; round < 30; round++)
        {
            var id = ReservationId.Create($"sid-{round}-{Guid.NewGuid():N}");
            var results = await Task.WhenAll(ledgers.Select((ledger, i) => Task.Run(async () =>
                await ledger.TryReserveAsync(new ReservationRequest(id, regions[i], "s", new ResourceVector(1, 1, 1, 1), 1, TimeSpan.FromHours(1))))));

            Assert.Equal(1, results.Count(r => r.IsSuccess));
            Assert.Equal(3, results.Count(r => r.Status == ReservationStatus.Conflict));
        }

        Assert.Equal(0, await db.ViolationsAsync());
        var taken = 0.0;
        foreach (var region in regions)
        {
            taken += 1000 - (await ledgers[1].GetFreeCapacityAsync(region))!.Value.CpuCores;
        }

        Assert.Equal(30, taken);
    }

    [PostgresFact]
    public async Task InitializeAsync_FourInstancesOnANewSchemaUnderSerializableDefaultIsolation_OneVersionRow()
    {
        var schema = "t_ser_" + Guid.NewGuid().ToString("N")[..10];
        var ledgers = Enumerable.Range(0, 4).Select(_ => db.CreateLedger(configure: o =>
        {
            o.Schema = schema;
            o.ConnectionString = Serializable(o.ConnectionString!);
        })).ToArray();
        try
        {
            await Task.WhenAll(ledgers.Select(l => l.InitializeAsync()));

            Assert.Equal((long)PostgreSqlCapacityLedger.SchemaVersion, await db.ScalarAsync<long>($"SELECT count(*) FROM \"{schema}\".schema_version")); // one row per version
        }
        finally
        {
            await db.ScalarAsync<object>($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE; SELECT 1");
        }
    }

    [PostgresFact]
    public async Task RandomLoad_SerializableDefaultIsolation_SerializationFailuresRetriedAndNothingOversubscribed()
    {
        // A database whose default_transaction_isolation is serializable answers concurrent takes of one region with
        // 40001; the ledger retries them. Every answer is still a typed result and the region ends whole.
        var time = new FakeTimeProvider();
        var ledgers = Enumerable.Range(0, 4).Select(_ => db.CreateLedger(time, o =>
        {
            o.ConnectionString = Serializable(o.ConnectionString!);
            o.ReservationRetryCount = 20;
        })).ToArray();
        var region = "ser-" + Guid.NewGuid().ToString("N")[..6];
        var capacity = new ResourceVector(20, 20, 20, 20);
        Assert.Equal(RegionCapacityStatus.Succeeded, await ledgers[0].SetRegionCapacityAsync(region, capacity));
        var statuses = new int[7];
        var committed = new List<ReservationId>();
        var unavailable = 0;

        // An Unavailable answer (retries ran out) is settled by replaying the call, as a caller does.
        async Task<LedgerResult> SettleAsync(Func<ValueTask<LedgerResult>> call)
        {
            for (var attempt = 0; ; attempt++)
            {
                var result = await call();
                if (result.Status != ReservationStatus.Unavailable || attempt == 10)
                {
                    return result;
                }

                Interlocked.Increment(ref unavailable);
            }
        }

        async Task WorkAsync(int index)
        {
            var random = new Random(17 + index);
            for (var step = 0; step < 80; step++)
            {
                var id = ReservationId.Create($"{region}-{index}-{step}");
                var request = new ReservationRequest(id, region, "s", new ResourceVector(1, 1, 1, 1), random.Next(1, 3), TimeSpan.FromMinutes(random.Next(1, 5)));
                var reserve = await SettleAsync(() => ledgers[index].TryReserveAsync(request));
                Interlocked.Increment(ref statuses[(int)reserve.Status]);
                if (reserve.IsSuccess)
                {
                    var answer = random.Next(3) switch
                    {
                        0 => await SettleAsync(() => ledgers[index].CommitAsync(id)),
                        1 => await SettleAsync(() => ledgers[index].ReleaseAsync(id)),
                        _ => reserve,
                    };
                    Interlocked.Increment(ref statuses[(int)answer.Status]);
                    if (answer.Reservation?.State == ReservationState.Committed)
                    {
                        lock (committed)
                        {
                            committed.Add(id);
                        }
                    }
                }

                if (random.Next(10) == 0)
                {
                    await ledgers[index].ReclaimExpiredAsync();
                }

                if (index == 0 && random.Next(8) == 0)
                {
                    time.Advance(TimeSpan.FromMinutes(1));
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, ledgers.Length).Select(i => Task.Run(() => WorkAsync(i))));

        output.WriteLine($"replayed after Unavailable: {unavailable}; " + string.Join(", ", Enum.GetValues<ReservationStatus>().Select(s => $"{s}={statuses[(int)s]}")));
        Assert.True(statuses[(int)ReservationStatus.Succeeded] > 50, "too little succeeded to mean anything");
        Assert.Equal(0, statuses[(int)ReservationStatus.Unavailable]);
        Assert.Equal(0, await db.ViolationsAsync());
        foreach (var id in committed)
        {
            Assert.Equal(ReservationStatus.Succeeded, (await ledgers[1].ReleaseAsync(id)).Status);
        }

        time.Advance(TimeSpan.FromHours(1));
        await ledgers[2].ReclaimExpiredAsync();
        Assert.Equal(capacity, await ledgers[3].GetFreeCapacityAsync(region));
    }

    private static string Serializable(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Options = "-c default_transaction_isolation=serializable" }.ConnectionString;

    private async Task<int> KillAsync(string application)
    {
        await using var command = db.Checker.CreateCommand("""
            SELECT count(pg_terminate_backend(pid))::int FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = @app AND pid <> pg_backend_pid()
            """);
        command.Parameters.Add(new NpgsqlParameter<string>("app", application));
        return (int)(await command.ExecuteScalarAsync())!;
    }
}
