using System.Globalization;
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
    private static StringContent Json(string body, string type = "application/json") => new(body, Encoding.UTF8, type);

    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpClient http, HttpMethod method, string path, HttpContent? content = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        configure?.Invoke(request);
        using HttpResponseMessage response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Counters reach ClickHouse a flush (about a second) after the events; the tables one insert apart.</summary>
    private static async Task<string> PollStatsAsync(HttpClient http, string path, string expected)
    {
        string stats = "";
        for (int i = 0; i < 150 && stats != expected; i++)
        {
            await Task.Delay(100);
            stats = (await SendAsync(http, HttpMethod.Get, path)).Body;
        }

        return stats;
    }

    [Fact]
    public async Task TheContractsExamplesGiveExactlyTheirBodiesAndCodes()
    {
        string db = "events_" + Guid.NewGuid().ToString("N")[..8];
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, "--FastIngest:Events:MaxBatchBytes=100000");
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
        Assert.Equal(Expected, await PollStatsAsync(http, "/stats?site_id=s1&date=2026-11-20", Expected));
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        output.WriteLine(server.Output);
        // Every refusal is in the dead-letter table: 6 from /event (not the 415), 3 from /ingest (two
        // items and the oversized body).
        Assert.Equal("9", (await clickHouse.QueryAsync($"SELECT sum(count) FROM {db}.ingest_errors WHERE source = 'http' FORMAT TSV")).Trim());
    }
}
