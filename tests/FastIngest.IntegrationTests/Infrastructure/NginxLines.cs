namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>
/// Random but seeded NGINX <c>fastingest</c> JSON lines (written by <see cref="NginxLineBuilder"/>), and the
/// totals a test expects of them, computed here, independently of the server.
/// </summary>
internal sealed class NginxLines
{
    private static readonly int[] s_statuses = [200, 200, 200, 200, 206, 301, 304, 404, 404, 500, 503];
    private static readonly string[] s_cache = ["", "", "HIT", "HIT", "MISS", "EXPIRED", "BYPASS"];
    private static readonly string[] s_paths = ["/", "/media/a.webp", "/media/video.mp4", "/api/cart", "/p/acme/home.gif", "/blog/\u00e9t\u00e9"];

    private readonly Random _random;

    public NginxLines(int seed) => _random = new Random(seed);

    public Dictionary<string, TenantTotals> Expected { get; } = [];

    /// <summary>Lines for /p/acme/home.gif that NGINX served (status below 400): pixel hits of tenant acme.</summary>
    public long AcmeHomePixelHits { get; private set; }

    /// <summary>Distinct (UTC day, address) pairs of those pixel hits: acme's unique visitors, summed over days.</summary>
    public HashSet<string> AcmeHomeVisitors { get; } = [];

    /// <summary>A JSON line for <paramref name="tenant"/> at <paramref name="timeMs"/>, recorded in <see cref="Expected"/>.</summary>
    public string Line(string tenant, long timeMs)
    {
        int status = s_statuses[_random.Next(s_statuses.Length)];
        long body = _random.Next(0, 200_000);
        long bytes = body + 150 + _random.Next(0, 100);
        int requestTimeMs = _random.Next(0, 2500);
        string cache = s_cache[_random.Next(s_cache.Length)];
        string path = s_paths[_random.Next(s_paths.Length)];

        if (!Expected.TryGetValue(tenant, out TenantTotals? totals))
        {
            Expected[tenant] = totals = new TenantTotals();
        }

        totals.Add(timeMs, status, bytes, body, requestTimeMs, cache, path);
        (long Requests, long Body, long Hit, long Miss) file = totals.Paths.GetValueOrDefault(path);
        totals.Paths[path] = (file.Requests + 1, file.Body + body, file.Hit + (cache == "HIT" ? 1 : 0), file.Miss + (cache == "MISS" ? 1 : 0));

        string address = $"10.0.{_random.Next(256)}.{_random.Next(256)}";
        // Every line has the same agent, so a visitor is an address on a day.
        totals.Visitors.Add($"{timeMs / 86_400_000}|{address}");
        if (path == "/p/acme/home.gif" && status < 400)
        {
            AcmeHomePixelHits++;
            AcmeHomeVisitors.Add($"{timeMs / 86_400_000}|{address}");
        }

        // The fields of the corpus's lines (tests/data), in their order.
        return new NginxLineBuilder()
            .Time(timeMs)
            .Set("request_id", "809c7818c24c24e7951cb787e5e56ae6")
            .Set("remote_addr", address)
            .Set("remote_user", "")
            .Set("request_method", "GET")
            .Set("request_uri", path + "?q=1")
            .Set("uri", path)
            .Set("args", "q=1")
            .Set("server_protocol", "HTTP/1.1")
            .Set("status", status)
            .Set("body_bytes_sent", body)
            .Set("bytes_sent", bytes)
            .Set("request_length", "94")
            .RequestTime(requestTimeMs)
            .Set("upstream_addr", "")
            .Set("upstream_response_time", "")
            .Set("upstream_cache_status", cache)
            .Set("http_host", "example.com")
            .Set("http_referer", "https://example.com/search?q=\"quoted\"")
            .Set("http_user_agent", "Mozilla/5.0 (X11; Linux x86_64) \\ test")
            .Set("http_x_forwarded_for", "")
            .Set("scheme", "http")
            .Set("connection", "29")
            .Set("connection_requests", "1")
            .ToJson();
    }
}
