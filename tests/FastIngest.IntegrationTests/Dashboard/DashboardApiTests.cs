using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard API (docs/dashboard-api.md) on a real server and a private ClickHouse 18.16: known traffic
/// through syslog, the pixel and <c>/event</c>, then every panel's JSON equals what was sent and what
/// ClickHouse holds, its CSV equals its JSON, and the keys decide who sees which tenant.
/// </summary>
[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed class DashboardApiTests(PrivateClickHouse clickHouse)
{
    private const int Lines = 30;

    private static string Iso(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> GetAsync(HttpClient http, string path, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        HttpResponseMessage response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    private static async Task<JsonElement> PanelAsync(HttpClient http, string path)
    {
        (HttpStatusCode status, string body, _) = await GetAsync(http, path);
        Assert.True(status == HttpStatusCode.OK, $"{path}: {(int)status} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static List<string> Cells(JsonElement row) => [.. row.EnumerateArray().Select(c => c.ValueKind switch
    {
        JsonValueKind.String => c.GetString()!,
        JsonValueKind.Null => "",
        _ => c.GetRawText(),
    })];

    private static List<List<string>> Rows(JsonElement panel) => [.. panel.GetProperty("rows").EnumerateArray().Select(Cells)];

    [Fact]
    public async Task EveryPanelAnswersWhatWasSentAndWhatClickHouseHolds()
    {
        string db = UniqueName.For("dashboard");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, ServerProcess.AnyLateness);
        using var http = new HttpClient { BaseAddress = server.HttpUri };
        DateTime now = DateTime.UtcNow;
        DateTime start = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerHour), DateTimeKind.Utc).AddHours(-1);

        // shop: 30 requests, one every two minutes of the hour before this one; blog: 5.
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            socket.Connect(new IPEndPoint(IPAddress.Loopback, server.UdpPort));
            for (int i = 0; i < Lines; i++)
            {
                string path = i % 3 == 0 ? "/=cmd|calc" : $"/file{i % 3}.bin";
                string line = new NginxLineBuilder()
                    .Time(new DateTimeOffset(start.AddMinutes(2 * i)))
                    .Set("remote_addr", $"10.0.0.{i % 4}").Set("request_method", "GET").Set("request_uri", path).Set("uri", path)
                    .Set("status", i % 10 == 0 ? 503 : i % 5 == 0 ? 404 : 200).Set("body_bytes_sent", 100 + i).Set("bytes_sent", 300 + i)
                    .Set("upstream_cache_status", i % 2 == 0 ? "HIT" : "MISS").Set("http_user_agent", "dashboard-test").ToJson();
                socket.Send(NginxLineBuilder.SyslogDatagram("shop", line, withHostname: false));
            }

            for (int i = 0; i < 5; i++)
            {
                string line = new NginxLineBuilder().Time(new DateTimeOffset(start.AddMinutes(i))).Set("request_uri", "/").Set("uri", "/")
                    .Set("status", 200).Set("body_bytes_sent", 10).Set("bytes_sent", 20).ToJson();
                socket.Send(NginxLineBuilder.SyslogDatagram("blog", line, withHostname: false));
            }
        }

        // The pixel counts at arrival (now, inside the range); events carry their own time.
        using (var pixel = new HttpClient { BaseAddress = server.PixelUri })
        {
            foreach (string key in new[] { "home", "home", "home", "promo" })
            {
                using HttpResponseMessage hit = await pixel.GetAsync(new Uri($"/p/shop/{key}.gif", UriKind.Relative));
                Assert.Equal(HttpStatusCode.OK, hit.StatusCode);
            }
        }

        (string Type, string Path)[] events = [.. Enumerable.Repeat(("page_view", "/a"), 4), .. Enumerable.Repeat(("page_view", "/b"), 2), ("click", "=1+2"), ("click", "=1+2")];
        foreach ((string type, string path) in events)
        {
            string body = $$"""{"site_id":"shop","event_type":"{{type}}","path":"{{path}}","user_id":"u1","timestamp":"{{Iso(start.AddMinutes(5))}}"}""";
            using HttpResponseMessage sent = await http.PostAsync(new Uri("/event", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        }

        string range = $"from={Iso(start)}&to={Iso(start.AddHours(2))}";
        string panel(string name, string tenant = "shop") => $"/api/v1/tenants/{tenant}/panels/{name}?{range}";
        // Counted a flush (about a second) after arrival; the machine may be busy, hence the generous wait.
        await Eventually.UntilAsync(
            async () => (await GetAsync(http, panel("summary"))).Body,
            body => body.Contains($"[\"requests\",{Lines},", StringComparison.Ordinal) && body.Contains("[\"pixel_hits\",4,", StringComparison.Ordinal)
                && body.Contains("[\"events\",8,", StringComparison.Ordinal) && !body.Contains("[\"visitors\",0,", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), "every request, pixel hit and event to be counted");

        Assert.Equal("""{"access":"open","tenant":null}""", (await GetAsync(http, "/api/v1/me")).Body);
        // The list is kept in memory and read again when 10 s old: the new tenants show within seconds.
        await Eventually.UntilAsync(
            async () => (await GetAsync(http, "/api/v1/tenants")).Body,
            body => body == """{"tenants":["blog","shop"],"truncated":false}""",
            TimeSpan.FromSeconds(60), "both tenants to be listed");
        Assert.Equal("""{"tenants":["blog"],"truncated":true}""", (await GetAsync(http, "/api/v1/tenants?limit=1")).Body);
        Assert.Equal("""{"tenants":["shop"],"truncated":false}""", (await GetAsync(http, "/api/v1/tenants?q=sh")).Body);

        // traffic: two hours of minutes, the sent ones where they were sent, zeros elsewhere.
        JsonElement traffic = await PanelAsync(http, panel("traffic"));
        Assert.Equal("minute", traffic.GetProperty("grain").GetString());
        Assert.Equal(["time", "requests", "bytes_sent"], traffic.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        List<List<string>> expectedTraffic = [.. Enumerable.Range(0, 120).Select(m => new List<string>
        {
            Iso(start.AddMinutes(m)),
            m % 2 == 0 && m / 2 < Lines ? "1" : "0",
            (m % 2 == 0 && m / 2 < Lines ? 300 + (m / 2) : 0).ToString(CultureInfo.InvariantCulture),
        })];
        Assert.Equal(expectedTraffic, Rows(traffic));
        Assert.Equal(Iso(start), traffic.GetProperty("from").GetString());
        Assert.Equal(Iso(start.AddHours(2)), traffic.GetProperty("to").GetString());

        // The same hours in another zone: the same numbers, the times in its offset.
        JsonElement kolkata = await PanelAsync(http, panel("traffic") + "&tz=Asia/Kolkata");
        Assert.Equal(Rows(traffic).Select(r => r[1]), Rows(kolkata).Select(r => r[1]));
        Assert.EndsWith("+05:30", Rows(kolkata)[0][0], StringComparison.Ordinal);
        Assert.Equal(DateTimeOffset.Parse(Rows(traffic)[7][0], CultureInfo.InvariantCulture), DateTimeOffset.Parse(Rows(kolkata)[7][0], CultureInfo.InvariantCulture));

        long bytes = Enumerable.Range(0, Lines).Sum(i => 300L + i);
        string visitors = (await clickHouse.QueryAsync($"SELECT uniqMerge(visitors) FROM {db}.visitors_1d WHERE tenant = 'shop' FORMAT TSV")).Trim();
        List<List<string>> summary = Rows(await PanelAsync(http, panel("summary")));
        Assert.Equal(["visitors", visitors], summary[2].Take(2));
        summary.RemoveAt(2);
        Assert.Equal(
            [
                ["requests", "30", "0", ""], ["bytes_sent", bytes.ToString(CultureInfo.InvariantCulture), "0", ""],
                ["cache_hit_ratio", "0.5", "", ""], ["error_rate", "0.1", "", ""], ["pixel_hits", "4", "0", ""], ["events", "8", "0", ""],
            ],
            summary);
        Assert.Equal([["1xx", "0"], ["2xx", "24"], ["3xx", "0"], ["4xx", "3"], ["5xx", "3"]], Rows(await PanelAsync(http, panel("status"))));
        Assert.Equal(
            [["hit", "15"], ["miss", "15"], ["expired", "0"], ["stale", "0"], ["updating", "0"], ["revalidated", "0"], ["bypass", "0"]],
            Rows(await PanelAsync(http, panel("cache"))));

        // Top files: what was sent, and what ClickHouse's paths_1h holds for those hours, in the panel's order.
        var sentFiles = Enumerable.Range(0, Lines).GroupBy(i => i % 3 == 0 ? "/=cmd|calc" : $"/file{i % 3}.bin")
            .Select(g => (Path: g.Key, Requests: g.Count(), Bytes: g.Sum(i => 100 + i))).ToList();
        List<List<string>> byRequests = [.. sentFiles.OrderByDescending(f => f.Requests).ThenByDescending(f => f.Bytes).ThenBy(f => f.Path, StringComparer.Ordinal)
            .Select(f => new List<string> { f.Path, f.Requests.ToString(CultureInfo.InvariantCulture), f.Bytes.ToString(CultureInfo.InvariantCulture) })];
        Assert.Equal(byRequests, Rows(await PanelAsync(http, panel("top_files_downloads"))));
        List<List<string>> held = [.. Tsv.Rows(await clickHouse.QueryAsync(
            $"SELECT path, sumMerge(requests) AS r, sumMerge(body_bytes_sent) AS b FROM {db}.paths_1h WHERE tenant = 'shop' GROUP BY path ORDER BY b DESC, r DESC, path FORMAT TSV")).Select(r => r.ToList())];
        Assert.Equal(held, Rows(await PanelAsync(http, panel("top_files_bytes"))));
        Assert.Equal(new List<List<string>> { held[0] }, Rows(await PanelAsync(http, panel("top_files_bytes") + "&limit=1")));

        List<List<string>> days = [.. Tsv.Rows(await clickHouse.QueryAsync(
            $"SELECT toString(day), uniqMerge(visitors) FROM {db}.visitors_1d WHERE tenant = 'shop' GROUP BY day ORDER BY day FORMAT TSV")).Select(r => r.ToList())];
        Assert.Equal(days, Rows(await PanelAsync(http, panel("visitors"))));
        Assert.Equal([["home", "3"], ["promo", "1"]], Rows(await PanelAsync(http, panel("pixel"))));
        Assert.Equal([["page_view", "6"], ["click", "2"]], Rows(await PanelAsync(http, panel("events"))));
        Assert.Equal([["/a", "4"], ["/b", "2"], ["=1+2", "2"]], Rows(await PanelAsync(http, panel("event_paths"))));
        List<List<string>> refusals = [.. Tsv.Rows(await clickHouse.QueryAsync(
            $"SELECT reason, sum(count) AS c FROM {db}.ingest_errors WHERE tenant = 'shop' GROUP BY reason ORDER BY c DESC, reason FORMAT TSV")).Select(r => r.ToList())];
        Assert.Equal(refusals, Rows(await PanelAsync(http, panel("refusals"))));

        // blog's panels are blog's: five requests, no events.
        Assert.Equal("5", Rows(await PanelAsync(http, panel("summary", "blog")))[0][1]);
        Assert.Empty(Rows(await PanelAsync(http, panel("events", "blog"))));

        // CSV: the same table, formulas neutralized; the file named after tenant, panel and range.
        foreach (string name in new[] { "summary", "traffic", "status", "cache", "top_files_downloads", "top_files_bytes", "visitors", "pixel", "events", "event_paths", "refusals", "sources", "devices" })
        {
            JsonElement json = await PanelAsync(http, panel(name));
            (HttpStatusCode status, string csv, HttpResponseMessage response) = await GetAsync(http, panel(name) + "&format=csv");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("text/csv; charset=utf-8", response.Content.Headers.ContentType!.ToString());
            Assert.Equal($"shop-{name}-{start:yyyyMMddHHmm}-{start.AddHours(2):yyyyMMddHHmm}.csv", response.Content.Headers.ContentDisposition!.FileName!.Trim('"'));
            List<List<string>> expected = [[.. json.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!)], .. Rows(json)];
            Assert.Equal(expected.Select(r => r.Select(c => c.StartsWith('=') ? "'" + c : c).ToList()), CsvRows(csv));
        }

        Assert.Contains("\r\n'=1+2,2\r\n", (await GetAsync(http, panel("event_paths") + "&format=csv")).Body, StringComparison.Ordinal);

        // Bad requests say what is wrong.
        Assert.Equal((HttpStatusCode.NotFound, """{"error":"Unknown panel"}"""), Pick(await GetAsync(http, panel("nope"))));
        Assert.Equal((HttpStatusCode.BadRequest, """{"error":"Invalid tz: expected an IANA time zone name, e.g. Europe/Berlin"}"""), Pick(await GetAsync(http, panel("traffic") + "&tz=Mars/Base")));
        Assert.Equal((HttpStatusCode.BadRequest, """{"error":"Invalid from: expected ISO 8601, e.g. 2026-11-25T00:00:00Z"}"""), Pick(await GetAsync(http, "/api/v1/tenants/shop/panels/traffic?to=2026-11-26T00:00:00Z")));
        Assert.Equal((HttpStatusCode.BadRequest, """{"error":"Invalid range: at most 400 days"}"""), Pick(await GetAsync(http, "/api/v1/tenants/shop/panels/traffic?from=2025-01-01T00:00:00Z&to=2026-11-26T00:00:00Z")));
        Assert.Equal((HttpStatusCode.BadRequest, """{"error":"Invalid tenant name: [A-Za-z0-9_.-], 1 to 64"}"""), Pick(await GetAsync(http, $"/api/v1/tenants/sh'op/panels/traffic?{range}")));
    }

    [Fact]
    public async Task ATenantKeySeesItsTenantOnlyAndTheManagementKeySeesAll()
    {
        const string ShopKey = "shop-key-0123456789";
        const string BlogKey = "blog-key-0123456789";
        const string ManagementKey = "management-key-0123456789";
        string db = UniqueName.For("dashkeys");
        int managementPort = FreePorts.Tcp();
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, ServerProcess.AnyLateness,
            $"--FastIngest:Tenants:shop:ApiKeys:0={ShopKey}", $"--FastIngest:Tenants:blog:ApiKeys:0={BlogKey}", $"--FastIngest:Management:Key={ManagementKey}",
            $"--FastIngest:Management:Port={managementPort}", "--FastIngest:Management:BindAddress=127.0.0.1");
        using var http = new HttpClient { BaseAddress = server.HttpUri };
        foreach ((string site, string key) in new[] { ("shop", ShopKey), ("blog", BlogKey) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/event", UriKind.Relative))
            {
                Content = new StringContent($$"""{"site_id":"{{site}}","event_type":"page_view","path":"/"}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            using HttpResponseMessage sent = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        }

        await Eventually.UntilAsync(
            async () => (await GetAsync(http, "/api/v1/tenants", ManagementKey)).Body,
            body => body == """{"tenants":["blog","shop"],"truncated":false}""",
            TimeSpan.FromSeconds(60), "both tenants' events to be counted");

        const string Unauthorized = """{"error":"Missing or invalid API key"}""";
        Assert.Equal((HttpStatusCode.Unauthorized, Unauthorized), Pick(await GetAsync(http, "/api/v1/me")));
        Assert.Equal((HttpStatusCode.Unauthorized, Unauthorized), Pick(await GetAsync(http, "/api/v1/me", "not-a-key-at-all")));
        Assert.Equal((HttpStatusCode.Unauthorized, Unauthorized), Pick(await GetAsync(http, "/api/v1/tenants")));
        Assert.Equal((HttpStatusCode.OK, """{"access":"tenant","tenant":"shop"}"""), Pick(await GetAsync(http, "/api/v1/me", ShopKey)));
        Assert.Equal((HttpStatusCode.OK, """{"access":"management","tenant":null}"""), Pick(await GetAsync(http, "/api/v1/me", ManagementKey)));
        Assert.Equal("""{"tenants":["shop"],"truncated":false}""", (await GetAsync(http, "/api/v1/tenants", ShopKey)).Body);
        // The management port is management access without a key, as for /metrics.
        using (var management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{managementPort}") })
        {
            Assert.Equal((HttpStatusCode.OK, """{"access":"management","tenant":null}"""), Pick(await GetAsync(management, "/api/v1/me")));
            Assert.Equal("""{"tenants":["blog","shop"],"truncated":false}""", (await GetAsync(management, "/api/v1/tenants")).Body);
            Assert.Equal("""{"tenants":["shop"],"truncated":false}""", (await GetAsync(management, "/api/v1/tenants?q=s")).Body);
        }

        Assert.Equal("""{"tenants":[],"truncated":false}""", (await GetAsync(http, "/api/v1/tenants?q=b", ShopKey)).Body);

        DateTime today = DateTime.UtcNow.Date;
        string range = $"from={Iso(today)}&to={Iso(today.AddDays(1))}";
        (HttpStatusCode, string) other = Pick(await GetAsync(http, $"/api/v1/tenants/blog/panels/events?{range}", ShopKey));
        // Another tenant and a tenant that does not exist look the same: nothing is confirmed.
        Assert.Equal((HttpStatusCode.NotFound, """{"error":"Unknown tenant"}"""), other);
        Assert.Equal(other, Pick(await GetAsync(http, $"/api/v1/tenants/nosuch/panels/events?{range}", ShopKey)));
        Assert.Equal(other, Pick(await GetAsync(http, $"/api/v1/tenants/blog/panels/events?{range}&format=csv", ShopKey)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(http, $"/api/v1/tenants/shop/panels/events?{range}")).Status);

        Assert.Equal([["page_view", "1"]], Rows(JsonDocument.Parse((await GetAsync(http, $"/api/v1/tenants/shop/panels/events?{range}", ShopKey)).Body).RootElement));
        Assert.Equal([["page_view", "1"]], Rows(JsonDocument.Parse((await GetAsync(http, $"/api/v1/tenants/blog/panels/events?{range}", ManagementKey)).Body).RootElement));
        (HttpStatusCode _, string _, HttpResponseMessage response) = await GetAsync(http, $"/api/v1/tenants/shop/panels/events?{range}", ShopKey);
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
    }

    [Fact]
    public async Task TheDashboardApiSharesTheApiRateLimit()
    {
        string db = UniqueName.For("dashlimit");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, "--FastIngest:Events:RequestsPerSecond=1", "--FastIngest:Events:Burst=3");
        using var http = new HttpClient { BaseAddress = server.HttpUri };
        // One bucket of 3 for this address, refilled by one a second: of 20 calls at once, at most 3 plus
        // one per second they took get through, /stats and the dashboard alike.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        (HttpStatusCode, string)[] answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
            Pick(await GetAsync(http, i % 4 == 0 ? "/stats?site_id=shop" : i % 4 == 1 ? "/api/v1/me" : "/api/v1/tenants/shop/panels/status?from=2026-11-25&to=2026-11-26"))));
        int allowed = 3 + (int)Math.Ceiling(clock.Elapsed.TotalSeconds);
        Assert.InRange(answers.Count(a => a.Item1 == HttpStatusCode.OK), 1, allowed);
        Assert.All(answers.Where(a => a.Item1 != HttpStatusCode.OK), a => Assert.Equal((HttpStatusCode.TooManyRequests, """{"error":"Too many requests"}"""), a));
        Assert.Contains(answers, a => a.Item1 == HttpStatusCode.TooManyRequests);
    }

    private static (HttpStatusCode, string) Pick((HttpStatusCode Status, string Body, HttpResponseMessage Response) answer)
    {
        answer.Response.Dispose();
        return (answer.Status, answer.Body);
    }

    /// <summary>An RFC 4180 reader, independent of the server's writer: quoted fields, doubled quotes, CRLF rows.</summary>
    private static List<List<string>> CsvRows(string csv)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < csv.Length; i++)
        {
            char c = csv[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < csv.Length && csv[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\r' && i + 1 < csv.Length && csv[i + 1] == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
                i++;
            }
            else
            {
                field.Append(c);
            }
        }

        Assert.Empty(field.ToString());
        return rows;
    }
}
