using System.Globalization;
using System.Net.Sockets;
using System.Text;
using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Nginx;

/// <summary>
/// Real NGINX as a new user runs it (issue 16): its built-in <c>combined</c> format, or combined followed
/// by <c>"$upstream_cache_status"</c>, no FastIngest log_format, and a syslog target added next to its
/// file log. Over UDP (NGINX's own syslog) and over TCP (NGINX → rsyslog → FastIngest, RFC 6587), ClickHouse
/// must hold exactly what NGINX wrote to the file, tenant by tenant and path by path, including requests
/// whose path and headers hold bytes NGINX writes as <c>\xXX</c>, counted under their decoded path.
/// </summary>
[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed class NginxCombinedSyslogTests(PrivateClickHouse clickHouse, ITestOutputHelper output)
{
    /// <summary>NGINX's <c>combined</c>, then the cache status quoted: the form docs/sending-data.md shows.</summary>
    private const string CombinedCache =
        "log_format combined_cache '$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\" \"$upstream_cache_status\"';";

    /// <summary>Raw request heads NGINX takes as they are and logs escaped: a quote, a backslash, UTF-8, a tab (400).</summary>
    private static readonly (byte[] Head, string Path)[] s_escaped =
    [
        (Head("/esc/q\"uote", "Agent \"quoted\" \\ \u00fc", "https://ref.example/caf\u00e9\"x\""), "/esc/q\"uote"),
        (Head("/esc/back\\slash", "curl/8", null), "/esc/back\\slash"),
        (Head("/esc/caf\u00e9?x=\"1\"", "Mozilla/5.0 (\u65e5\u672c)", null), "/esc/caf\u00e9"),
        (Head("/esc/tab\tx", "curl/8", null), "/esc/tab\tx"),
    ];

    [Theory]
    [InlineData("combined", "udp")]
    [InlineData("combined", "tcp")]
    [InlineData("combined_cache", "udp")]
    [InlineData("combined_cache", "tcp")]
    public async Task ClickHouseSumsEqualNginxOwnCombinedLog(string format, string transport)
    {
        string db = UniqueName.For("nginxcomb");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db);
        // Over TCP the relay is up, and its target listening, before NGINX sends its first line (rsyslog
        // delivers a message twice when its first connection is refused).
        await using RsyslogRelay? relay = transport == "tcp" ? await RsyslogRelay.StartAsync(server.TcpPort) : null;
        int syslogPort = relay?.UdpInputPort ?? server.UdpPort;
        await using NginxProcess nginx = await NginxProcess.StartAsync(p => Config(p, format, syslogPort));

        using var http = new HttpClient();
        string[] shopPaths = ["/media/a.webp", "/media/b.webp", "/media/a.webp", "/err/x", "/nope", "/robots.txt", "/esc/plain"];
        string[] blogPaths = ["/posts/1", "/posts/caf%C3%A9", "/missing", "/robots.txt"];
        int shopRequests = 0, blogRequests = 0;
        for (int i = 0; i < 70; i++)
        {
            await Get(http, nginx.ShopPort, shopPaths[i % shopPaths.Length]);
            shopRequests++;
            if (i % 2 == 0)
            {
                await Get(http, nginx.BlogPort, blogPaths[i / 2 % blogPaths.Length]);
                blogRequests++;
            }

            if (i % 5 == 0)
            {
                await SendRawAsync(nginx.ShopPort, s_escaped[i / 5 % s_escaped.Length].Head);
                shopRequests++;
            }
        }

        string[] shopLines = await nginx.AccessLogLinesAsync("shop", shopRequests);
        var expected = new Dictionary<string, TenantTotals>
        {
            ["shop"] = TenantTotals.OfCombinedLines(shopLines),
            // The blog's requests plus NginxProcess's readiness probe.
            ["blog"] = TenantTotals.OfCombinedLines(await nginx.AccessLogLinesAsync("blog", blogRequests + 1)),
        };
        Assert.Equal(shopRequests, expected["shop"].Requests);
        Assert.True(expected["shop"].Statuses.ContainsKey(503) && expected["shop"].Statuses.ContainsKey(400));
        // NGINX wrote what it escapes as \xXX: the test would prove nothing about escapes otherwise.
        Assert.Contains(shopLines, l => l.Contains("\\x22", StringComparison.Ordinal));
        Assert.Contains(shopLines, l => l.Contains("\\x5C", StringComparison.Ordinal));
        Assert.Contains(shopLines, l => l.Contains("\\xC3\\xA9", StringComparison.Ordinal));
        Assert.Contains(shopLines, l => l.Contains("\\x09", StringComparison.Ordinal));
        if (format == "combined_cache")
        {
            Assert.True(expected["shop"].CacheHit > 0 && expected["shop"].CacheMiss > 0);
        }

        long total = expected.Values.Sum(t => t.Requests);
        output.WriteLine($"NGINX logged {total} lines ({format} over {transport})");
        await TrafficTotals.WaitForRequestsAsync(clickHouse, db, total, TimeSpan.FromSeconds(30));
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        output.WriteLine(server.Output);

        await TrafficTotals.AssertAsync(clickHouse, db, expected);
        Assert.Equal("0\n", await clickHouse.QueryAsync($"SELECT count() FROM {db}.ingest_errors FORMAT TSV"));

        // Path by path, as the file has them once NGINX's escapes are undone.
        var perPath = new SortedDictionary<string, (long Requests, long Body)>(StringComparer.Ordinal);
        foreach (string line in shopLines)
        {
            byte[] path = TenantTotals.CombinedPath(line);
            if (path.Length > 0)
            {
                string key = Convert.ToHexString(path);
                (long requests, long body) = perPath.GetValueOrDefault(key);
                perPath[key] = (requests + 1, body + BodyBytes(line));
            }
        }

        foreach ((byte[] _, string path) in s_escaped)
        {
            Assert.True(perPath.ContainsKey(Convert.ToHexString(Encoding.UTF8.GetBytes(path))), $"NGINX logged no request for {path}");
        }

        Assert.Equal(
            perPath.Select(p => $"{p.Key} {p.Value.Requests} {p.Value.Body}"),
            Tsv.Rows(await clickHouse.QueryAsync(
                    $"SELECT hex(path), sumMerge(requests), sumMerge(body_bytes_sent) FROM {db}.paths_1h WHERE tenant = 'shop' GROUP BY path ORDER BY hex(path) FORMAT TSV"))
                .Select(r => $"{r[0]} {r[1]} {r[2]}"));
    }

    private static string Config((string Prefix, int Shop, int Blog, int Origin) p, string format, int syslogPort) => $$"""
        worker_processes 1;
        pid nginx.pid;
        error_log error.log notice;
        events { worker_connections 1024; }
        http {
          client_body_temp_path {{p.Prefix}}/body;
          proxy_temp_path {{p.Prefix}}/proxy;
          fastcgi_temp_path {{p.Prefix}}/fcgi;
          uwsgi_temp_path {{p.Prefix}}/uwsgi;
          scgi_temp_path {{p.Prefix}}/scgi;
          proxy_cache_path {{p.Prefix}}/cache keys_zone=media:1m;
          {{(format == "combined_cache" ? CombinedCache : "")}}

          server {
            listen 127.0.0.1:{{p.Origin}};
            access_log off;
            location / { return 200 "backend body for $uri\n"; }
            location /slow { return 503 "nope"; }
          }

          server {
            listen 127.0.0.1:{{p.Shop}};
            access_log access.shop.log {{format}};
            access_log syslog:server=127.0.0.1:{{syslogPort}},tag=shop {{format}};
            location = /robots.txt { return 200 "User-agent: *\nDisallow: /\n"; }
            location /media/ { proxy_pass http://127.0.0.1:{{p.Origin}}; proxy_cache media; proxy_cache_valid 200 1m; }
            location /err/ { proxy_pass http://127.0.0.1:{{p.Origin}}/slow; }
            location /esc/ { return 200 "escaped\n"; }
            location / { return 404; }
          }

          server {
            listen 127.0.0.1:{{p.Blog}};
            access_log access.blog.log {{format}};
            access_log syslog:server=127.0.0.1:{{syslogPort}},tag=blog {{format}};
            location = /robots.txt { return 200 "User-agent: *\nDisallow: /\n"; }
            location /posts/ { return 200 "post $uri\n"; }
            location / { return 404; }
          }
        }
        """;

    private static byte[] Head(string target, string userAgent, string? referer) =>
        Encoding.UTF8.GetBytes($"GET {target} HTTP/1.1\r\nHost: shop\r\nUser-Agent: {userAgent}\r\n{(referer is null ? "" : $"Referer: {referer}\r\n")}Connection: close\r\n\r\n");

    /// <summary>The bytes as they are: HttpClient would percent-encode the target and refuse such headers.</summary>
    private static async Task SendRawAsync(int port, byte[] head)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(head);
        // Connection: close: the response ends when NGINX closes.
        byte[] buffer = new byte[4096];
        while (await stream.ReadAsync(buffer) > 0)
        {
        }
    }

    private static long BodyBytes(string line)
    {
        // "… $status $body_bytes_sent "$http_referer" …": the two numbers after the request's closing quote.
        string afterRequest = line[(line.IndexOf("\" ", line.IndexOf('"', StringComparison.Ordinal) + 1, StringComparison.Ordinal) + 2)..];
        return long.Parse(afterRequest.Split(' ')[1], CultureInfo.InvariantCulture);
    }

    private static async Task Get(HttpClient http, int port, string path)
    {
        using HttpResponseMessage response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}{path}"));
        await response.Content.ReadAsByteArrayAsync();
    }
}
