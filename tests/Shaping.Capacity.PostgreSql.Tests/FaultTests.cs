using Npgsql;
using Xunit.Abstractions;
using Shaping.Capacity.PostgreSql.Tests.Infrastructure;
using Shaping.Core.Capacity;
using Shaping.Core.Resources;

namespace Shaping.Capacity.PostgreSql.Tests;

/// <summary>
/// Connections are killed on the server in the middle of the load: every call still ends in a typed result,
/// acknowledged commits survive, nothing is oversubscribed, and work resumes.
/// </summary>
public sealed class FaultTests(PostgresSchemaFixture db, ITestOutputHelper output) : IClassFixture<PostgresSchemaFixture>
{
    private const int Instances = 4;
    private const int StepsPerInstance = 80;
    private const int KillEvery = 15;

    [PostgresFact]
    public async Task RandomLoad_ConnectionsKilledRepeatedly_TypedResultsCommittedSurviveAndWorkResumes()
    {
        var application = "shaping-fault-" + Guid.NewGuid().ToString("N")[..8];
        var ledgers = Enumerable.Range(0, Instances)
            .Select(_ => db.CreateLedger(TimeProvider.System, o =>
            {
                o.ReservationRetryCount = 6;
                o.RetryBaseDelay = TimeSpan.FromMilliseconds(5);
                o.RetryMaxDelay = TimeSpan.FromMilliseconds(100);
            }, application))
            .ToArray();
        const string Region = "faulty";
        var capacity = new ResourceVector(40, 160, 800, 20);
        Assert.Equal(RegionCapacityStatus.Succeeded, await ledgers[0].SetRegionCapacityAsync(Region, capacity));

        var killed = 0;
        var exceptions = new List<Exception>();
        var statuses = new int[7];

        async Task<HashSet<ReservationId>> Work(int index)
        {
            var random = new Random(99 + index);
            var acknowledgedCommits = new HashSet<ReservationId>();
            var ledger = ledgers[index];
            for (var step = 0; step < StepsPerInstance; step++)
            {
                if (index == 0 && step % KillEvery == KillEvery - 1)
                {
                    killed += await KillAsync(application);
                }

                try
                {
                    var id = ReservationId.Create($"f{index}-{step}");
                    var per = new ResourceVector(random.Next(1, 5), random.Next(1, 9), random.Next(1, 41), random.Next(1, 3) * 0.5);
                    var reserve = await ledger.TryReserveAsync(new ReservationRequest(id, Region, "s", per, 1, TimeSpan.FromHours(1)));
                    Interlocked.Increment(ref statuses[(int)reserve.Status]);
                    if (!reserve.IsSuccess)
                    {
                        continue;
                    }

                    var commit = await ledger.CommitAsync(id);
                    Interlocked.Increment(ref statuses[(int)commit.Status]);
                    if (commit.IsSuccess)
                    {
                        acknowledgedCommits.Add(id);
                    }

                    if (random.Next(2) == 0)
                    {
                        var release = await ledger.ReleaseAsync(id);
                        Interlocked.Increment(ref statuses[(int)release.Status]);
                        if (release.IsSuccess)
                        {
                            acknowledgedCommits.Remove(id);
                        }
                    }
                }
#pragma warning disable CA1031 // The point of the test: record any exception that escapes instead of a typed result.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    lock (exceptions)
                    {
                        exceptions.Add(ex);
                    }
                }
            }

            return acknowledgedCommits;
        }

        var survivors = (await Task.WhenAll(Enumerable.Range(0, Instances).Select(i => Task.Run(() => Work(i))))).SelectMany(s => s).ToArray();

        output.WriteLine($"backends killed: {killed}; statuses: " + string.Join(", ", Enum.GetValues<ReservationStatus>().Select(s => $"{s}={statuses[(int)s]}")));
        Assert.Empty(exceptions);
        Assert.True(statuses[(int)ReservationStatus.Succeeded] > 50, "too little succeeded to mean anything");
        Assert.True(killed > 0, "no backend was killed: the test tested nothing");
        Assert.Equal(0, await db.ViolationsAsync());
        foreach (var id in survivors)
        {
            var stored = await ledgers[1].GetReservationAsync(id);
            Assert.Equal(ReservationState.Committed, stored.Reservation!.State);
        }

        // Work resumes: release every live reservation (including any whose outcome a caller saw as Unavailable),
        // then every instance reserves, commits and releases again, and the region is whole.
        foreach (var id in await LiveIdsAsync())
        {
            Assert.Equal(ReservationStatus.Succeeded, (await ledgers[2].ReleaseAsync(id)).Status);
        }

