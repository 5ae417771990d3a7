using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>
/// What one tenant's lines must add up to in ClickHouse, computed by the test from the lines it sent (or
/// that NGINX logged), independently of the server's parser.
/// </summary>
internal sealed class TenantTotals
{
    private static readonly Regex s_combined = new(
        @"^\S+ - \S+ \[(?<time>[^\]]+)\] ""(?<request>[^""]*)"" (?<status>\d{3}) (?<body>\d+|-) ""[^""]*"" ""[^""]*""(?: ""(?<cache>[^""]*)"")?$",
        RegexOptions.CultureInvariant);

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

    /// <summary>The totals of NGINX <c>combined</c> lines, with or without a trailing <c>"$upstream_cache_status"</c>.</summary>
    public static TenantTotals OfCombinedLines(IEnumerable<string> lines)
    {
        var totals = new TenantTotals();
        foreach (string line in lines)
        {
            totals.AddCombinedLine(line);
        }

        return totals;
    }

    /// <summary>
    /// Adds a <c>combined</c> line as NGINX wrote it (no <c>$bytes_sent</c>, no <c>$request_time</c>), read with a
    /// regular expression of the test's own; the path is the request's target without its query, unescaped.
    /// </summary>
    public void AddCombinedLine(string line)
    {
        Match m = s_combined.Match(line);
        Assert.True(m.Success, "not a combined line: " + line);
        string time = m.Groups["time"].Value;
        long timeMs = DateTimeOffset.ParseExact(time[..^2] + ":" + time[^2..], "dd/MMM/yyyy:HH:mm:ss zzz", CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        string body = m.Groups["body"].Value;
        string cache = m.Groups["cache"].Value;
        Add(
            timeMs,
            int.Parse(m.Groups["status"].Value, CultureInfo.InvariantCulture),
            0,
            body == "-" ? 0 : long.Parse(body, CultureInfo.InvariantCulture),
            null,
            cache,
            CombinedPath(line) is { Length: > 0 } path ? Convert.ToHexString(path) : "");
    }

    /// <summary>The bytes of a combined line's path: its request's target cut at '?', NGINX's <c>\xXX</c> undone; empty for none.</summary>
    public static byte[] CombinedPath(string line)
    {
        Match m = s_combined.Match(line);
        Assert.True(m.Success, "not a combined line: " + line);
        string[] request = m.Groups["request"].Value.Split(' ');
        return request.Length < 2 ? [] : Unescape(request[1].Split('?')[0]);
    }

    /// <summary>NGINX's default log escaping undone: <c>\xXX</c> is one byte; the line is otherwise ASCII.</summary>
    public static byte[] Unescape(string escaped)
    {
        var bytes = new List<byte>(escaped.Length);
        for (int i = 0; i < escaped.Length; i++)
        {
            if (escaped[i] == '\\' && i + 3 < escaped.Length && escaped[i + 1] == 'x')
            {
                bytes.Add(Convert.ToByte(escaped.Substring(i + 2, 2), 16));
                i += 3;
            }
            else
            {
                bytes.Add(checked((byte)escaped[i]));
            }
        }

        return [.. bytes];
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
