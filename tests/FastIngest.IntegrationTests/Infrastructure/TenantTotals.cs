using System.Globalization;
using System.Text.Json;

namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>
/// What one tenant's lines must add up to in ClickHouse, computed by the test from the lines it sent (or
/// that NGINX logged), independently of the server's parser.
/// </summary>
internal sealed class TenantTotals
{
    public long Requests { get; private set; }
    public long BytesSent { get; private set; }
    public long BodyBytesSent { get; private set; }
    /// <summary>Lines that carried a request_time, and its sum in milliseconds.</summary>
    public long RequestTimeCount { get; private set; }
    public long RequestTimeSumMs { get; private set; }
    public long CacheHit { get; private set; }
    public long CacheMiss { get; private set; }
    /// <summary>Lines with a path (uri, or request_uri without its query), and their body bytes: what paths_1h counts.</summary>
    public long PathRequests { get; private set; }
    public long PathBodyBytes { get; private set; }
    public SortedDictionary<int, long> Statuses { get; } = [];
    /// <summary>Requests per minute (Unix seconds of the minute's start), by each line's own time.</summary>
    public SortedDictionary<long, long> RequestsPerMinute { get; } = [];
    /// <summary>Distinct (UTC day, address) pairs: the tenant's unique visitors, summed over days.</summary>
    public HashSet<string> Visitors { get; } = [];
    /// <summary>Per path (file): requests, body bytes, cache hits and misses.</summary>
    public Dictionary<string, (long Requests, long Body, long Hit, long Miss)> Paths { get; } = [];

    /// <param name="requestTimeMs">Null for a line without request_time.</param>
    /// <param name="path">Empty for a line without one (NGINX's answer to a request it could not read).</param>
    public void Add(long timeMs, int status, long bytes, long body, long? requestTimeMs, string cache, string path)
    {
        Requests++;
        BytesSent += bytes;
        BodyBytesSent += body;
        if (requestTimeMs is long ms)
        {
            RequestTimeCount++;
            RequestTimeSumMs += ms;
        }

        CacheHit += cache == "HIT" ? 1 : 0;
        CacheMiss += cache == "MISS" ? 1 : 0;
        Statuses[status] = Statuses.GetValueOrDefault(status) + 1;
        long minute = timeMs / 60_000 * 60;
        RequestsPerMinute[minute] = RequestsPerMinute.GetValueOrDefault(minute) + 1;
        if (path.Length > 0)
        {
            PathRequests++;
            PathBodyBytes += body;
        }
    }

    /// <summary>The totals of <c>fastingest</c> JSON lines as NGINX wrote them (see <see cref="AddJsonLine"/>).</summary>
    public static TenantTotals OfJsonLines(IEnumerable<string> lines)
    {
        var totals = new TenantTotals();
        foreach (string line in lines)
        {
            totals.AddJsonLine(line);
        }

        return totals;
    }

    /// <summary>Adds a <c>fastingest</c> JSON line as NGINX wrote it (every value a string), read with <see cref="JsonDocument"/>.</summary>
    public void AddJsonLine(string line)
    {
        using var document = JsonDocument.Parse(line);
        JsonElement e = document.RootElement;
        string? requestTime = e.TryGetProperty("request_time", out JsonElement rt) ? rt.GetString() : null;
        string path = Text(e, "uri");
        if (path.Length == 0 && Text(e, "request_uri") is { Length: > 0 } requestUri && requestUri != "-")
        {
            path = requestUri.Split('?')[0];
        }

        Add(
            Thousandths(e.GetProperty("msec").GetString()!),
            int.Parse(e.GetProperty("status").GetString()!, CultureInfo.InvariantCulture),
            long.Parse(e.GetProperty("bytes_sent").GetString()!, CultureInfo.InvariantCulture),
            long.Parse(e.GetProperty("body_bytes_sent").GetString()!, CultureInfo.InvariantCulture),
            string.IsNullOrEmpty(requestTime) ? null : Thousandths(requestTime),
            Text(e, "upstream_cache_status"),
            path);
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

    private static string Text(JsonElement line, string field) => line.TryGetProperty(field, out JsonElement value) ? value.GetString() ?? "" : "";

    /// <summary>"1795390945.295" (seconds with milliseconds) as 1795390945295.</summary>
    private static long Thousandths(string value)
    {
        int dot = value.IndexOf('.', StringComparison.Ordinal);
        return dot < 0
            ? long.Parse(value, CultureInfo.InvariantCulture) * 1000
            : (long.Parse(value[..dot], CultureInfo.InvariantCulture) * 1000) + long.Parse(value[(dot + 1)..].PadRight(3, '0')[..3], CultureInfo.InvariantCulture);
    }
}
