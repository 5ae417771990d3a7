using System.Net;
using System.Net.Sockets;
using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Syslog;

/// <summary>
/// <c>FastIngest:Syslog:AllowedSources</c> against the real server. Linux routes all of 127.0.0.0/8 to
/// loopback, so a sender bound to 127.0.0.2 is a second host to a server that allows only 127.0.0.1/32.
/// </summary>
[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed class SyslogFenceTests(PrivateClickHouse clickHouse, ITestOutputHelper output)
{
    private static readonly IPAddress s_outsider = IPAddress.Parse("127.0.0.2");
    private const string OnlyLoopbackOne = "--FastIngest:Syslog:AllowedSources:0=127.0.0.1/32";

    [Fact]
    public async Task DatagramsFromOutsideTheAllowedSourcesAreRefusedCountedAndNeverStored()
    {
        string db = UniqueName.For("fence_udp");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, OnlyLoopbackOne);
        const int Lines = 500;
        var lines = new NginxLines(seed: 14);
        var outsiderLines = new NginxLines(seed: 15);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using Socket outsider = UdpFrom(s_outsider, server.UdpPort);
        using Socket insider = UdpFrom(IPAddress.Loopback, server.UdpPort);
        for (int i = 0; i < Lines; i++)
        {
            outsider.Send(NginxLineBuilder.SyslogDatagram("outsider", outsiderLines.Line("outsider", now), withHostname: false));
            insider.Send(NginxLineBuilder.SyslogDatagram("blog", lines.Line("blog", now), withHostname: false));
            // Garbage from outside is refused before parsing too: no ingest_errors row.
            outsider.Send("not syslog at all"u8);
            if (i % 100 == 99)
            {
                await Task.Delay(1); // pacing: loopback UDP drops what the receiver cannot take yet
            }
        }

        await Eventually.UntilAsync(server.HealthAsync, h => h.Udp("refused_source") >= 2 * Lines && h.Udp("datagrams") >= Lines,
            TimeSpan.FromSeconds(60), "every datagram read (udp refused_source, datagrams)");
        Assert.Equal(2 * Lines, await server.MetricAsync("fastingest_syslog_refused_total{transport=\"udp\",reason=\"source\"}"));
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
        output.WriteLine(server.Output);

        await TrafficTotals.AssertAsync(clickHouse, db, lines.Expected);
        Assert.Equal("blog\t500", await TrafficTotals.RequestsPerTenantAsync(clickHouse, db));
        Assert.Equal("0", (await clickHouse.QueryAsync($"SELECT count() FROM {db}.ingest_errors FORMAT TSV")).Trim());
    }

    [Fact]
    public async Task TcpConnectionsFromOutsideTheAllowedSourcesAreClosedAtAcceptAndCounted()
    {
        string db = UniqueName.For("fence_tcp");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, OnlyLoopbackOne);
        var lines = new NginxLines(seed: 16);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        byte[] outsiderFrames = [.. Enumerable.Range(0, 100).SelectMany(_ =>
            SyslogFrames.OctetCounted(NginxLineBuilder.SyslogDatagram("outsider", new NginxLines(seed: 17).Line("outsider", now), withHostname: false)))];

        using (Socket outsider = await TcpFromAsync(s_outsider, server.TcpPort))
        {
            // The server closes at accept: whatever was sent, the read ends (FIN or reset), never with data.
            try
            {
                outsider.Send(outsiderFrames);
            }
            catch (SocketException)
            {
            }

            int read;
            try
            {
                read = await outsider.ReceiveAsync(new byte[16], SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (SocketException)
            {
                read = 0;
            }

            Assert.Equal(0, read);
        }

        using (Socket insider = await TcpFromAsync(IPAddress.Loopback, server.TcpPort))
        {
            for (int i = 0; i < 100; i++)
            {
                insider.Send(SyslogFrames.OctetCounted(NginxLineBuilder.SyslogDatagram("blog", lines.Line("blog", now), withHostname: false)));
            }

            insider.Shutdown(SocketShutdown.Send);
            await Eventually.UntilAsync(server.HealthAsync, h => h.Tcp("messages") >= 100, TimeSpan.FromSeconds(60), "100 TCP messages from 127.0.0.1");
        }

        ServerHealth health = await server.HealthAsync();
        Assert.Equal(1, health.Tcp("refused_source"));
        Assert.Equal(100, health.Tcp("messages"));
        Assert.Equal(1, await server.MetricAsync("fastingest_syslog_refused_total{transport=\"tcp\",reason=\"source\"}"));
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
        output.WriteLine(server.Output);
        Assert.Equal("blog\t100", await TrafficTotals.RequestsPerTenantAsync(clickHouse, db));
    }

    [Fact]
    public async Task AnUnfencedListenerOnEveryAddressWarnsOnceNamingTheSetting()
    {
        string db = UniqueName.For("fence_warn");
        // Loopback only (what ServerProcess binds): no warning.
        await using (ServerProcess quiet = await ServerProcess.StartAsync(clickHouse, db))
        {
            Assert.Equal(0, await quiet.TerminateAsync(TimeSpan.FromSeconds(60)));
            Assert.DoesNotContain("AllowedSources", quiet.Output, StringComparison.Ordinal);
        }

        await using ServerProcess open = await ServerProcess.StartAsync(clickHouse, db, "--FastIngest:Syslog:BindAddress=0.0.0.0");
        Assert.Equal(0, await open.TerminateAsync(TimeSpan.FromSeconds(60)));
        output.WriteLine(open.Output);
        Assert.Single(open.Output.Split('\n'), line => line.Contains("FastIngest:Syslog:AllowedSources", StringComparison.Ordinal));
    }

    private static Socket UdpFrom(IPAddress source, int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(source, 0));
        socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
        return socket;
    }

    private static async Task<Socket> TcpFromAsync(IPAddress source, int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(source, 0));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return socket;
    }
}
