using System.Net;
using System.Net.Sockets;
using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Syslog;

/// <summary>
/// Issue 13, item 3: a live door counts request times near its arrival only. Lines of 1970, 1974 and 2076
/// used to be counted into those minutes, each a ClickHouse partition of its own.
/// </summary>
[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed class TimeWindowTests(PrivateClickHouse clickHouse, ITestOutputHelper output)
{
    [Fact]
    public async Task TimesFarFromArrivalAreRefusedAsTimeOutOfRangeAndNormalLinesStillCountExactly()
    {
        string db = UniqueName.For("window");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db);
        var lines = new NginxLines(seed: 21);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var frames = new MemoryStream();
        void Add(string tenant, string line) => frames.Write(SyslogFrames.OctetCounted(NginxLineBuilder.SyslogDatagram(tenant, line, withHostname: false)));

        for (int i = 0; i < 300; i++)
        {
            string tenant = i % 2 == 0 ? "blog" : "shop_example";
            Add(tenant, lines.Line(tenant, now - (i * 1_000)));
            if (i == 100)
            {
                // Not recorded in lines.Expected: they must not count.
                Add("blog", new NginxLineBuilder().Msec(1).Set("status", 200).Set("bytes_sent", 10).Set("uri", "/old").ToJson());
                Add("blog", new NginxLineBuilder().Time(new DateTimeOffset(1974, 6, 1, 12, 0, 0, TimeSpan.Zero)).Set("status", 200).Set("bytes_sent", 10).ToJson());
                Add("shop_example", new NginxLineBuilder().Time(new DateTimeOffset(2076, 6, 1, 12, 0, 0, TimeSpan.Zero)).Set("status", 200).Set("bytes_sent", 10).ToJson());
            }
        }

        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, server.TcpPort);
            await client.GetStream().WriteAsync(frames.ToArray());
        }

        using var http = new HttpClient { BaseAddress = server.HttpUri };
        string metrics = await Eventually.UntilAsync(() => http.GetStringAsync(new Uri("/metrics", UriKind.Relative)),
            m => m.Contains("fastingest_rejected_total{source=\"tcp\",reason=\"time_out_of_range\"} 3\n", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "/metrics to count the three lines out of range");
        Assert.DoesNotContain("reason=\"invalid_time\"", metrics, StringComparison.Ordinal);

        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
        output.WriteLine(server.Output);
        Assert.Equal(300, lines.Expected.Values.Sum(t => t.Requests));
        await TrafficTotals.AssertAsync(clickHouse, db, lines.Expected);
        Assert.Equal("tcp\ttime_out_of_range\t3", (await clickHouse.QueryAsync($"SELECT source, reason, sum(count) FROM {db}.ingest_errors GROUP BY source, reason FORMAT TSV")).Trim());
        // No minute, and so no partition, far from now.
        Assert.Equal("0", (await clickHouse.QueryAsync($"SELECT count() FROM {db}.traffic_1m WHERE minute < now() - INTERVAL 3 DAY OR minute > now() + INTERVAL 1 DAY FORMAT TSV")).Trim());
    }
}
