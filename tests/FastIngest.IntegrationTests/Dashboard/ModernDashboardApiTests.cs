using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard's SQL on modern ClickHouse (26.7, chDB) as well: every panel, in each grain and in a zone
/// other than UTC, answers, and the traffic adds up to what was sent.
/// </summary>
[Collection("ModernClickHouse")]
[Trait("Category", "Integration")]
public sealed class ModernDashboardApiTests(ModernClickHouse clickHouse)
{
    private static readonly string[] s_panels =
        ["summary", "traffic", "status", "cache", "top_files_downloads", "top_files_bytes", "visitors", "pixel", "events", "event_paths", "refusals", "sources", "devices"];

    [Fact]
    public async Task EveryPanelAnswersInEveryGrainOnModernClickHouse()
    {
        string db = UniqueName.For("modern_dashboard");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, ServerProcess.AnyLateness);
        using var http = new HttpClient { BaseAddress = server.HttpUri };
        DateTime now = DateTime.UtcNow;
        DateTime hour = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerHour), DateTimeKind.Utc).AddHours(-1);
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            socket.Connect(new IPEndPoint(IPAddress.Loopback, server.UdpPort));
            for (int i = 0; i < 12; i++)
            {
                string line = new NginxLineBuilder().Time(new DateTimeOffset(hour.AddMinutes(5 * i))).Set("remote_addr", "10.1.1.1").Set("request_uri", "/x")
                    .Set("uri", "/x").Set("status", 200).Set("body_bytes_sent", 10).Set("bytes_sent", 20).Set("upstream_cache_status", "HIT").ToJson();
                socket.Send(NginxLineBuilder.SyslogDatagram("shop", line, withHostname: false));
            }
        }

        string body = $$"""{"site_id":"shop","event_type":"page_view","path":"/a","timestamp":"{{hour.AddMinutes(1):yyyy-MM-dd'T'HH:mm:ss'Z'}}"}""";
        using (HttpResponseMessage sent = await http.PostAsync(new Uri("/event", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        }

        (TimeSpan Length, string Grain)[] grains = [(TimeSpan.FromHours(3), "minute"), (TimeSpan.FromDays(2), "hour"), (TimeSpan.FromDays(30), "day")];
        foreach (string tz in new[] { "UTC", "Europe/Berlin" })
        {
            foreach ((TimeSpan length, string grain) in grains)
            {
                string range = $"from={hour.AddHours(-1) - length + TimeSpan.FromHours(2):yyyy-MM-dd'T'HH:mm:ss'Z'}&to={hour.AddHours(2):yyyy-MM-dd'T'HH:mm:ss'Z'}&tz={tz}";
                await Eventually.TrueAsync(
                    async () => Sum(await GetAsync(http, $"/api/v1/tenants/shop/panels/traffic?{range}"), 1) == 12,
                    TimeSpan.FromSeconds(60), $"traffic over {length} in {tz} to add up to the 12 requests sent");
                JsonElement traffic = await GetAsync(http, $"/api/v1/tenants/shop/panels/traffic?{range}");
                Assert.Equal(grain, traffic.GetProperty("grain").GetString());
                Assert.Equal(12 * 20, Sum(traffic, 2));
                foreach (string panel in s_panels)
                {
                    JsonElement answer = await GetAsync(http, $"/api/v1/tenants/shop/panels/{panel}?{range}");
                    Assert.Equal(panel, answer.GetProperty("panel").GetString());
                }

                Assert.Equal("12", Cell(await GetAsync(http, $"/api/v1/tenants/shop/panels/summary?{range}"), 0, 1));
                Assert.Equal("1", Cell(await GetAsync(http, $"/api/v1/tenants/shop/panels/events?{range}"), 0, 1));
                Assert.Equal("12", Cell(await GetAsync(http, $"/api/v1/tenants/shop/panels/cache?{range}"), 0, 1));
            }
        }

        await Eventually.TrueAsync(
            async () => await http.GetStringAsync(new Uri("/api/v1/tenants", UriKind.Relative)) == """{"tenants":["shop"],"truncated":false}""",
            TimeSpan.FromSeconds(60), "shop to be listed");
    }

    private static async Task<JsonElement> GetAsync(HttpClient http, string path)
    {
        using HttpResponseMessage response = await http.GetAsync(new Uri(path, UriKind.Relative));
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static long Sum(JsonElement panel, int column) => panel.GetProperty("rows").EnumerateArray().Sum(r => r[column].GetInt64());

    private static string Cell(JsonElement panel, int row, int column) => panel.GetProperty("rows")[row][column].GetRawText();
}
