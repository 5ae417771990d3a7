using System.Net;
using System.Net.Sockets;
using System.Text;
using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Syslog;

/// <summary>
/// Ten thousand TCP clients that never finish a frame, against the real server: the per-address cap
/// keeps a few addresses from taking every slot, and the frame deadline frees the slots of many. Linux
/// routes all of 127.0.0.0/8 to loopback, so the clients come from as many source addresses as needed.
/// </summary>
/// <remarks>
/// The test process holds the 10,000 client sockets (ulimit -n is 20,000 here; the server holds at most
/// as many as it admits). Connects run 128 at a time, under Kestrel's accept backlog of 512.
/// </remarks>
[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed class TcpSyslogSlowClientsTests(PrivateClickHouse clickHouse, ITestOutputHelper output)
{
    private const int Clients = 10_000;
    private const int RealLines = 1_000;

    [Fact]
    public async Task TenThousandTricklersFromTwentyAddressesDoNotKeepARealSenderOut()
    {
        string db = UniqueName.For("tcp_per_address");
        // A long frame deadline: the tricklers stay connected for the whole test; the per-address cap
        // (64, the default) alone keeps them to 20 × 64 slots of the 10,000.
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, "--FastIngest:Syslog:FrameTimeout=00:10:00");
        const int Addresses = 20;
        const int Admitted = Addresses * 64;
        using var tricklers = await SlowClients.ConnectAsync(server.TcpPort, Clients, Addresses, firstAddress: 2 << 8);
        await Eventually.UntilAsync(server.HealthAsync, h => h.Tcp("open_connections") == Admitted && h.Tcp("refused_per_address") == Clients - Admitted,
            TimeSpan.FromSeconds(180), $"{Admitted} tricklers admitted and {Clients - Admitted} refused at accept (health)");

        var lines = new NginxLines(seed: 140);
        await SendLinesAsync(server.TcpPort, lines, RealLines);
        ServerHealth health = await Eventually.UntilAsync(server.HealthAsync, h => h.Tcp("messages") >= RealLines,
            TimeSpan.FromSeconds(60), $"{RealLines} messages of the real sender");

        // Counted while every admitted trickler still held its slot (the sender's own may not be closed yet).
        Assert.InRange(health.Tcp("open_connections"), Admitted, Admitted + 1);
        Assert.InRange(health.Tcp("addresses"), Addresses, Addresses + 1);
        Assert.Equal(RealLines, health.Tcp("messages"));
        Assert.Equal(0, health.Tcp("refused"));
        Assert.Equal(Clients - Admitted, await server.MetricAsync("fastingest_syslog_refused_total{transport=\"tcp\",reason=\"per_address\"}"));
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(120)));
        output.WriteLine(Tail(server.Output));

        Assert.Equal(RealLines, await TrafficTotals.RequestsAsync(clickHouse, db));
        await TrafficTotals.AssertAsync(clickHouse, db, lines.Expected);
    }

    [Fact]
    public async Task TenThousandTricklersAreClosedAfterTheFrameDeadlineAndARealSenderCounts()
    {
        string db = UniqueName.For("tcp_frame_deadline");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, "--FastIngest:Syslog:FrameTimeout=00:00:02");
        // 50 per address, under the per-address cap: only the frame deadline can free these slots.
        const int Addresses = 200;
        using var tricklers = await SlowClients.ConnectAsync(server.TcpPort, Clients, Addresses, firstAddress: 3 << 8);
        using var trickling = new CancellationTokenSource();
        Task trickle = tricklers.TrickleAsync(trickling.Token);

        ServerHealth health = await Eventually.UntilAsync(server.HealthAsync, h => h.Tcp("frame_timeouts") >= Clients && h.Tcp("open_connections") == 0,
            TimeSpan.FromSeconds(180), $"all {Clients} tricklers closed by the frame deadline (health)");
        await trickling.CancelAsync();
        await trickle;
        Assert.Equal(Clients, health.Tcp("frame_timeouts"));
        Assert.Equal(Clients, health.Tcp("connections"));
        Assert.Equal(0, health.Tcp("refused") + health.Tcp("refused_per_address"));
        Assert.Equal(0, health.Tcp("messages"));
        Assert.Equal(0, health.Tcp("addresses"));
        Assert.Equal(Clients, await server.MetricAsync("fastingest_tcp_frame_timeouts_total"));
        // The clients saw it: a trickler's next byte fails, a silent one reads the end of the stream.
        Assert.Equal(Clients, await tricklers.CountClosedAsync());

        var lines = new NginxLines(seed: 141);
        await SendLinesAsync(server.TcpPort, lines, RealLines);
        await Eventually.UntilAsync(server.HealthAsync, h => h.Tcp("messages") >= RealLines, TimeSpan.FromSeconds(60), $"{RealLines} messages of the real sender");
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(120)));
        output.WriteLine(Tail(server.Output));

        Assert.Equal(RealLines, await TrafficTotals.RequestsAsync(clickHouse, db));
        await TrafficTotals.AssertAsync(clickHouse, db, lines.Expected);
        Assert.Equal("0", (await clickHouse.QueryAsync($"SELECT count() FROM {db}.ingest_errors FORMAT TSV")).Trim());
    }

    /// <summary>A real sender from 127.0.0.1: octet-counted NGINX lines over one connection, then FIN.</summary>
    private static async Task SendLinesAsync(int port, NginxLines lines, int count)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        sender.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await sender.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        var frames = new List<byte>();
        for (int i = 0; i < count; i++)
        {
            frames.AddRange(SyslogFrames.OctetCounted(NginxLineBuilder.SyslogDatagram("blog", lines.Line("blog", now - i), withHostname: false)));
        }

        await sender.SendAsync(frames.ToArray());
        sender.Shutdown(SocketShutdown.Send);
    }

    private static string Tail(string text) => text.Length > 20_000 ? text[^20_000..] : text;

    /// <summary>
    /// Clients that open a frame and never finish it: a third send nothing, a third the start of a frame
    /// once, a third a byte at a time. Each announces 60,000 bytes (under MaxMessageBytes) by octet counting.
    /// </summary>
    private sealed class SlowClients : IDisposable
    {
        private static readonly byte[] s_frameStart = Encoding.ASCII.GetBytes("60000 <13>Nov 25 10:00:00 evil: {\"msec\":\"");

        private readonly Socket[] _sockets;
        private readonly int[] _sent;

        private SlowClients(Socket[] sockets)
        {
            _sockets = sockets;
            _sent = new int[sockets.Length];
        }

        /// <summary>
        /// Connects <paramref name="count"/> clients, spread evenly over <paramref name="addresses"/> source
        /// addresses 127.0.x.y counting up from 127.0.0.0 + <paramref name="firstAddress"/>.
        /// </summary>
        public static async Task<SlowClients> ConnectAsync(int port, int count, int addresses, int firstAddress)
        {
            var sockets = new Socket[count];
            var clients = new SlowClients(sockets);
            using var gate = new SemaphoreSlim(128);
            var target = new IPEndPoint(IPAddress.Loopback, port);
            await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
            {
                await gate.WaitAsync();
                try
                {
                    int host = firstAddress + (i % addresses);
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    socket.Bind(new IPEndPoint(new IPAddress(new byte[] { 127, 0, (byte)(host >> 8), (byte)host }), 0));
                    sockets[i] = socket;
                    await socket.ConnectAsync(target);
                    if (i % 3 == 1)
                    {
                        clients.TrySend(i, s_frameStart.Length);
                    }
                }
                finally
                {
                    gate.Release();
                }
            }));
            return clients;
        }

        /// <summary>One more byte of its frame from every third client, every half second, until cancelled.</summary>
        public async Task TrickleAsync(CancellationToken cancellationToken)
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                for (int i = 2; i < _sockets.Length; i += 3)
                {
                    TrySend(i, 1);
                }

                try
                {
                    // The trickle's pace (the behaviour under test), not a wait for a condition.
                    await Task.Delay(500, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }

        /// <summary>How many clients find their connection closed by the server: a read ends or fails.</summary>
        public async Task<int> CountClosedAsync()
        {
            int closed = 0;
            var buffer = new byte[16];
            foreach (Socket socket in _sockets)
            {
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    if (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) == 0)
                    {
                        closed++;
                    }
                }
                catch (SocketException)
                {
                    closed++;
                }
                catch (OperationCanceledException)
                {
                    // Still open: not counted.
                }
            }

            return closed;
        }

        public void Dispose()
        {
            foreach (Socket? socket in _sockets)
            {
                socket?.Dispose();
            }
        }

        private void TrySend(int client, int bytes)
        {
            int from = _sent[client];
            if (from + bytes > s_frameStart.Length)
            {
                return; // never more than the frame's start: the frame stays incomplete
            }

            try
            {
                // Non-blocking: a refused or closed connection fails here, and the client stops.
                _sockets[client].Send(s_frameStart, from, bytes, SocketFlags.None);
                _sent[client] = from + bytes;
            }
            catch (SocketException)
            {
                _sent[client] = int.MaxValue / 2;
            }
        }
    }
}
