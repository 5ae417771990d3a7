using System.Net;
using System.Net.Sockets;
using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Syslog;

[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed class TcpSyslogIngestTests(PrivateClickHouse clickHouse, ITestOutputHelper output)
{
    [Fact]
    public async Task MixedFramingSplitAnywhereOverManyConnectionsIsCountedExactly()
    {
        string db = UniqueName.For("tcp");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db);
        var lines = new NginxLines(seed: 7);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        // Five styles of peer: octet counting, LF, CRLF and NUL trailers (2,000 messages each in odd-sized
        // writes), and a peer that sends 100 octet-counted messages one byte at a time.
        var streams = new List<byte[]>();
        string[] styles = ["octet", "lf", "crlf", "nul", "octet-bytewise"];
        foreach (string style in styles)
        {
            var stream = new MemoryStream();
            int count = style == "octet-bytewise" ? 100 : 2_000;
            for (int i = 0; i < count; i++)
            {
                string tenant = i % 2 == 0 ? "blog" : "shop_example";
                byte[] message = NginxLineBuilder.SyslogDatagram(tenant, lines.Line(tenant, now - i), withHostname: i % 3 == 0);
                stream.Write(style switch
                {
                    "lf" => SyslogFrames.Trailed(message),
                    "crlf" => SyslogFrames.Trailed(message, "\r\n"),
                    "nul" => SyslogFrames.Trailed(message, "\0"),
                    _ => SyslogFrames.OctetCounted(message),
                });
            }

            streams.Add(stream.ToArray());
        }

        await Task.WhenAll(streams.Select(async (bytes, index) =>
        {
            using var client = new TcpClient();
            client.NoDelay = true;
            await client.ConnectAsync(IPAddress.Loopback, server.TcpPort);
            NetworkStream stream = client.GetStream();
            if (styles[index] == "octet-bytewise")
            {
                for (int i = 0; i < bytes.Length; i++)
                {
                    await stream.WriteAsync(bytes.AsMemory(i, 1));
                }
            }
            else
            {
                // Odd-sized writes split messages and their length prefixes across reads.
                for (int at = 0; at < bytes.Length; at += 7_919)
                {
                    await stream.WriteAsync(bytes.AsMemory(at, Math.Min(7_919, bytes.Length - at)));
                }
            }
        }));

        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
        output.WriteLine(server.Output);
        Assert.Equal(8_100, lines.Expected.Values.Sum(t => t.Requests));
        await TrafficTotals.AssertAsync(clickHouse, db, lines.Expected);
        Assert.Equal("0", (await clickHouse.QueryAsync($"SELECT count() FROM {db}.ingest_errors FORMAT TSV")).Trim());
    }

    [Theory]
    [InlineData("octet")]
    [InlineData("lf")]
    public async Task AOneMegabyteMessageIsAnErrorAndTheNextMessageOnTheSameConnectionCounts(string framing)
    {
        string db = UniqueName.For("tcp");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        // A valid line but for its size, from its own generator: it must not count.
        string huge = new NginxLines(seed: 11).Line("blog", now).Replace("\"args\":\"q=1\"", "\"args\":\"" + new string('x', 1 << 20) + "\"", StringComparison.Ordinal);
        byte[] big = NginxLineBuilder.SyslogDatagram("blog", huge, withHostname: false);
        Assert.True(big.Length > 1 << 20);
        var lines = new NginxLines(seed: 13);

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, server.TcpPort);
        NetworkStream stream = client.GetStream();
        Func<byte[], byte[]> frame = framing == "octet" ? SyslogFrames.OctetCounted : m => SyslogFrames.Trailed(m);
        await stream.WriteAsync(frame(NginxLineBuilder.SyslogDatagram("blog", lines.Line("blog", now), withHostname: false)));
        await stream.WriteAsync(frame(big));
        await stream.WriteAsync(frame(NginxLineBuilder.SyslogDatagram("blog", lines.Line("blog", now), withHostname: false)));
        await stream.FlushAsync();

        // The same connection stays usable: wait for both good lines to be counted before closing.
        await Eventually.UntilAsync(server.HealthAsync, health => health.Tcp("too_large") == 1 && health.LinesCounted == 2, TimeSpan.FromSeconds(10),
            "/health to show the 1 MB message too large and both good lines counted");
        Assert.True(client.Connected);
        client.Close();
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
        output.WriteLine(server.Output);
        Assert.Equal(2, await TrafficTotals.RequestsAsync(clickHouse, db, "blog"));
        await TrafficTotals.AssertAsync(clickHouse, db, lines.Expected);
        Assert.Equal("tcp\tmessage_too_large\t1", (await clickHouse.QueryAsync($"SELECT source, reason, sum(count) FROM {db}.ingest_errors GROUP BY source, reason FORMAT TSV")).Trim());
    }

    [Fact]
    public async Task ThreeThousandConcurrentConnectionsAreAllCounted()
    {
        string db = UniqueName.For("tcp");
        // Every client is 127.0.0.1 here, and all connect before any sends: lift the per-address cap and the
        // first-frame deadline, which have tests of their own (TcpSyslogSlowClientsTests).
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db,
            "--FastIngest:Syslog:MaxConnectionsPerAddress=3000", "--FastIngest:Syslog:FrameTimeout=00:05:00");
        const int Connections = 3_000;
        const int PerConnection = 3;
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        byte[] message = SyslogFrames.OctetCounted(NginxLineBuilder.SyslogDatagram("many", new NginxLines(seed: 1).Line("many", now), withHostname: false));

        var clients = new List<TcpClient>();
        try
        {
            // All connected at once first, then all sending: the server holds them open together.
            for (int i = 0; i < Connections; i++)
            {
                var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, server.TcpPort);
                clients.Add(client);
            }

            await Eventually.UntilAsync(server.HealthAsync, health => health.Tcp("open_connections") == Connections, TimeSpan.FromSeconds(30),
                $"/health to show {Connections} open connections");

            await Task.WhenAll(clients.Select(async client =>
            {
                for (int i = 0; i < PerConnection; i++)
                {
                    await client.GetStream().WriteAsync(message);
                }
            }));
        }
        finally
        {
            foreach (TcpClient client in clients)
            {
                client.Dispose();
            }
        }

        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
        output.WriteLine(server.Output);
        Assert.Equal(Connections * PerConnection, await TrafficTotals.RequestsAsync(clickHouse, db, "many"));
    }

    [Fact]
    public async Task SigtermWithPeersStillConnectedCountsWhatTheySentAndExitsCleanly()
    {
        string db = UniqueName.For("tcp");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db);
        var lines = new NginxLines(seed: 21);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, server.TcpPort);
        for (int i = 0; i < 500; i++)
        {
            await client.GetStream().WriteAsync(SyslogFrames.OctetCounted(NginxLineBuilder.SyslogDatagram("blog", lines.Line("blog", now), withHostname: false)));
        }

        // The connection stays open: Kestrel asks the handler to finish, which keeps what it read.
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
        output.WriteLine(server.Output);
        await TrafficTotals.AssertAsync(clickHouse, db, lines.Expected);
        Assert.Equal(500, await TrafficTotals.RequestsAsync(clickHouse, db, "blog"));
    }

    [Fact]
    public async Task ConnectionsPastTheCapAreRefusedAndIdleOnesAreClosed()
    {
        string db = UniqueName.For("tcp");
        await using ServerProcess server = await ServerProcess.StartAsync(
            clickHouse, db, "--FastIngest:Syslog:TcpMaxConnections=2", "--FastIngest:Syslog:TcpIdleTimeout=00:00:01");
        using var first = new TcpClient();
        using var second = new TcpClient();
        using var third = new TcpClient();
        // Idle is measured from the connect (the last thing the first two send), not from the third's
        // refusal: under load the wait for /health below can take most of the idle second.
        var sinceConnect = System.Diagnostics.Stopwatch.StartNew();
        await first.ConnectAsync(IPAddress.Loopback, server.TcpPort);
        await second.ConnectAsync(IPAddress.Loopback, server.TcpPort);
        // Both accepted before the third arrives.
        await Eventually.UntilAsync(server.HealthAsync, health => health.Tcp("open_connections") == 2, TimeSpan.FromSeconds(10),
            "/health to show the first two connections open");
        await third.ConnectAsync(IPAddress.Loopback, server.TcpPort);

        // The third is closed at once; the first two after a second of silence (read returns 0 = closed).
        var buffer = new byte[16];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(0, await third.GetStream().ReadAsync(buffer, timeout.Token));
        TimeSpan refusedAfter = watch.Elapsed;
        Assert.Equal(0, await first.GetStream().ReadAsync(buffer, timeout.Token));
        Assert.Equal(0, await second.GetStream().ReadAsync(buffer, timeout.Token));
        Assert.True(refusedAfter < TimeSpan.FromSeconds(0.9), $"refused after {refusedAfter}");
        Assert.True(sinceConnect.Elapsed >= TimeSpan.FromSeconds(0.9), $"idle connections closed {sinceConnect.Elapsed} after they connected");

        ServerHealth health = await server.HealthAsync();
        Assert.Equal((Refused: 1, Open: 0), (Refused: health.Tcp("refused"), Open: health.Tcp("open_connections")));
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("refused: 2 connections are open", server.Output, StringComparison.Ordinal);
        Assert.Contains("closed after 00:00:01 idle", server.Output, StringComparison.Ordinal);
    }
}
