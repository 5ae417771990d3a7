using System.Globalization;
using System.Net;
using System.Text;
using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.Nodes;

public sealed partial class SeveralNodesTests
{
    [Fact]
    public async Task BehindHaproxyEachTenantsRetriedIdempotencyKeyReachesTheNodeThatTookItAndCountsOnce()
    {
        string db = UniqueName.For("haproxy");
        const int Tenants = 16, EventsPerBatch = 20;
        string[] keys = [.. Enumerable.Range(0, Tenants).Select(t => $"--FastIngest:Tenants:api{t:00}:ApiKeys:0={Key(t)}")];
        string[] behindProxy = ["--FastIngest:Http:KnownProxies:0=127.0.0.1", .. keys];
        await using ServerProcess first = await StartNodeAsync(db, behindProxy);
        await using ServerProcess second = await StartNodeAsync(db, behindProxy);
        await using HaproxyBalancer haproxy = await HaproxyBalancer.StartAsync([first, second]);

        // Each tenant posts a batch and retries it, as a client does when the answer was lost: the balancer
        // hashes the key (Authorization or X-Api-Key) to the node that remembers the Idempotency-Key.
        using var http = new HttpClient { BaseAddress = haproxy.ApiUri };
        for (int t = 0; t < Tenants; t++)
        {
            for (int attempt = 0; attempt < 2; attempt++)
            {
                using HttpResponseMessage answer = await PostBatchAsync(http, t, EventsPerBatch);
                Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
                Assert.Equal(attempt == 1, answer.Headers.Contains("Idempotent-Replayed"));
            }
        }

        // The pixel and TCP syslog frontends spread over both nodes too.
        using var pixel = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{haproxy.PixelPort}") };
        for (int i = 0; i < 40; i++)
        {
            using HttpResponseMessage hit = await pixel.GetAsync(new Uri("/p/acme/home.gif", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, hit.StatusCode);
        }

        var relayed = new NginxLines(seed: 21);
        await SendOverTcpAsync(haproxy.SyslogPort, relayed, connections: 4, linesPerConnection: 50);

        await TrafficTotals.WaitForRequestsAsync(clickHouse, db, 200, s_timeout);
        await Eventually.UntilAsync(() => ScalarAsync($"SELECT sum(events) FROM {db}.events_1m"), n => n >= Tenants * EventsPerBatch, s_timeout, "every batch's events in ClickHouse");
        await Eventually.UntilAsync(() => ScalarAsync($"SELECT sum(hits) FROM {db}.pixel_1m"), n => n >= 40 + relayed.AcmeHomePixelHits, s_timeout, "every pixel hit in ClickHouse");
        (double Events, double Hits, double Connections)[] nodes =
        [
            (await first.MetricAsync("fastingest_events_counted_total"), await first.MetricAsync("fastingest_pixel_requests_total"), await first.MetricAsync("fastingest_tcp_connections_total")),
            (await second.MetricAsync("fastingest_events_counted_total"), await second.MetricAsync("fastingest_pixel_requests_total"), await second.MetricAsync("fastingest_tcp_connections_total")),
        ];
        output.WriteLine($"nodes took (events, pixel hits, TCP connections): {string.Join(", ", nodes)}");
        Assert.All(nodes, n => Assert.True(n.Events > 0 && n.Hits > 0 && n.Connections > 0, $"every node must take a share: {string.Join(", ", nodes)}"));

        Assert.Equal(0, await first.TerminateAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, await second.TerminateAsync(TimeSpan.FromSeconds(30)));
        // Once per tenant, never twice: the retry found its key on the node that took the batch.
        Assert.Equal(
            Enumerable.Range(0, Tenants).Select(t => $"api{t:00} {EventsPerBatch}"),
            Tsv.Rows(await clickHouse.QueryAsync($"SELECT tenant, sum(events) FROM {db}.events_1m GROUP BY tenant ORDER BY tenant FORMAT TSV")).Select(r => $"{r[0]} {r[1]}"));
        // The GETs through the pixel frontend, and the relayed NGINX lines for /p/acme/home.gif (counted as hits too).
        Assert.Equal(40 + relayed.AcmeHomePixelHits, await ScalarAsync($"SELECT sum(hits) FROM {db}.pixel_1m"));
        await TrafficTotals.AssertAsync(clickHouse, db, relayed.Expected);
    }

    private static string Key(int tenant) => $"key-{tenant:00}-0123456789abcdef0123456789abcdef";

    /// <summary>Tenant <paramref name="tenant"/>'s batch under the key <c>batch-1</c>; even tenants send their key as a Bearer token, odd ones as X-Api-Key.</summary>
    private static async Task<HttpResponseMessage> PostBatchAsync(HttpClient http, int tenant, int events)
    {
        var body = new StringBuilder();
        for (int i = 0; i < events; i++)
        {
            body.Append(CultureInfo.InvariantCulture, $$"""{"site_id":"api{{tenant:00}}","event_type":"page_view","path":"/{{i % 3}}","user_id":"u{{i}}"}""").Append('\n');
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/ingest", UriKind.Relative))
        {
            Content = new StringContent(body.ToString(), Encoding.UTF8, "application/x-ndjson"),
        };
        request.Headers.Add("Idempotency-Key", "batch-1");
        if (tenant % 2 == 0)
        {
            request.Headers.Add("Authorization", "Bearer " + Key(tenant));
        }
        else
        {
            request.Headers.Add("X-Api-Key", Key(tenant));
        }

        return await http.SendAsync(request);
    }

    private async Task<long> ScalarAsync(string sql) =>
        long.Parse("0" + (await clickHouse.QueryAsync(sql + " FORMAT TSV")).Trim(), CultureInfo.InvariantCulture);
}
