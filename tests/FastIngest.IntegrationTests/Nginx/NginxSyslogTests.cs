using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Nginx;

/// <summary>
/// Real NGINX with the repository's config ships its log over UDP syslog; ClickHouse must then hold
/// exactly what NGINX wrote to its own file log, tenant by tenant.
/// </summary>
[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed class NginxSyslogTests(PrivateClickHouse clickHouse, ITestOutputHelper output)
{
    [Fact]
    public async Task ClickHouseSumsEqualNginxOwnAccessLog()
    {
        string db = UniqueName.For("nginx");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db);
        await using NginxProcess nginx = await NginxProcess.StartAsync(server.UdpPort);

        using var http = new HttpClient();
        string[] shopPaths = ["/media/a.webp", "/media/b.webp", "/api/cart?id=1", "/err/x", "/nope", "/p/acme/home.gif", "/robots.txt"];
        string[] blogPaths = ["/posts/1", "/posts/caf%C3%A9", "/missing", "/robots.txt"];
        for (int i = 0; i < 140; i++)
        {
            await Get(http, nginx.ShopPort, shopPaths[i % shopPaths.Length]);
            if (i % 2 == 0)
            {
                await Get(http, nginx.BlogPort, blogPaths[i / 2 % blogPaths.Length]);
            }
        }

        var expected = new Dictionary<string, TenantTotals>
        {
            // 140 requests to the shop; 70 to the blog plus NginxProcess's readiness probe.
            ["shop"] = TenantTotals.OfJsonLines(await nginx.AccessLogLinesAsync("shop", 140)),
            ["blog"] = TenantTotals.OfJsonLines(await nginx.AccessLogLinesAsync("blog", 71)),
        };
        Assert.True(expected["shop"].CacheHit > 0 && expected["shop"].Statuses.ContainsKey(503));

        // Flushes happen every second: wait until every line NGINX logged is counted, then stop the server
        // so that every table has all of it (each table is an insert of its own).
        long total = expected.Values.Sum(t => t.Requests);
        output.WriteLine($"NGINX logged {total} lines");
        await TrafficTotals.WaitForRequestsAsync(clickHouse, db, total, TimeSpan.FromSeconds(20));
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        await TrafficTotals.AssertAsync(clickHouse, db, expected);
        Assert.Equal("0\n", await clickHouse.QueryAsync($"SELECT count() FROM {db}.ingest_errors FORMAT TSV"));
    }

    [Fact]
    public async Task NginxServedPixelsCountAsPixelHitsAndItsTrafficGivesVisitors()
    {
        string db = UniqueName.For("nginxpx");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db);
        await using NginxProcess nginx = await NginxProcess.StartAsync(server.UdpPort);

        // Everyone is 127.0.0.1 here: five agents are five visitors, two of whom opt out.
        using var http = new HttpClient();
        for (int i = 0; i < 50; i++)
        {
            int agent = i % 5;
            string path = i % 10 == 9 ? "/p/acme/cart.gif" : "/p/acme/home.gif";
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{nginx.ShopPort}{path}"));
            request.Headers.TryAddWithoutValidation("User-Agent", $"Agent/{agent}");
            if (agent >= 3)
            {
                request.Headers.TryAddWithoutValidation(agent == 3 ? "DNT" : "Sec-GPC", "1");
            }

            using HttpResponseMessage response = await http.SendAsync(request);
            Assert.Equal("image/gif", response.Content.Headers.ContentType?.MediaType);
        }

        int lines = (await nginx.AccessLogLinesAsync("shop", 50)).Length;
        Assert.Equal(50, lines);
        await TrafficTotals.WaitForRequestsAsync(clickHouse, db, 50, TimeSpan.FromSeconds(20), "shop");

        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(
            "cart\t5\nhome\t45",
            (await clickHouse.QueryAsync($"SELECT key, sum(hits) FROM {db}.pixel_1m WHERE tenant = 'acme' GROUP BY key ORDER BY key FORMAT TSV")).Trim());
        // Agents 0-2 hit both keys (i % 10 == 9 is agent 4, so cart's only visitor opted out).
        Assert.Equal(
            "acme\thome\t3\nshop\t\t3",
            (await clickHouse.QueryAsync(
                $"SELECT tenant, key, uniqMerge(visitors) FROM {db}.visitors_1d WHERE tenant IN ('acme', 'shop') GROUP BY tenant, key ORDER BY tenant, key FORMAT TSV")).Trim());
    }

    private static async Task Get(HttpClient http, int port, string path)
    {
        using HttpResponseMessage response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}{path}"));
        await response.Content.ReadAsByteArrayAsync();
    }
}
