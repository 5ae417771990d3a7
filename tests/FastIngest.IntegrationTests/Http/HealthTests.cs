using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.Http;

[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed partial class HealthTests(PrivateClickHouse clickHouse)
{
    [Fact]
    public async Task HealthShowsClickHouseAndEveryShardAndTurnsDegradedWhenClickHouseIsGone()
    {
        string db = UniqueName.For("health");
        await using (ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, "--FastIngest:Aggregation:Shards=3"))
        {
            ServerHealth health = await server.HealthAsync();
            Assert.Equal(HttpStatusCode.OK, health.Status);
            Assert.Equal("healthy", health.Body.GetProperty("status").GetString());
            Assert.True(health.Body.GetProperty("clickhouse").GetProperty("reachable").GetBoolean());
            Assert.Equal([0, 1, 2], health.Body.GetProperty("shards").EnumerateArray().Select(s => s.GetProperty("id").GetInt32()));
            Assert.All(health.Body.GetProperty("shards").EnumerateArray(), s => Assert.Equal(0, s.GetProperty("queue_depth").GetInt32()));
        }

        // A ClickHouse that is not there: still serving (inserts queue), but it says so.
        int nothing = FreePorts.Tcp();
        await using (ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, $"--FastIngest:ClickHouse:Url=http://127.0.0.1:{nothing}"))
        {
            ServerHealth health = await server.HealthAsync();
            Assert.Equal(HttpStatusCode.OK, health.Status);
            Assert.Equal("degraded", health.Body.GetProperty("status").GetString());
            Assert.False(health.Body.GetProperty("clickhouse").GetProperty("reachable").GetBoolean());
        }
    }

    [Fact]
    public async Task MetricsAreValidPrometheusTextAndCountWhatCameIn()
    {
        string db = UniqueName.For("metrics");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db);
        var lines = new NginxLines(seed: 4);
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            socket.Connect(new IPEndPoint(IPAddress.Loopback, server.UdpPort));
            for (int i = 0; i < 10; i++)
            {
                socket.Send(NginxLineBuilder.SyslogDatagram("blog", lines.Line("blog", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), withHostname: false));
            }

            for (int i = 0; i < 3; i++)
            {
                socket.Send("<13>Nov 23 06:42:25 blog: {not json"u8.ToArray());
            }
        }

        using var http = new HttpClient { BaseAddress = server.HttpUri };
        // Lines count at the shards' next flush (every second); rejects as they arrive.
        string metrics = await Eventually.UntilAsync(() => http.GetStringAsync(new Uri("/metrics", UriKind.Relative)), m => LinesCounted(m) >= 10, TimeSpan.FromSeconds(10),
            "/metrics to count the 10 lines");

        Assert.Contains("fastingest_udp_datagrams_total 13\n", metrics, StringComparison.Ordinal);
        Assert.Contains("fastingest_rejected_total{source=\"udp\",reason=\"not_json\"} 3\n", metrics, StringComparison.Ordinal);
        Assert.Equal(10, LinesCounted(metrics));
        // One sample per receive socket (Syslog:UdpReceivers, one per processor by default), none dropped.
        string[] drops = [.. metrics.Split('\n').Where(l => l.StartsWith("fastingest_udp_kernel_drops_total", StringComparison.Ordinal))];
        Assert.Equal(Environment.ProcessorCount, drops.Length);
        Assert.All(drops, d => Assert.Matches(@"^fastingest_udp_kernel_drops_total\{socket=""[0-9]+""\} 0$", d));
        foreach (string line in metrics.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.True(line.StartsWith("# HELP ", StringComparison.Ordinal) || line.StartsWith("# TYPE ", StringComparison.Ordinal) || SampleLine().IsMatch(line), line);
        }
    }

    private static int LinesCounted(string metrics) =>
        SampleLine().Matches(metrics).Where(m => m.Groups["name"].Value == "fastingest_lines_counted_total")
            .Sum(m => (int)double.Parse(m.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^(?<name>[a-z_]+)(\{[a-z_]+=""[^""]*""(,[a-z_]+=""[^""]*"")*\})? (?<value>-?[0-9.eE+]+)$", RegexOptions.Multiline)]
    private static partial Regex SampleLine();
}
