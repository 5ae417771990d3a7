using System.Net.Sockets;
using System.Text;
using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.Dashboard;

/// <summary>
/// Known traffic through the server's real doors: NGINX lines over TCP syslog (spread over the last
/// <see cref="SpreadMinutes"/> minutes, and a few a day and a half ago: the previous period of a 24 h view),
/// pixel hits on the pixel's own port, events through <c>/event</c>, and one line the parser refuses.
/// Each path has its own count and size, so the top lists have no ties.
/// </summary>
internal static class KnownTraffic
{
    public const int SpreadMinutes = 20 * 60;

    private static readonly string[] s_paths = ["/", "/media/video.mp4", "/media/a.webp", "/app.css", "/app.js"];
    private static readonly int[] s_bodies = [1_234, 250_000, 40_000, 3_000, 777];
    private static readonly int[] s_statuses = [200, 200, 304, 404, 500, 200];
    private static readonly string[] s_cache = ["HIT", "MISS", "HIT", "EXPIRED", "", "BYPASS"];

    /// <summary>Sends <paramref name="lines"/> lines for <paramref name="tenant"/> (path i gets a share that falls with i); returns how many.</summary>
    public static async Task<int> SyslogAsync(ServerProcess server, string tenant, int lines, DateTimeOffset now, int spreadMinutes = SpreadMinutes, int previousPeriodLines = 0)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", server.TcpPort);
        NetworkStream stream = tcp.GetStream();
        int sent = 0;
        for (int j = 0; j < lines + previousPeriodLines; j++)
        {
            // Path 0 gets the most lines, path 4 the fewest: 1 + 2 + 3 + 4 + 5 shares.
            int path = Share(j % 15);
            DateTimeOffset time = j < lines
                ? now.AddMinutes(-(j * 37 % Math.Max(1, spreadMinutes)) - 1)
                : now.AddHours(-30).AddMinutes(-(j % 50));
            string line = new NginxLineBuilder()
                .Time(time)
                .Set("request_id", "809c7818c24c24e7951cb787e5e56ae6")
                .Set("remote_addr", $"10.0.{j % 3}.{j % 7}")
                .Set("remote_user", "")
                .Set("request_method", "GET")
                .Set("request_uri", s_paths[path])
                .Set("uri", s_paths[path])
                .Set("args", "")
                .Set("server_protocol", "HTTP/1.1")
                .Set("status", s_statuses[j % s_statuses.Length])
                .Set("body_bytes_sent", s_bodies[path])
                .Set("bytes_sent", s_bodies[path] + 200)
                .Set("request_length", "94")
                .RequestTime(j % 300)
                .Set("upstream_addr", "")
                .Set("upstream_response_time", "")
                .Set("upstream_cache_status", s_cache[j % s_cache.Length])
                .Set("http_host", tenant + ".example")
                // Direct, search, social and the site's own pages (issue 18: the sources panel).
                .Set("http_referer", (j % 4) switch { 0 => "", 1 => "https://www.google.com/", 2 => "https://t.co/x", _ => $"https://{tenant}.example/pricing" })
                .Set("http_user_agent", "Mozilla/5.0 (X11; Linux x86_64) dashboard-test")
                .Set("http_x_forwarded_for", "")
                .Set("scheme", "https")
                .Set("connection", "29")
                .Set("connection_requests", "1")
                .ToJson();
            await stream.WriteAsync(SyslogFrames.OctetCounted(NginxLineBuilder.SyslogDatagram(tenant, line, withHostname: true, time)));
            sent++;
        }

        return sent;
    }

    /// <summary>One line the parser refuses (not JSON), tagged <paramref name="tenant"/>: a refusal of that tenant.</summary>
    public static async Task RefusedLineAsync(ServerProcess server, string tenant)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", server.TcpPort);
        await tcp.GetStream().WriteAsync(SyslogFrames.OctetCounted(NginxLineBuilder.SyslogDatagram(tenant, "{\"status\": broken", withHostname: true, DateTimeOffset.UtcNow)));
    }

    public static async Task PixelAsync(ServerProcess server, string tenant, string key, int hits)
    {
        using var http = new HttpClient { BaseAddress = server.PixelUri };
        for (int i = 0; i < hits; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/p/{tenant}/{key}.gif", UriKind.Relative));
            request.Headers.UserAgent.ParseAdd("Mozilla/5.0 dashboard-test");
            using HttpResponseMessage response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
        }
    }

    public static async Task EventsAsync(ServerProcess server, string tenant, string type, string path, int count, string? key = null)
    {
        using var http = new HttpClient { BaseAddress = server.HttpUri };
        for (int i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/event", UriKind.Relative))
            {
                Content = new StringContent($$"""{"site_id":"{{tenant}}","event_type":"{{type}}","path":"{{path}}","user_id":"u{{i % 3}}"}""", Encoding.UTF8, "application/json"),
            };
            if (key is not null)
            {
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
            }

            using HttpResponseMessage response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
        }
    }

    private static int Share(int slot) => slot < 5 ? 0 : slot < 9 ? 1 : slot < 12 ? 2 : slot < 14 ? 3 : 4;
}
