using System.Globalization;
using System.Text;

namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>
/// Builds NGINX <c>fastingest</c> JSON lines and syslog datagrams the way NGINX 1.22 writes them (every
/// value a string, escape=json), and keeps the totals a test expects, computed independently of the server.
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

    /// <summary>
    /// A JSON line for <paramref name="tenant"/> at <paramref name="timeMs"/>, recorded in <see cref="Expected"/>
    /// (per path too, unless <paramref name="uniquePath"/> is given: a flood test keeps no million-entry map).
    /// </summary>
    public string Line(string tenant, long timeMs, string? uniquePath = null)
    {
        int status = s_statuses[_random.Next(s_statuses.Length)];
        long body = _random.Next(0, 200_000);
        long bytes = body + 150 + _random.Next(0, 100);
        int requestTimeMs = _random.Next(0, 2500);
        string cache = s_cache[_random.Next(s_cache.Length)];
        string path = uniquePath ?? s_paths[_random.Next(s_paths.Length)];

        if (!Expected.TryGetValue(tenant, out TenantTotals? totals))
        {
            Expected[tenant] = totals = new TenantTotals();
        }

        totals.Add(timeMs / 60_000 * 60, status, bytes, body, requestTimeMs, cache);
        if (uniquePath is null)
        {
            (long Requests, long Body, long Hit, long Miss) file = totals.Paths.GetValueOrDefault(path);
            totals.Paths[path] = (file.Requests + 1, file.Body + body, file.Hit + (cache == "HIT" ? 1 : 0), file.Miss + (cache == "MISS" ? 1 : 0));
        }

        string address = $"10.0.{_random.Next(256)}.{_random.Next(256)}";
        // Every line has the same agent, so a visitor is an address on a day.
        totals.Visitors.Add($"{timeMs / 86_400_000}|{address}");
        if (path == "/p/acme/home.gif" && status < 400)
        {
            AcmeHomePixelHits++;
            AcmeHomeVisitors.Add($"{timeMs / 86_400_000}|{address}");
        }

        var sb = new StringBuilder(700);
        string iso = DateTimeOffset.FromUnixTimeMilliseconds(timeMs).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
        sb.Append("{\"time_iso8601\":\"").Append(iso)
          .Append("\",\"msec\":\"").Append((timeMs / 1000).ToString(CultureInfo.InvariantCulture)).Append('.').Append((timeMs % 1000).ToString("000", CultureInfo.InvariantCulture))
          .Append("\",\"request_id\":\"809c7818c24c24e7951cb787e5e56ae6\",\"remote_addr\":\"").Append(address)
          .Append("\",\"remote_user\":\"\",\"request_method\":\"GET\",\"request_uri\":\"").Append(path).Append("?q=1")
          .Append("\",\"uri\":\"").Append(path)
          .Append("\",\"args\":\"q=1\",\"server_protocol\":\"HTTP/1.1\",\"status\":\"").Append(status)
          .Append("\",\"body_bytes_sent\":\"").Append(body)
          .Append("\",\"bytes_sent\":\"").Append(bytes)
          .Append("\",\"request_length\":\"94\",\"request_time\":\"").Append(requestTimeMs / 1000).Append('.').Append((requestTimeMs % 1000).ToString("000", CultureInfo.InvariantCulture))
          .Append("\",\"upstream_addr\":\"\",\"upstream_response_time\":\"\",\"upstream_cache_status\":\"").Append(cache)
          .Append("\",\"http_host\":\"example.com\",\"http_referer\":\"https://example.com/search?q=\\\"quoted\\\"\",\"http_user_agent\":\"Mozilla/5.0 (X11; Linux x86_64) \\\\ test\"")
          .Append(",\"http_x_forwarded_for\":\"\",\"scheme\":\"http\",\"connection\":\"29\",\"connection_requests\":\"1\"}");
        return sb.ToString();
    }

    /// <summary>An RFC 3164 datagram as NGINX sends it (with or without the hostname).</summary>
    public static byte[] Datagram(string tenant, string line, bool withHostname)
    {
        string header = withHostname ? $"<190>Nov 22 23:42:25 vm {tenant}: " : $"<190>Nov 22 23:42:25 {tenant}: ";
        return Encoding.UTF8.GetBytes(header + line);
    }
}

/// <summary>What one tenant's lines must add up to in ClickHouse.</summary>
internal sealed class TenantTotals
{
    public long Requests { get; private set; }
    public long BytesSent { get; private set; }
    public long BodyBytesSent { get; private set; }
    public long RequestTimeSumMs { get; private set; }
    public long CacheHit { get; private set; }
    public long CacheMiss { get; private set; }
    public SortedDictionary<int, long> Statuses { get; } = [];
    public SortedDictionary<long, long> RequestsPerMinute { get; } = [];
    /// <summary>Distinct (UTC day, address) pairs: the tenant's unique visitors, summed over days.</summary>
    public HashSet<string> Visitors { get; } = [];
    /// <summary>Per path (file): requests, body bytes, cache hits and misses.</summary>
    public Dictionary<string, (long Requests, long Body, long Hit, long Miss)> Paths { get; } = [];

    public void Add(long minute, int status, long bytes, long body, long requestTimeMs, string cache)
    {
        Requests++;
        BytesSent += bytes;
        BodyBytesSent += body;
        RequestTimeSumMs += requestTimeMs;
        CacheHit += cache == "HIT" ? 1 : 0;
        CacheMiss += cache == "MISS" ? 1 : 0;
        Statuses[status] = Statuses.GetValueOrDefault(status) + 1;
        RequestsPerMinute[minute] = RequestsPerMinute.GetValueOrDefault(minute) + 1;
    }

    public long StatusClass(int hundreds)
    {
        long sum = 0;
        foreach (KeyValuePair<int, long> pair in Statuses)
        {
            sum += pair.Key / 100 == hundreds ? pair.Value : 0;
        }

        return sum;
    }
}
