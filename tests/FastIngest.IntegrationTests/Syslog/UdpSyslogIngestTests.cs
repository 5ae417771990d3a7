using System.Net;
using System.Net.Sockets;
using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Syslog;

[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed class UdpSyslogIngestTests(PrivateClickHouse clickHouse, ITestOutputHelper output)
{
    private const int Lines = 100_000;

    [Fact]
    public async Task HundredThousandLinesThenSigtermAreCountedExactly()
    {
        string db = UniqueName.For("udp");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db);
        var lines = new NginxLines(seed: 42);
        // Spread over six minutes, one line in 50 "late" by two minutes: buckets follow request time.
        long start = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 60_000 - 8) * 60_000;

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(new IPEndPoint(IPAddress.Loopback, server.UdpPort));
        for (int i = 0; i < Lines; i++)
        {
            string tenant = (i % 3) switch { 0 => "blog", _ => "shop_example" };
            long time = start + (long)i * 360_000 / Lines - (i % 50 == 0 ? 120_000 : 0);
            socket.Send(NginxLineBuilder.SyslogDatagram(tenant, lines.Line(tenant, time), withHostname: tenant != "blog"));
            if (i % 200 == 199)
            {
                // Pacing, not synchronisation: loopback UDP drops what the receiver cannot take yet, and this
                // test counts exactly, so it sends at a moderate rate (tens of thousands of datagrams per second).
                await Task.Delay(1);
            }
        }

        int exitCode = await server.TerminateAsync(TimeSpan.FromSeconds(60));
        output.WriteLine(server.Output);
        Assert.Equal(0, exitCode);

        Assert.Equal(Lines, lines.Expected.Values.Sum(t => t.Requests));
        // Every sum of both tenants, per minute (of request time, not arrival) and per status.
        await TrafficTotals.AssertAsync(clickHouse, db, lines.Expected);
    }

    [Fact]
    public async Task GarbageDatagramsLandInIngestErrorsAndChangeNoOtherCount()
    {
        string db = UniqueName.For("garbage");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db);
        var lines = new NginxLines(seed: 7);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var random = new Random(7);
        byte[] binary = new byte[300];
        random.NextBytes(binary);
        binary[0] = 0xFF;
        string good = new NginxLines(seed: 8).Line("shop", now); // never sent whole: not in the totals
        byte[] truncated = NginxLineBuilder.SyslogDatagram("shop", good[..(good.Length / 2)], withHostname: false);
        byte[] huge = NginxLineBuilder.SyslogDatagram("shop", new string('x', 60_000), withHostname: false);
        byte[] noStatus = NginxLineBuilder.SyslogDatagram("shop", new NginxLineBuilder().Msec(1_795_390_945_295).Set("status", "").ToJson(), withHostname: false);
        // Bodies are told apart by their first byte (issue 16): a cut combined line is combined that is broken.
        string combined = NginxLineBuilder.Combined("10.0.0.1", DateTimeOffset.UtcNow, "GET / HTTP/1.1", 200, 5, "", "curl/8");
        byte[] truncatedCombined = NginxLineBuilder.SyslogDatagram("shop", combined[..(combined.Length / 2)], withHostname: false);

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(new IPEndPoint(IPAddress.Loopback, server.UdpPort));
        foreach (byte[] bad in new[] { binary, truncated, Array.Empty<byte>(), huge, noStatus, truncatedCombined })
        {
            // Good lines before and after each bad one must still count.
            socket.Send(NginxLineBuilder.SyslogDatagram("shop", lines.Line("shop", now), withHostname: false));
            socket.Send(bad);
            socket.Send(NginxLineBuilder.SyslogDatagram("shop", lines.Line("shop", now), withHostname: false));
        }

        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
        output.WriteLine(server.Output);

        // The twelve good lines, and nothing of the bad ones: the cut JSON line is not_json, the cut combined
        // one not_combined, and 60,000 x's (neither JSON nor combined) unknown_format.
        await TrafficTotals.AssertAsync(clickHouse, db, lines.Expected);
        var errors = Tsv.Rows(await clickHouse.QueryAsync(
            $"SELECT reason, source, tenant, sum(count), max(length(sample)) FROM {db}.ingest_errors GROUP BY reason, source, tenant ORDER BY reason FORMAT TSV"));
        Assert.Equal(
            ["empty|udp||1", "missing_status|udp|shop|1", "not_combined|udp|shop|1", "not_json|udp|shop|1", "syslog_header|udp||1", "unknown_format|udp|shop|1"],
            errors.Select(r => $"{r[0]}|{r[1]}|{r[2]}|{r[3]}"));
        Assert.All(errors.Where(r => r[0] != "empty"), r => Assert.InRange(int.Parse(r[4]), 1, 512));
    }
}
