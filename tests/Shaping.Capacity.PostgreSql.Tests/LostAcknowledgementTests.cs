using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Shaping.Capacity.PostgreSql.Tests.Infrastructure;
using Shaping.Core.Capacity;
using Shaping.Core.Resources;

namespace Shaping.Capacity.PostgreSql.Tests;

/// <summary>
/// A statement reaches the server and commits, but its answer never reaches the ledger: the connection drops in
/// between. The ledger's retry (or the caller's replay after <see cref="ReservationStatus.Unavailable"/>) must report
/// what happened, and nothing may be taken or given back twice.
/// </summary>
public sealed class LostAcknowledgementTests(PostgresSchemaFixture db) : IClassFixture<PostgresSchemaFixture>
{
    private static readonly ResourceVector Capacity = new(10, 10, 10, 10);
    private static readonly ResourceVector Per = new(1.5, 2, 2.5, 0.125);

    [PostgresFact]
    public async Task ReserveCommitRelease_AnswerLostAfterTheCommit_RetryReportsTheEffectAndCountsItOnce()
    {
        await using var proxy = new AnswerLosingProxy(new NpgsqlConnectionStringBuilder(PostgresSchemaFixture.ConnectionString));
        var ledger = db.CreateLedger(new FakeTimeProvider(), o => o.ConnectionString = proxy.ConnectionString(o.ConnectionString!));
        var region = "lost-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(RegionCapacityStatus.Succeeded, await ledger.SetRegionCapacityAsync(region, Capacity));
        var request = new ReservationRequest(ReservationId.Create("lost-" + Guid.NewGuid().ToString("N")), region, "s", Per, 2, TimeSpan.FromMinutes(5));

        proxy.LoseAnswerTo(request.Id.Value);
        var reserve = await ledger.TryReserveAsync(request);
        Assert.Equal(1, proxy.Lost);
        Assert.Equal(ReservationStatus.Succeeded, reserve.Status);
        Assert.Equal(ReservationState.Held, reserve.Reservation!.State);
        Assert.Equal(Capacity - (Per * 2), await ledger.GetFreeCapacityAsync(region));

        proxy.LoseAnswerTo(request.Id.Value);
        var commit = await ledger.CommitAsync(request.Id);
        Assert.Equal(2, proxy.Lost);
        Assert.Equal(ReservationStatus.Succeeded, commit.Status);
        Assert.Equal(ReservationState.Committed, commit.Reservation!.State);

        proxy.LoseAnswerTo(request.Id.Value);
        var release = await ledger.ReleaseAsync(request.Id);
        Assert.Equal(3, proxy.Lost);
        Assert.Equal(ReservationStatus.Succeeded, release.Status);
        Assert.Equal(ReservationState.Released, release.Reservation!.State);
        Assert.Equal(Capacity, await ledger.GetFreeCapacityAsync(region));
        Assert.Equal(0, await db.ViolationsAsync());
    }

    [PostgresFact]
    public async Task Reserve_AnswerLostAndNoRetryLeft_UnavailableThenTheReplayFindsItTakenOnce()
    {
        await using var proxy = new AnswerLosingProxy(new NpgsqlConnectionStringBuilder(PostgresSchemaFixture.ConnectionString));
        var ledger = db.CreateLedger(new FakeTimeProvider(), o =>
        {
            o.ConnectionString = proxy.ConnectionString(o.ConnectionString!);
            o.ReservationRetryCount = 0;
        });
        var region = "lost-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(RegionCapacityStatus.Succeeded, await ledger.SetRegionCapacityAsync(region, Capacity));
        var request = new ReservationRequest(ReservationId.Create("lost-" + Guid.NewGuid().ToString("N")), region, "s", Per, 3, TimeSpan.FromMinutes(5));

        proxy.LoseAnswerTo(request.Id.Value);
        Assert.Equal(ReservationStatus.Unavailable, (await ledger.TryReserveAsync(request)).Status);
        proxy.LoseAnswerTo(request.Id.Value + "-never");

        var replay = await ledger.TryReserveAsync(request);

        Assert.Equal(ReservationStatus.Succeeded, replay.Status);
        Assert.Equal(Capacity - (Per * 3), await ledger.GetFreeCapacityAsync(region));
        Assert.Equal(1L, await db.ScalarAsync<long>($"SELECT count(*) FROM {{s}}.reservations WHERE region = '{region}'"));
        Assert.Equal(0, await db.ViolationsAsync());
    }

    /// <summary>
    /// A TCP proxy in front of the server. Armed with a marker, it forwards the first client message that contains it,
    /// swallows the server's answer, waits until the server has surely committed, then drops both connections.
    /// </summary>
    private sealed class AnswerLosingProxy : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly string _upstreamHost;
        private readonly int _upstreamPort;
        private readonly CancellationTokenSource _stop = new();
        private readonly List<TcpClient> _clients = [];
        private readonly Task _accepting;
        private byte[]? _marker;
        private int _lost;

        public AnswerLosingProxy(NpgsqlConnectionStringBuilder upstream)
        {
            _upstreamHost = upstream.Host!;
            _upstreamPort = upstream.Port;
            _listener.Start();
            _accepting = AcceptAsync();
        }

        public int Lost => Volatile.Read(ref _lost);

        public string ConnectionString(string original) => new NpgsqlConnectionStringBuilder(original)
        {
            Host = "127.0.0.1",
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port,
            SslMode = SslMode.Disable, // the marker must be readable on the wire
            GssEncryptionMode = GssEncryptionMode.Disable,
        }.ConnectionString;

        public void LoseAnswerTo(string marker) => Volatile.Write(ref _marker, Encoding.UTF8.GetBytes(marker));

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try
            {
                await _accepting;
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }

            lock (_clients)
            {
                foreach (var client in _clients)
                {
                    client.Dispose();
                }
            }

            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var server = new TcpClient();
                await server.ConnectAsync(_upstreamHost, _upstreamPort, _stop.Token);
                lock (_clients)
                {
                    _clients.Add(client);
                    _clients.Add(server);
                }

                var muted = new Flag();
                _ = PumpAsync(client, server, muted, inspect: true);
                _ = PumpAsync(server, client, muted, inspect: false);
            }
        }

        private async Task PumpAsync(TcpClient from, TcpClient to, Flag muted, bool inspect)
        {
            var buffer = new byte[64 * 1024];
            try
            {
                var input = from.GetStream();
                var output = to.GetStream();
                while (true)
                {
                    var read = await input.ReadAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        break;
                    }

                    var marker = Volatile.Read(ref _marker);
                    var lose = inspect && marker is not null && buffer.AsSpan(0, read).IndexOf(marker) >= 0
                        && Interlocked.CompareExchange(ref _marker, null, marker) == marker;
                    if (lose)
                    {
                        muted.Value = true;
                    }

                    if (inspect || !muted.Value)
                    {
                        await output.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
                    }

                    if (lose)
                    {
                        // The statement and its Sync are on the server: it runs and commits whatever happens to the
                        // client. Give it time to, then drop both sides.
                        await Task.Delay(500, _stop.Token);
                        Interlocked.Increment(ref _lost);
                        from.Client.Close();
                        to.Client.Close();
                        break;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
            }
            finally
            {
                from.Dispose();
                to.Dispose();
            }
        }
    }

    private sealed class Flag
    {
        public volatile bool Value;
    }
}
