using System.Text.Json;
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
        string db = "nginx_" + Guid.NewGuid().ToString("N")[..8];
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

        var expected = new Dictionary<string, FileTotals>
        {
            // 140 requests to the shop; 70 to the blog plus NginxProcess's readiness probe.
            ["shop"] = FileTotals.Of(await nginx.AccessLogLinesAsync("shop", 140)),
            ["blog"] = FileTotals.Of(await nginx.AccessLogLinesAsync("blog", 71)),
        };
        Assert.True(expected["shop"].CacheHit > 0 && expected["shop"].Statuses.ContainsKey(503));

        // Flushes happen every second; poll until every line NGINX logged is in ClickHouse.
        long total = expected.Values.Sum(t => t.Requests);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        string counted = "";
        while (DateTime.UtcNow < deadline)
        {
            counted = await clickHouse.QueryAsync($"SELECT sum(requests) FROM {db}.traffic_1m FORMAT TSV");
            if (counted.Trim() == total.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                break;
            }

            await Task.Delay(200);
        }

        output.WriteLine($"NGINX logged {total} lines; ClickHouse counted {counted.Trim()}");
        foreach ((string tenant, FileTotals file) in expected)
        {
            var row = Tsv.Rows(await clickHouse.QueryAsync(
                $"SELECT sum(requests), sum(bytes_sent), sum(body_bytes_sent), sum(cache_hit), sum(cache_miss), sum(status_2xx), sum(status_4xx), sum(status_5xx) " +
                $"FROM {db}.traffic_1m WHERE tenant = '{tenant}' FORMAT TSV")).Single();
            Assert.Equal(
                $"{file.Requests} {file.BytesSent} {file.BodyBytesSent} {file.CacheHit} {file.CacheMiss} {file.StatusClass(2)} {file.StatusClass(4)} {file.StatusClass(5)}",
                string.Join(' ', row));

            var statuses = Tsv.Rows(await clickHouse.QueryAsync(
                $"SELECT status, sum(requests) FROM {db}.status_1m WHERE tenant = '{tenant}' GROUP BY status ORDER BY status FORMAT TSV"));
            Assert.Equal(file.Statuses.Select(p => $"{p.Key}={p.Value}"), statuses.Select(r => $"{r[0]}={r[1]}"));
        }

        Assert.Equal("0\n", await clickHouse.QueryAsync($"SELECT count() FROM {db}.ingest_errors FORMAT TSV"));
    }

    [Fact]
    public async Task NginxServedPixelsCountAsPixelHitsAndItsTrafficGivesVisitors()
    {
        string db = "nginxpx_" + Guid.NewGuid().ToString("N")[..8];
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
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline && (await clickHouse.QueryAsync($"SELECT sum(requests) FROM {db}.traffic_1m WHERE tenant = 'shop' FORMAT TSV")).Trim() != "50")
        {
            await Task.Delay(200);
        }

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

    /// <summary>Totals computed from NGINX's own file log with JsonDocument, independently of FastIngest's parser.</summary>
    private sealed class FileTotals
    {
        public long Requests { get; private set; }
        public long BytesSent { get; private set; }
        public long BodyBytesSent { get; private set; }
        public long CacheHit { get; private set; }
        public long CacheMiss { get; private set; }
        public SortedDictionary<int, long> Statuses { get; } = [];

        public long StatusClass(int hundreds) => Statuses.Where(p => p.Key / 100 == hundreds).Sum(p => p.Value);

        public static FileTotals Of(string[] lines)
        {
            var totals = new FileTotals();
            foreach (string line in lines)
            {
                using var doc = JsonDocument.Parse(line);
                JsonElement e = doc.RootElement;
                totals.Requests++;
                totals.BytesSent += long.Parse(e.GetProperty("bytes_sent").GetString()!);
                totals.BodyBytesSent += long.Parse(e.GetProperty("body_bytes_sent").GetString()!);
                string cache = e.GetProperty("upstream_cache_status").GetString()!;
                totals.CacheHit += cache == "HIT" ? 1 : 0;
                totals.CacheMiss += cache == "MISS" ? 1 : 0;
                int status = int.Parse(e.GetProperty("status").GetString()!);
                totals.Statuses[status] = totals.Statuses.GetValueOrDefault(status) + 1;
            }

            return totals;
        }
    }
}
