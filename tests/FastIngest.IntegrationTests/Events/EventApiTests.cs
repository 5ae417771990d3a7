using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Events;

[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed class EventApiTests(PrivateClickHouse clickHouse, ITestOutputHelper output)
{
    private static readonly JsonSerializerOptions s_relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static StringContent Json(string body, string type = "application/json") => new(body, Encoding.UTF8, type);

    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpClient http, HttpMethod method, string path, HttpContent? content = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        configure?.Invoke(request);
        using HttpResponseMessage response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Waits until <c>GET <paramref name="path"/></c> answers <paramref name="expected"/>: counters reach ClickHouse a
    /// flush (about a second) after the events, the tables one insert apart.
    /// </summary>
    private static async Task WaitForStatsAsync(HttpClient http, string path, string expected) =>
        await Eventually.UntilAsync(async () => (await SendAsync(http, HttpMethod.Get, path)).Body, body => body == expected, TimeSpan.FromSeconds(15),
            $"GET {path} to answer {expected}");

    [Fact]
    public async Task TheContractsExamplesGiveExactlyTheirBodiesAndCodes()
    {
        string db = UniqueName.For("events");
        // The contract's examples are dated 2026-11-20: older than the live window once that day is two days past.
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, "--FastIngest:Events:MaxBatchBytes=100000", ServerProcess.AnyLateness);
        using var http = new HttpClient { BaseAddress = server.HttpUri };

        (HttpStatusCode, string)[] expected =
        [
            (HttpStatusCode.OK, """{"message":"Event received"}"""),
            (HttpStatusCode.BadRequest, """{"error":"Missing required field: site_id"}"""),
            (HttpStatusCode.BadRequest, """{"error":"Missing required field: event_type"}"""),
            (HttpStatusCode.BadRequest, """{"error":"Invalid JSON"}"""),
            (HttpStatusCode.BadRequest, """{"error":"Invalid field type: site_id must be a string"}"""),
            (HttpStatusCode.BadRequest, """{"error":"Invalid timestamp: expected ISO 8601 with an offset, e.g. 2026-11-23T10:00:00Z"}"""),
            (HttpStatusCode.UnsupportedMediaType, """{"error":"Content-Type must be application/json"}"""),
            (HttpStatusCode.RequestEntityTooLarge, """{"error":"Event too large (limit 65536 bytes)"}"""),
        ];
        (HttpStatusCode, string)[] actual =
        [
            await SendAsync(http, HttpMethod.Post, "/event", Json("""{"site_id":"s1","event_type":"page_view","path":"/","user_id":"u1","timestamp":"2026-11-20T10:00:00Z"}""")),
            await SendAsync(http, HttpMethod.Post, "/event", Json("""{"event_type":"page_view"}""")),
            await SendAsync(http, HttpMethod.Post, "/event", Json("""{"site_id":"s1"}""")),
            await SendAsync(http, HttpMethod.Post, "/event", Json("""{"site_id":"s1",""")),
            await SendAsync(http, HttpMethod.Post, "/event", Json("""{"site_id":5,"event_type":"page_view"}""")),
            await SendAsync(http, HttpMethod.Post, "/event", Json("""{"site_id":"s1","event_type":"page_view","timestamp":"yesterday"}""")),
            await SendAsync(http, HttpMethod.Post, "/event", Json("""{"site_id":"s1","event_type":"page_view"}""", "text/plain")),
            await SendAsync(http, HttpMethod.Post, "/event", Json("""{"site_id":"s1","event_type":"page_view","path":"/""" + new string('a', 70_000) + "\"}")),
        ];
        Assert.Equal(expected, actual);

        Assert.Equal(
            (HttpStatusCode.BadRequest, """{"error":"Missing required parameter: site_id"}"""),
            await SendAsync(http, HttpMethod.Get, "/stats"));
        Assert.Equal(
            (HttpStatusCode.BadRequest, """{"error":"Invalid date: expected YYYY-MM-DD"}"""),
            await SendAsync(http, HttpMethod.Get, "/stats?site_id=s1&date=2026-13-01"));
        Assert.Equal(
            (HttpStatusCode.OK, """{"site_id":"unknown","date":null,"total_views":0,"unique_users":0,"top_paths":[]}"""),
            await SendAsync(http, HttpMethod.Get, "/stats?site_id=unknown"));
        Assert.Equal(
            (HttpStatusCode.RequestEntityTooLarge, """{"error":"Request body too large (limit 100000 bytes)"}"""),
            await SendAsync(http, HttpMethod.Post, "/ingest", Json("[" + string.Join(",", Enumerable.Repeat("""{"site_id":"s1","event_type":"page_view"}""", 5000)) + "]")));
        Assert.Equal(
            (HttpStatusCode.Accepted, """{"accepted":2,"rejected":2,"errors":[{"line":2,"error":"Invalid event: expected a JSON object"},{"line":4,"error":"Missing required field: event_type"}]}"""),
            await SendAsync(http, HttpMethod.Post, "/ingest", Json("""[{"site_id":"s1","event_type":"page_view","path":"/a","timestamp":"2026-11-20T10:00:00Z"}, 5, {"site_id":"s1","event_type":"click","timestamp":"2026-11-20T10:00:00Z"}, {"site_id":"s1"}]""")));

        // The one page view of 2026-11-20 from /event, then the /ingest one: /stats reads them back.
        const string Expected = """{"site_id":"s1","date":"2026-11-20","total_views":2,"unique_users":1,"top_paths":[{"path":"/","views":1},{"path":"/a","views":1}]}""";
        await WaitForStatsAsync(http, "/stats?site_id=s1&date=2026-11-20", Expected);
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        output.WriteLine(server.Output);
        // Every refusal is in the dead-letter table: 6 from /event (not the 415), 3 from /ingest (two
        // items and the oversized body).
        Assert.Equal("9", (await clickHouse.QueryAsync($"SELECT sum(count) FROM {db}.ingest_errors WHERE source = 'http' FORMAT TSV")).Trim());
    }

    [Fact]
    public async Task TenThousandEventsAndAHundredThousandInBatchesAddUpExactlyInStatsAndSql()
    {
        string db = UniqueName.For("events");
        // The generator dates its events 2026-11-20 and -21, whatever today is.
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, "--FastIngest:Events:RequestsPerSecond=0", ServerProcess.AnyLateness);
        using var http = new HttpClient { BaseAddress = server.HttpUri };
        var events = new EventGenerator(seed: 17);

        // 10,000 single events, eight clients at once.
        string[] singles = Enumerable.Range(0, 10_000).Select(_ => events.Next()).ToArray();
        await Parallel.ForEachAsync(singles, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (json, _) =>
        {
            (HttpStatusCode status, string body) = await SendAsync(http, HttpMethod.Post, "/event", Json(json));
            Assert.Equal((HttpStatusCode.OK, """{"message":"Event received"}"""), (status, body));
        });

        // 100,000 in batches of 1,000: half NDJSON, half arrays, one item in a hundred invalid.
        for (int batch = 0; batch < 100; batch++)
        {
            bool ndjson = batch % 2 == 0;
            var items = new List<string>();
            for (int i = 0; i < 1_000; i++)
            {
                items.Add(i % 100 == 42 ? (ndjson ? """{"site_id":"alpha","event_type":""" : """{"site_id":"alpha"}""") : events.Next());
            }

            HttpContent content = ndjson ? Json(string.Join("\n", items) + "\n", "application/x-ndjson") : Json("[" + string.Join(",\n", items) + "]");
            (HttpStatusCode status, string body) = await SendAsync(http, HttpMethod.Post, "/ingest", content);
            Assert.Equal(HttpStatusCode.Accepted, status);
            using JsonDocument result = JsonDocument.Parse(body);
            Assert.Equal((990, 10), (result.RootElement.GetProperty("accepted").GetInt32(), result.RootElement.GetProperty("rejected").GetInt32()));
            Assert.Equal(Enumerable.Range(0, 10).Select(k => k * 100 + 43), result.RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("line").GetInt32()));
        }

        Assert.Equal(109_000, events.Count);
        foreach (string site in new[] { "alpha", "beta" })
        {
            foreach (string? date in new[] { null, "2026-11-20" })
            {
                string path = $"/stats?site_id={site}" + (date is null ? "" : $"&date={date}");
                string expected = events.ExpectedStats(site, date);
                await WaitForStatsAsync(http, path, expected);
            }
        }

        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
        var counted = Tsv.Rows(await clickHouse.QueryAsync(
            $"SELECT tenant, event_type, sum(events) FROM {db}.events_1m GROUP BY tenant, event_type ORDER BY tenant, event_type FORMAT TSV"));
        Assert.Equal(events.ExpectedByType(), counted.Select(r => $"{r[0]} {r[1]} {r[2]}"));
        Assert.Equal("1000", (await clickHouse.QueryAsync($"SELECT sum(count) FROM {db}.ingest_errors FORMAT TSV")).Trim());
    }

    [Fact]
    public async Task ABatchRetriedWithItsIdempotencyKeyCountsOnceEvenAcrossARestart()
    {
        string db = UniqueName.For("events");
        using var stateFolder = new TempFolder("state");
        string state = stateFolder.Path;
        string batch = string.Join("\n", Enumerable.Range(0, 500).Select(i => $$"""{"site_id":"idem","event_type":"page_view","path":"/{{i % 7}}","user_id":"u{{i % 50}}"}""")) + "\n{broken\n";
        string first;
        await using (ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, $"--FastIngest:StateDirectory={state}"))
        {
            using var http = new HttpClient { BaseAddress = server.HttpUri };
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/ingest", UriKind.Relative)) { Content = Json(batch, "application/x-ndjson") };
            request.Headers.Add("Idempotency-Key", "batch-0001");
            using HttpResponseMessage response = await http.SendAsync(request);
            first = await response.Content.ReadAsStringAsync();
            Assert.Equal("""{"accepted":500,"rejected":1,"errors":[{"line":501,"error":"Invalid JSON"}]}""", first);
            Assert.False(response.Headers.Contains("Idempotent-Replayed"));

            for (int retry = 0; retry < 3; retry++)
            {
                using var again = new HttpRequestMessage(HttpMethod.Post, new Uri("/ingest", UriKind.Relative)) { Content = Json(batch, "application/x-ndjson") };
                again.Headers.Add("Idempotency-Key", "batch-0001");
                using HttpResponseMessage replayed = await http.SendAsync(again);
                Assert.Equal((HttpStatusCode.Accepted, first), (replayed.StatusCode, await replayed.Content.ReadAsStringAsync()));
                Assert.Equal("true", replayed.Headers.GetValues("Idempotent-Replayed").Single());
            }

            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        }

        // A new process with the same state directory still knows the key.
        await using (ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, $"--FastIngest:StateDirectory={state}"))
        {
            using var http = new HttpClient { BaseAddress = server.HttpUri };
            using var again = new HttpRequestMessage(HttpMethod.Post, new Uri("/ingest", UriKind.Relative)) { Content = Json(batch, "application/x-ndjson") };
            again.Headers.Add("Idempotency-Key", "batch-0001");
            using HttpResponseMessage replayed = await http.SendAsync(again);
            Assert.Equal((HttpStatusCode.Accepted, first), (replayed.StatusCode, await replayed.Content.ReadAsStringAsync()));

            // Another key is another batch.
            using var other = new HttpRequestMessage(HttpMethod.Post, new Uri("/ingest", UriKind.Relative)) { Content = Json(batch, "application/x-ndjson") };
            other.Headers.Add("Idempotency-Key", "batch-0002");
            using HttpResponseMessage counted = await http.SendAsync(other);
            Assert.False(counted.Headers.Contains("Idempotent-Replayed"));
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        }

        Assert.Equal("1000\t50", (await clickHouse.QueryAsync(
            $"SELECT (SELECT sum(events) FROM {db}.events_1m WHERE tenant = 'idem'), (SELECT uniqMerge(users) FROM {db}.users_1d WHERE tenant = 'idem') FORMAT TSV")).Trim());
        Assert.Equal("2", (await clickHouse.QueryAsync($"SELECT sum(count) FROM {db}.ingest_errors FORMAT TSV")).Trim());
    }

    [Fact]
    public async Task ASiteIdThatLooksLikeSqlIsStoredAsDataAndChangesNothingElse()
    {
        string db = UniqueName.For("events");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db);
        using var http = new HttpClient { BaseAddress = server.HttpUri };
        string[] hostile = [$"x'); DROP TABLE {db}.events_1m; --", "x\\'; SELECT 1; --", "tab\tnew\nline\u0000nul", "\u00e9t\u00e9 \U0001F600"];
        foreach (string site in hostile.Append("plain"))
        {
            string json = JsonSerializer.Serialize(new { site_id = site, event_type = "page_view", path = "/" + site, user_id = "u" });
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, HttpMethod.Post, "/event", Json(json))).Status);
        }

        foreach (string site in hostile.Append("plain"))
        {
            string expected = JsonSerializer.Serialize(new { site_id = site, date = (string?)null, total_views = 1, unique_users = 1, top_paths = new[] { new { path = "/" + site, views = 1 } } },
                s_relaxed);
            await WaitForStatsAsync(http, "/stats?site_id=" + Uri.EscapeDataString(site), expected);
        }

        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("5\t5", (await clickHouse.QueryAsync($"SELECT count(DISTINCT tenant), sum(events) FROM {db}.events_1m FORMAT TSV")).Trim());
        Assert.Contains("events_1m", await clickHouse.QueryAsync($"SELECT name FROM system.tables WHERE database = '{db}' FORMAT TSV"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysDecideWhoMaySendAndReadAndEachKeyIsRateLimited()
    {
        string db = UniqueName.For("events");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db,
            "--FastIngest:Tenants:shop:ApiKeys:0=shop-key-1", "--FastIngest:Tenants:shop:ApiKeys:1=shop-key-2", "--FastIngest:Tenants:blog:ApiKeys:0=blog-key",
            "--FastIngest:Events:RequestsPerSecond=2", "--FastIngest:Events:Burst=5");
        using var http = new HttpClient { BaseAddress = server.HttpUri };
        static Action<HttpRequestMessage> Bearer(string key) => r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        static Action<HttpRequestMessage> ApiKey(string key) => r => r.Headers.Add("X-Api-Key", key);
        string shopEvent = """{"site_id":"shop","event_type":"page_view","path":"/"}""";

        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(http, HttpMethod.Post, "/event", Json(shopEvent))).Status);
        Assert.Equal(
            (HttpStatusCode.Unauthorized, """{"error":"Missing or invalid API key"}"""),
            await SendAsync(http, HttpMethod.Post, "/event", Json(shopEvent), Bearer("shop-key-3")));
        Assert.Equal(
            (HttpStatusCode.Forbidden, """{"error":"Forbidden: this API key may not send events for this site_id"}"""),
            await SendAsync(http, HttpMethod.Post, "/event", Json(shopEvent), Bearer("blog-key")));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, HttpMethod.Post, "/event", Json(shopEvent), Bearer("shop-key-2"))).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, HttpMethod.Post, "/event", Json(shopEvent), ApiKey("shop-key-1"))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(http, HttpMethod.Get, "/stats?site_id=shop", null, ApiKey("blog-key"))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(http, HttpMethod.Get, "/stats?site_id=shop")).Status);
        (HttpStatusCode batchStatus, string batchBody) = await SendAsync(http, HttpMethod.Post, "/ingest",
            Json(shopEvent + "\n" + shopEvent.Replace("\"shop\"", "\"blog\"", StringComparison.Ordinal) + "\n", "application/x-ndjson"), ApiKey("blog-key"));
        Assert.Equal((HttpStatusCode.Accepted, """{"accepted":1,"rejected":1,"errors":[{"line":1,"error":"Forbidden: this API key may not send events for this site_id"}]}"""), (batchStatus, batchBody));

        // Per key: blog-key has spent 3 of its 5; a burst of 10 more gets 429s with Retry-After, shop-key-1 is unaffected.
        var statuses = new List<HttpStatusCode>();
        string? retryAfter = null;
        for (int i = 0; i < 10; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/stats?site_id=blog", UriKind.Relative));
            request.Headers.Add("X-Api-Key", "blog-key");
            using HttpResponseMessage response = await http.SendAsync(request);
            statuses.Add(response.StatusCode);
            retryAfter ??= response.Headers.RetryAfter?.ToString();
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.Contains(HttpStatusCode.OK, statuses);
        Assert.NotNull(retryAfter);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, HttpMethod.Get, "/stats?site_id=shop", null, ApiKey("shop-key-1"))).Status);

        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        Assert.DoesNotContain("shop-key", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("blog-key", server.Output, StringComparison.Ordinal);
        Assert.Equal("blog\t1\nshop\t2", (await clickHouse.QueryAsync($"SELECT tenant, sum(events) FROM {db}.events_1m GROUP BY tenant ORDER BY tenant FORMAT TSV")).Trim());
    }

    /// <summary>Deterministic events and what /stats must say of them, computed here, not by the server.</summary>
    private sealed class EventGenerator(int seed)
    {
        private readonly Random _random = new(seed);
        private readonly List<(string Site, string Type, string Path, string? User, string Date)> _sent = [];

        public int Count => _sent.Count;

        public string Next()
        {
            string site = _random.Next(2) == 0 ? "alpha" : "beta";
            string type = _random.Next(5) == 0 ? "click" : "page_view";
            // Skewed, so the top ten is mostly decided by counts, sometimes by the path as tie-break.
            string path = "/p" + Math.Min(29, (int)(-Math.Log(1 - _random.NextDouble()) * 6));
            string? user = _random.Next(10) == 0 ? null : "u" + _random.Next(2_000);
            string date = _random.Next(5) == 0 ? "2026-11-21" : "2026-11-20";
            string time = $"{date}T{_random.Next(24):00}:{_random.Next(60):00}:{_random.Next(60):00}Z";
            _sent.Add((site, type, path, user, date));
            return JsonSerializer.Serialize(new Dictionary<string, string?> { ["site_id"] = site, ["event_type"] = type, ["path"] = path, ["user_id"] = user, ["timestamp"] = time });
        }

        public string ExpectedStats(string site, string? date)
        {
            var events = _sent.Where(e => e.Site == site && (date is null || e.Date == date)).ToList();
            var views = events.Where(e => e.Type == "page_view").ToList();
            var top = views.GroupBy(e => e.Path).Select(g => (Path: g.Key, Views: g.Count()))
                .OrderByDescending(p => p.Views).ThenBy(p => p.Path, StringComparer.Ordinal).Take(10);
            int users = events.Where(e => e.User is not null).Select(e => e.User).Distinct().Count();
            string dateJson = date is null ? "null" : $"\"{date}\"";
            return $"{{\"site_id\":\"{site}\",\"date\":{dateJson},\"total_views\":{views.Count},\"unique_users\":{users},\"top_paths\":[" +
                string.Join(",", top.Select(p => $"{{\"path\":\"{p.Path}\",\"views\":{p.Views}}}")) + "]}";
        }

        public IEnumerable<string> ExpectedByType() =>
            _sent.GroupBy(e => (e.Site, e.Type)).OrderBy(g => g.Key.Site, StringComparer.Ordinal).ThenBy(g => g.Key.Type, StringComparer.Ordinal)
                .Select(g => $"{g.Key.Site} {g.Key.Type} {g.Count()}");
    }
}
