using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Operations;

/// <summary>
/// alerts.yml in a real Prometheus (Debian's 2.42) scraping the real server every second: every metric
/// the rules read is exported, every rule evaluates without error, and the per-tenant expressions give
/// what was sent (the 5xx share and the cache hit ratio of an opted-in tenant).
/// </summary>
[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed partial class AlertRulesScrapeTests(PrivateClickHouse clickHouse, ITestOutputHelper output)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task PrometheusEvaluatesEveryRuleAndThePerTenantRatiosAreWhatWasSent()
    {
        string db = UniqueName.For("alerts");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db,
            "--FastIngest:Metrics:TenantLabels:0=alertshop", "--FastIngest:Metrics:TenantLabels:1=alertblog");
        await using PrometheusProcess prometheus = PrometheusProcess.Start($"127.0.0.1:{server.HttpPort}", AlertRulesTests.Rules);
        try
        {
            // The zeros first: a rate() needs a sample from before the traffic.
            await Eventually.TrueAsync(
                async () => (await prometheus.QueryAsync("fastingest_tenant_requests_total{tenant=\"alertshop\",class=\"5xx\"} == 0")).Count == 1,
                s_timeout, "Prometheus never scraped the listed tenant's zero series", TimeSpan.FromMilliseconds(250));

            // alertshop: 200 requests, 50 answered 503; 160 through the cache, 120 of them hits.
            // alertblog: 40 requests, none 5xx. A tenant not listed sends 5xx and must get no series.
            var frames = new MemoryStream();
            long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            for (int i = 0; i < 200; i++)
            {
                string cache = i < 120 ? "HIT" : i < 160 ? "MISS" : "";
                Send(frames, "alertshop", Line(now - i, i % 4 == 0 ? 503 : 200, cache));
            }

            for (int i = 0; i < 40; i++)
            {
                Send(frames, "alertblog", Line(now - i, 200, "MISS"));
                Send(frames, "alertflood" + i, Line(now - i, 500, "HIT"));
            }

            using (var client = new TcpClient { NoDelay = true })
            {
                await client.ConnectAsync(IPAddress.Loopback, server.TcpPort);
                await client.GetStream().WriteAsync(frames.ToArray());
            }

            await Eventually.TrueAsync(async () => await server.MetricAsync("fastingest_tenant_requests_total") == 240,
                s_timeout, "the server did not count the 240 requests of its listed tenants");

            double share = await SingleAsync(prometheus, "fastingest:tenant_5xx_ratio:rate5m{tenant=\"alertshop\"}", v => Math.Abs(v - 0.25) < 1e-9);
            Assert.Equal(0.25, share, 9);
            Assert.Equal(0, await SingleAsync(prometheus, "fastingest:tenant_5xx_ratio:rate5m{tenant=\"alertblog\"}", v => v == 0));
            Assert.Equal(0.75, await SingleAsync(prometheus, "fastingest:tenant_cache_hit_ratio:rate15m{tenant=\"alertshop\"}", v => Math.Abs(v - 0.75) < 1e-9), 9);
            Assert.Equal(0, await SingleAsync(prometheus, "fastingest:tenant_cache_hit_ratio:rate15m{tenant=\"alertblog\"}", v => v == 0));
            Assert.Empty(await prometheus.QueryAsync("{__name__=~\"fastingest_tenant_.*\",tenant=~\"alertflood.*\"}"));
            Assert.Equal(2, (await prometheus.QueryAsync("count by (tenant) (fastingest_tenant_requests_total)")).Count);

            // Every metric the rules read is one the server exports, so no rule is silently empty.
            HashSet<string> metrics = ExpressionMetrics(File.ReadAllLines(AlertRulesTests.Rules));
            Assert.Equal(8, metrics.Count);
            foreach (string metric in metrics)
            {
                Assert.True((await prometheus.QueryAsync($"count({metric})")).Count == 1, $"{metric} (read by alerts.yml) is not exported");
            }

            // Spool at 0 of its cap; nothing behind, nothing quarantined: each delivery rule's expression has its series.
            Assert.Equal(0, await SingleAsync(prometheus, "fastingest_spool_bytes / fastingest_spool_max_bytes", v => v == 0));

            // And every rule has been evaluated against the real series without an error.
            await Eventually.TrueAsync(async () => (await prometheus.RulesAsync()).All(r => r.Health == "ok"), s_timeout,
                "some rule is not healthy", TimeSpan.FromMilliseconds(250));
            IReadOnlyList<(string Name, string Health, string Error)> evaluated = await prometheus.RulesAsync();
            Assert.Equal(14, evaluated.Count);
            Assert.DoesNotContain(evaluated, r => r.Error.Length > 0);
            Assert.Empty(await prometheus.QueryAsync("ALERTS"));
        }
        catch
        {
            output.WriteLine(prometheus.Output);
            output.WriteLine(server.Output);
            throw;
        }
    }

    private static void Send(MemoryStream frames, string tenant, string line) =>
        frames.Write(SyslogFrames.OctetCounted(NginxLineBuilder.SyslogDatagram(tenant, line, withHostname: true)));

    private static string Line(long msec, int status, string cache) =>
        new NginxLineBuilder().Msec(msec).Set("status", status).Set("bytes_sent", 100).Set("request_method", "GET").Set("uri", "/a")
            .Set("upstream_cache_status", cache).Set("remote_addr", "198.51.100.7").ToJson();

    /// <summary>The one sample <paramref name="promql"/> returns once <paramref name="done"/> holds for it.</summary>
    private static async Task<double> SingleAsync(PrometheusProcess prometheus, string promql, Func<double, bool> done)
    {
        IReadOnlyList<(Dictionary<string, string> Labels, double Value)> samples = await Eventually.UntilAsync(
            () => prometheus.QueryAsync(promql), s => s.Count == 1 && done(s[0].Value), s_timeout,
            $"{promql} never gave the expected value", TimeSpan.FromMilliseconds(250));
        return samples[0].Value;
    }

    /// <summary>The fastingest_* names in the rules' expressions (not in their annotations).</summary>
    private static HashSet<string> ExpressionMetrics(string[] lines)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        bool inExpression = false;
        foreach (string line in lines)
        {
            string trimmed = line.TrimStart();
            if (trimmed.StartsWith("expr:", StringComparison.Ordinal))
            {
                inExpression = true;
            }
            else if (Regex.IsMatch(trimmed, @"^(- )?[a-z_]+:(\s|$)", RegexOptions.None, TimeSpan.FromSeconds(1)))
            {
                inExpression = false;
            }

            if (inExpression)
            {
                names.UnionWith(MetricName().Matches(line).Select(m => m.Value));
            }
        }

        return names;
    }

    [GeneratedRegex(@"\bfastingest_[a-z_]+\b")]
    private static partial Regex MetricName();
}
