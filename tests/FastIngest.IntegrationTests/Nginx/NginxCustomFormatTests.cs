using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Nginx;

/// <summary>
/// Real NGINX ships its log in the operator's own <c>main</c> format (the NGINX docs' <c>main</c>, with the
/// cache status, request time and bytes sent moved in among its fields) over UDP syslog, and through an
/// rsyslog relay over TCP; FastIngest is given the same <c>log_format</c> text. ClickHouse must then hold
/// exactly what NGINX wrote to its own file log (the <c>fastingest</c> JSON lines, read by the test
/// independently of the server's parsers), tenant by tenant. A <c>main</c> file log, tailed, too.
/// </summary>
[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed class NginxCustomFormatTests(PrivateClickHouse clickHouse, ITestOutputHelper output)
{
    /// <summary>As it stands in nginx.conf after <c>log_format main</c>: two quoted pieces, NGINX joins them.</summary>
    private const string MainFormat =
        """'$remote_addr - $remote_user [$time_local] $request_time "$request" $upstream_cache_status $status ' '$body_bytes_sent $bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"'""";

    [Fact]
    public async Task NginxMainFormatOverUdpSyslogSumsToNginxOwnAccessLog()
    {
        string db = UniqueName.For("nginxmain");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, FormatArgs());
        await using NginxProcess nginx = await NginxProcess.StartAsync(server.UdpPort, WithMainFormat);
        await RunTrafficAndCompareAsync(server, nginx, db);
    }

    [Fact]
    public async Task NginxMainFormatThroughRsyslogOverTcpSumsToNginxOwnAccessLog()
    {
        string db = UniqueName.For("nginxmaintcp");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, FormatArgs());
        // NGINX → rsyslog's UDP input → octet-counted TCP → FastIngest: the target is up before anything is sent.
        await using RsyslogRelay relay = await RsyslogRelay.StartAsync(server.TcpPort);
        await using NginxProcess nginx = await NginxProcess.StartAsync(relay.UdpInputPort, WithMainFormat);
        await RunTrafficAndCompareAsync(server, nginx, db);
    }

    [Fact]
    public async Task NginxMainFormatFileLogTailedSumsToNginxOwnJsonLog()
    {
        string db = UniqueName.For("nginxmainfile");
        // The shop also logs main to a file of its own; nothing listens on the syslog port here.
        await using NginxProcess nginx = await NginxProcess.StartAsync(FreePorts.Udp(), config => WithMainFormat(config)
            .Replace("access_log access.shop.log fastingest;", "access_log access.shop.log fastingest;\n    access_log access.shop.main.log main;", StringComparison.Ordinal));
        string mainLog = Path.Combine(nginx.Prefix, "access.shop.main.log");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db,
            $"--FastIngest:Formats:main={MainFormat}", $"--FastIngest:Files:Sources:0:Path={mainLog}", "--FastIngest:Files:Sources:0:Format=main",
            "--FastIngest:Files:Sources:0:Tenant=shop", $"--FastIngest:StateDirectory={Path.Combine(nginx.Prefix, "state")}");

        using var http = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => System.Text.Encoding.UTF8 });
        string[] paths = ["/media/a.webp", "/api/cart?id=1", "/err/x", "/nope", "/media/q%22uote.webp"];
        for (int i = 0; i < 100; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{nginx.ShopPort}{paths[i % paths.Length]}"));
            request.Headers.TryAddWithoutValidation("User-Agent", i % 3 == 0 ? "Agent \"quoted\" \\ é/1" : $"Agent/{i % 4}");
            using HttpResponseMessage response = await http.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
        }

        var expected = new Dictionary<string, TenantTotals> { ["shop"] = TenantTotals.OfJsonLines(await nginx.AccessLogLinesAsync("shop", 100)) };
        Assert.Equal(100, File.ReadAllLines(mainLog).Length);
        await TrafficTotals.WaitForRequestsAsync(clickHouse, db, 100, TimeSpan.FromSeconds(30));
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        await TrafficTotals.AssertAsync(clickHouse, db, expected);
        Assert.Equal("0\n", await clickHouse.QueryAsync($"SELECT count() FROM {db}.ingest_errors FORMAT TSV"));
    }

    private static string[] FormatArgs() =>
        [$"--FastIngest:Formats:main={MainFormat}", "--FastIngest:Syslog:FormatByTag:shop=main", "--FastIngest:Syslog:FormatByTag:blog=main"];

    /// <summary>The syslog targets send <c>main</c>; the file logs stay <c>fastingest</c> JSON.</summary>
    private static string WithMainFormat(string config)
    {
        const string Include = "include fastingest-log-format.conf;";
        Assert.Contains(Include, config, StringComparison.Ordinal);
        string edited = config
            .Replace(Include, $"{Include}\n  log_format main {MainFormat};", StringComparison.Ordinal)
            .Replace(",tag=shop,nohostname fastingest;", ",tag=shop,nohostname main;", StringComparison.Ordinal)
            .Replace(",tag=blog,nohostname fastingest;", ",tag=blog,nohostname main;", StringComparison.Ordinal);
        Assert.Contains(",tag=shop,nohostname main;", edited, StringComparison.Ordinal);
        Assert.Contains(",tag=blog,nohostname main;", edited, StringComparison.Ordinal);
        return edited;
    }

    private async Task RunTrafficAndCompareAsync(ServerProcess server, NginxProcess nginx, string db)
    {
        // UTF-8 header bytes, as browsers send them, so NGINX has non-ASCII bytes to escape.
        using var http = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => System.Text.Encoding.UTF8 });
        string[] shopPaths = ["/media/a.webp", "/media/b.webp", "/api/cart?id=1", "/err/x", "/nope", "/p/acme/home.gif", "/robots.txt", "/media/q%22uote.webp"];
        string[] blogPaths = ["/posts/1", "/posts/caf%C3%A9", "/missing", "/robots.txt"];
        for (int i = 0; i < 120; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{nginx.ShopPort}{shopPaths[i % shopPaths.Length]}"));
            // Quotes, a backslash and UTF-8 in the agent: NGINX writes them as \xXX in main, raw in its JSON file.
            request.Headers.TryAddWithoutValidation("User-Agent", i % 3 == 0 ? "Agent \"quoted\" \\ é/1" : $"Agent/{i % 4}");
            request.Headers.TryAddWithoutValidation("Referer", i % 5 == 0 ? "https://ref.example/?q=\"x\"" : "");
            using HttpResponseMessage response = await http.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            if (i % 2 == 0)
            {
                using HttpResponseMessage blog = await http.GetAsync(new Uri($"http://127.0.0.1:{nginx.BlogPort}{blogPaths[i / 2 % blogPaths.Length]}"));
                await blog.Content.ReadAsByteArrayAsync();
            }
        }

        var expected = new Dictionary<string, TenantTotals>
        {
            ["shop"] = TenantTotals.OfJsonLines(await nginx.AccessLogLinesAsync("shop", 120)),
            // 60 requests plus NginxProcess's readiness probe.
            ["blog"] = TenantTotals.OfJsonLines(await nginx.AccessLogLinesAsync("blog", 61)),
        };
        // The proxy cache lives in /tmp across NGINX runs: a MISS only on a cold cache, a HIT always.
        Assert.True(expected["shop"].CacheHit > 0 && expected["shop"].Statuses.ContainsKey(503));

        long total = expected.Values.Sum(t => t.Requests);
        output.WriteLine($"NGINX logged {total} lines");
        await TrafficTotals.WaitForRequestsAsync(clickHouse, db, total, TimeSpan.FromSeconds(30));
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        await TrafficTotals.AssertAsync(clickHouse, db, expected);
        Assert.Equal("0\n", await clickHouse.QueryAsync($"SELECT count() FROM {db}.ingest_errors FORMAT TSV"));
    }
}
