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

    /// <summary>The agent of every <paramref name="botEvery"/>th line of <see cref="NginxLines(int, int)"/>: a crawler, counted as a request but no visitor.</summary>
    public const string Googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

    private readonly Random _random;
    private readonly int _botEvery;
    private long _lines;

    /// <param name="botEvery">Every this many lines come from Googlebot (issue 18: bots are no visitors); 0, the default: none.</param>
    public NginxLines(int seed, int botEvery = 0)
    {
        _random = new Random(seed);
        _botEvery = botEvery;
    }

    /// <summary>Lines per tenant that came from Googlebot (see the constructor's <c>botEvery</c>).</summary>
    public Dictionary<string, long> BotRequests { get; } = [];

    public Dictionary<string, TenantTotals> Expected { get; } = [];

    /// <summary>The agent of every person's line: a browser nothing more is known of, on Linux (<c>other/linux/unknown</c>).</summary>
    public const string Agent = "Mozilla/5.0 (X11; Linux x86_64) \\ test";

    /// <summary>Lines for /p/acme/home.gif that NGINX served (status below 400): pixel hits of tenant acme.</summary>
    public long AcmeHomePixelHits { get; private set; }

    /// <summary>Distinct (UTC day, address) pairs of those pixel hits: acme's unique visitors, summed over days.</summary>
    public HashSet<string> AcmeHomeVisitors { get; } = [];

    /// <summary>
    /// <paramref name="count"/> lines as octet-counted syslog frames (RFC 6587, what a relay sends over TCP), of
    /// five tenants <paramref name="tenantPrefix"/>0 to 4 in turn from <paramref name="step"/>, timed back from now.
    /// </summary>
    public byte[] OctetCountedFrames(int count, int step, string tenantPrefix)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var frames = new MemoryStream();
        for (int i = 0; i < count; i++)
        {
            string tenant = tenantPrefix + ((i + step) % 5).ToString(System.Globalization.CultureInfo.InvariantCulture);
            frames.Write(SyslogFrames.OctetCounted(NginxLineBuilder.SyslogDatagram(tenant, Line(tenant, now - i), withHostname: true)));
        }

        return frames.ToArray();
    }

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
        bool bot = _botEvery > 0 && ++_lines % _botEvery == 0;
        BotRequests[tenant] = BotRequests.GetValueOrDefault(tenant) + (bot ? 1 : 0);
        // Every person's line has the same agent, so a visitor is an address on a day; a bot is none.
        if (!bot)
        {
            totals.Visitors.Add($"{timeMs / 86_400_000}|{address}");
        }

        if (path == "/p/acme/home.gif" && status < 400)
        {
            AcmeHomePixelHits++;
            if (!bot)
            {
                AcmeHomeVisitors.Add($"{timeMs / 86_400_000}|{address}");
            }
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
            .Set("http_user_agent", bot ? Googlebot : Agent)
            .Set("http_x_forwarded_for", "")
            .Set("scheme", "http")
            .Set("connection", "29")
            .Set("connection_requests", "1")
            .ToJson();
    }
}
