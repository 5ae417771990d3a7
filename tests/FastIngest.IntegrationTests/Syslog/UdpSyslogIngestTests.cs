using System.Net;
using System.Net.Sockets;
using System.Text;
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
        string db = "udp_" + Guid.NewGuid().ToString("N")[..8];
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
                await Task.Delay(1); // a moderate rate: tens of thousands of datagrams per second
            }
        }

        int exitCode = await server.TerminateAsync(TimeSpan.FromSeconds(60));
        output.WriteLine(server.Output);
        Assert.Equal(0, exitCode);

        var traffic = Tsv.Rows(await clickHouse.QueryAsync(
            $"SELECT tenant, sum(requests), sum(bytes_sent), sum(body_bytes_sent), sum(status_2xx), sum(status_3xx), sum(status_4xx), sum(status_5xx), " +
            $"sum(cache_hit), sum(cache_miss), sum(request_time_sum_ms), sum(request_time_count) FROM {db}.traffic_1m GROUP BY tenant ORDER BY tenant FORMAT TSV"));
        Assert.Equal(["blog", "shop_example"], traffic.Select(r => r[0]));
        foreach (string[] row in traffic)
        {
            TenantTotals expected = lines.Expected[row[0]];
            Assert.Equal(expected.Requests, long.Parse(row[1]));
            Assert.Equal(expected.BytesSent, long.Parse(row[2]));
            Assert.Equal(expected.BodyBytesSent, long.Parse(row[3]));
            Assert.Equal(expected.StatusClass(2), long.Parse(row[4]));
            Assert.Equal(expected.StatusClass(3), long.Parse(row[5]));
            Assert.Equal(expected.StatusClass(4), long.Parse(row[6]));
            Assert.Equal(expected.StatusClass(5), long.Parse(row[7]));
            Assert.Equal(expected.CacheHit, long.Parse(row[8]));
            Assert.Equal(expected.CacheMiss, long.Parse(row[9]));
            Assert.Equal(expected.RequestTimeSumMs, long.Parse(row[10]));
            Assert.Equal(expected.Requests, long.Parse(row[11]));
        }

        Assert.Equal(Lines, lines.Expected.Values.Sum(t => t.Requests));

        foreach (string tenant in lines.Expected.Keys)
        {
            var perMinute = Tsv.Rows(await clickHouse.QueryAsync(
                $"SELECT toUInt32(minute), sum(requests) FROM {db}.traffic_1m WHERE tenant = '{tenant}' GROUP BY minute ORDER BY minute FORMAT TSV"));
            Assert.Equal(
                lines.Expected[tenant].RequestsPerMinute.Select(p => $"{p.Key}={p.Value}"),
                perMinute.Select(r => $"{r[0]}={r[1]}"));

            var statuses = Tsv.Rows(await clickHouse.QueryAsync(
                $"SELECT status, sum(requests) FROM {db}.status_1m WHERE tenant = '{tenant}' GROUP BY status ORDER BY status FORMAT TSV"));
            Assert.Equal(
                lines.Expected[tenant].Statuses.Select(p => $"{p.Key}={p.Value}"),
                statuses.Select(r => $"{r[0]}={r[1]}"));
        }
    }

    [Fact]
    public async Task GarbageDatagramsLandInIngestErrorsAndChangeNoOtherCount()
    {
        string db = "garbage_" + Guid.NewGuid().ToString("N")[..8];
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

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(new IPEndPoint(IPAddress.Loopback, server.UdpPort));
        int goodLines = 0;
        foreach (byte[] bad in new[] { binary, truncated, Array.Empty<byte>(), huge, noStatus })
        {
            // Good lines before and after each bad one must still count.
            socket.Send(NginxLineBuilder.SyslogDatagram("shop", lines.Line("shop", now), withHostname: false));
            socket.Send(bad);
            socket.Send(NginxLineBuilder.SyslogDatagram("shop", lines.Line("shop", now), withHostname: false));
            goodLines += 2;
        }

        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
        output.WriteLine(server.Output);

        Assert.Equal($"{goodLines}\t{lines.Expected["shop"].BytesSent}\n",
            await clickHouse.QueryAsync($"SELECT sum(requests), sum(bytes_sent) FROM {db}.traffic_1m FORMAT TSV"));
        var errors = Tsv.Rows(await clickHouse.QueryAsync(
            $"SELECT reason, source, tenant, sum(count), max(length(sample)) FROM {db}.ingest_errors GROUP BY reason, source, tenant ORDER BY reason FORMAT TSV"));
        Assert.Equal(
            ["empty|udp||1", "missing_status|udp|shop|1", "not_json|udp|shop|2", "syslog_header|udp||1"],
            errors.Select(r => $"{r[0]}|{r[1]}|{r[2]}|{r[3]}"));
        Assert.All(errors.Where(r => r[0] != "empty"), r => Assert.InRange(int.Parse(r[4]), 1, 512));
    }
}