        Assert.Equal(capacity, await ledgers[3].GetFreeCapacityAsync(Region));
        foreach (var ledger in ledgers)
        {
            var id = ReservationId.Create("after-" + Guid.NewGuid());
            var reserve = await ledger.TryReserveAsync(new ReservationRequest(id, Region, "s", new ResourceVector(0.5, 0.5, 0.5, 0.5), 1, TimeSpan.FromHours(1)));
            Assert.Equal(ReservationStatus.Succeeded, reserve.Status);
            Assert.Equal(ReservationStatus.Succeeded, (await ledger.CommitAsync(id)).Status);
            Assert.Equal(ReservationStatus.Succeeded, (await ledger.ReleaseAsync(id)).Status);
        }

        Assert.Equal(0, await db.ViolationsAsync());
        Assert.Equal(capacity, await ledgers[0].GetFreeCapacityAsync(Region));
    }

    [PostgresFact]
    public async Task ReserveAndCommit_StatementTimeoutWhileRowLocked_UnavailableThenReplaySettles()
    {
        // A server-side statement_timeout (57014, common on production roles) is as transient as a lock_timeout: the
        // statement rolled back whole, so the call must end as Unavailable for the caller to replay, not throw. A
        // commit that threw after provisioning would leave the replicas to a hold that expires.
        var ledger = db.CreateLedger(TimeProvider.System);
        var timing = db.CreateLedger(TimeProvider.System, o =>
        {
            o.ConnectionString = new NpgsqlConnectionStringBuilder(o.ConnectionString) { Options = "-c statement_timeout=300" }.ConnectionString;
            o.ReservationRetryCount = 1;
        });
        const string Region = "timed";
        var capacity = new ResourceVector(8, 8, 8, 8);
        Assert.Equal(RegionCapacityStatus.Succeeded, await ledger.SetRegionCapacityAsync(Region, capacity));
        var held = ReservationId.Create("timed-held");
        Assert.Equal(ReservationStatus.Succeeded, (await ledger.TryReserveAsync(new ReservationRequest(held, Region, "s", new ResourceVector(1, 1, 1, 1), 1, TimeSpan.FromHours(1)))).Status);
        Assert.Equal(ReservationStatus.Succeeded, (await timing.GetReservationAsync(held)).Status); // schema checked, pool warm

        var other = ReservationId.Create("timed-other");
        var otherRequest = new ReservationRequest(other, Region, "s", new ResourceVector(2, 2, 2, 2), 1, TimeSpan.FromHours(1));
        await using (var blocker = await db.Checker.OpenConnectionAsync())
        await using (var transaction = await blocker.BeginTransactionAsync())
        {
            await using (var lockRows = new NpgsqlCommand($"SELECT 1 FROM \"{db.Schema}\".regions WHERE name = '{Region}' FOR UPDATE; SELECT 1 FROM \"{db.Schema}\".reservations WHERE id = '{held.Value}' FOR UPDATE", blocker, transaction))
            {
                await lockRows.ExecuteNonQueryAsync();
            }

            Assert.Equal(ReservationStatus.Unavailable, (await timing.TryReserveAsync(otherRequest)).Status);
            Assert.Equal(ReservationStatus.Unavailable, (await timing.CommitAsync(held)).Status);
            await transaction.RollbackAsync();
        }

        // Nothing happened while the rows were locked; the replays settle both.
        Assert.Equal(ReservationState.Held, (await ledger.GetReservationAsync(held)).Reservation!.State);
        Assert.Equal(ReservationStatus.NotFound, (await ledger.GetReservationAsync(other)).Status);
        Assert.Equal(ReservationStatus.Succeeded, (await timing.TryReserveAsync(otherRequest)).Status);
        Assert.Equal(ReservationStatus.Succeeded, (await timing.CommitAsync(held)).Status);
        Assert.Equal(0, await db.ViolationsAsync());
        Assert.Equal(new ResourceVector(5, 5, 5, 5), await ledger.GetFreeCapacityAsync(Region));
    }

    private async Task<List<ReservationId>> LiveIdsAsync()
    {
        await using var command = db.Checker.CreateCommand($"SELECT id FROM \"{db.Schema}\".reservations WHERE state IN (0, 1)");
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<ReservationId>();
        while (await reader.ReadAsync())
        {
            ids.Add(ReservationId.Create(reader.GetString(0)));
        }

        return ids;
    }

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
