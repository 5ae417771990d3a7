using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using FastIngest.Testing;

namespace FastIngest.LoadGen;

/// <summary>
/// Deterministic traffic: the real NGINX 1.22 JSON lines of tests/data, varied with a fixed seed into
/// many tenants, paths, statuses, agents, addresses and cache statuses. The same seed gives the same
/// bytes on every machine, so FastIngest and each peer get exactly the same work.
/// </summary>
/// <remarks>Cold path: everything is built once, before the clock starts.</remarks>
internal sealed class Workload
{
    private const int Seed = 20261123;

    // NGINX's escape=json writes \" and \\ and leaves UTF-8 alone: the relaxed encoder does the same.
    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly string[] s_agents =
    [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "curl/7.88.1",
        "Wget/1.21.3",
    ];

    private static readonly string[] s_statuses = ["200", "200", "200", "200", "200", "200", "304", "304", "206", "301", "404", "404", "403", "499", "500", "502"];
    private static readonly string[] s_cache = ["", "", "", "HIT", "HIT", "MISS", "EXPIRED", "BYPASS", "STALE", "REVALIDATED"];
    private static readonly string[] s_methods = ["GET", "GET", "GET", "GET", "GET", "GET", "POST", "HEAD"];
    private static readonly string[] s_referers = ["", "", "https://www.google.com/", "https://example.com/search?q=\"quoted\"&x=1", "https://news.ycombinator.com/"];

    private readonly Dictionary<string, string>[] _corpus;
    private readonly int _tenants;

    public Workload(int tenants)
    {
        _tenants = Math.Max(1, tenants);
        string corpusPath = Path.Combine(AppContext.BaseDirectory, "data", "access.json.log");
        _corpus = File.ReadAllLines(corpusPath)
            .Where(l => l.Length > 0)
            .Select(ReadFields)
            .ToArray();
    }

    /// <summary>The syslog tag (and tenant) of line <paramref name="i"/>; NGINX allows [A-Za-z0-9_] in tags.</summary>
    public string Tenant(int i) => "t" + (i % _tenants).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// <paramref name="count"/> varied requests, their times spread from <paramref name="start"/> by
    /// <paramref name="step"/> each.
    /// </summary>
    public Request[] Requests(int count, DateTimeOffset start, TimeSpan step) => Generate(count, start, step).ToArray();

    /// <summary>The same sequence as <see cref="Requests"/>, one at a time (for files of millions of lines).</summary>
    public IEnumerable<Request> Generate(long count, DateTimeOffset start, TimeSpan step)
    {
        var random = new Random(Seed);
        for (int i = 0; i < count; i++)
        {
            Dictionary<string, string> template = _corpus[i % _corpus.Length];
            int pathKind = random.Next(10);
            string tenant = Tenant(i);
            int item = random.Next(500);
            string uri = pathKind switch
            {
                0 => "/",
                1 or 2 => "/blog/post-" + item.ToString(CultureInfo.InvariantCulture),
                3 or 4 or 5 => "/media/" + (item % 97).ToString(CultureInfo.InvariantCulture) + "/img-" + item.ToString(CultureInfo.InvariantCulture) + ".webp",
                6 => "/api/v1/items/" + item.ToString(CultureInfo.InvariantCulture),
                // A pixel NGINX served itself (empty_gif) counts for the tenant its URL names: the tag's
                // own, so the traffic has exactly --tenants tenants.
                7 => "/p/" + tenant + "/k" + (item % 20).ToString(CultureInfo.InvariantCulture) + ".gif",
                _ => template["uri"].StartsWith("/p/", StringComparison.Ordinal) ? "/p/" + tenant + "/home.gif" : template["uri"],
            };
            string args = random.Next(4) == 0 ? "r=" + random.Next(1000).ToString(CultureInfo.InvariantCulture) : "";
            string status = s_statuses[random.Next(s_statuses.Length)];
            int body = status is "304" or "301" ? 0 : random.Next(43, 250_000);
            double requestTime = random.Next(20) == 0 ? random.Next(100, 6000) / 1000.0 : random.Next(0, 60) / 1000.0;
            yield return new Request(
                Tenant: tenant,
                Time: start + (step * i),
                RemoteAddr: string.Create(CultureInfo.InvariantCulture, $"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{random.Next(1, 255)}"),
                Method: s_methods[random.Next(s_methods.Length)],
                Uri: uri,
                Args: args,
                Status: status,
                BodyBytesSent: body,
                BytesSent: body + 180 + random.Next(200),
                RequestTime: requestTime,
                CacheStatus: s_cache[random.Next(s_cache.Length)],
                Host: "site" + (i % _tenants).ToString(CultureInfo.InvariantCulture) + ".example",
                Referer: s_referers[random.Next(s_referers.Length)],
                Agent: s_agents[random.Next(s_agents.Length)],
                Template: template);
        }
    }

    /// <summary>One NGINX JSON access-log line (the log_format of nginx/fastingest-log-format.conf), no LF.</summary>
    public static byte[] JsonLine(Request r) =>
        // The corpus's field order, its values replaced where the request varies them.
        new NginxLineBuilder(r.Template)
            .Time(r.Time)
            .Set("remote_addr", r.RemoteAddr)
            .Set("request_method", r.Method)
            .Set("request_uri", r.Args.Length == 0 ? r.Uri : r.Uri + "?" + r.Args)
            .Set("uri", r.Uri)
            .Set("args", r.Args)
            .Set("status", r.Status)
            .Set("body_bytes_sent", r.BodyBytesSent)
            .Set("bytes_sent", r.BytesSent)
            .Set("request_time", r.RequestTime.ToString("F3", CultureInfo.InvariantCulture))
            .Set("upstream_cache_status", r.CacheStatus)
            .Set("http_host", r.Host)
            .Set("http_referer", r.Referer)
            .Set("http_user_agent", r.Agent)
            .ToUtf8();

    /// <summary>
    /// The same request as an NGINX <c>combined</c> line, no LF. NGINX escapes <c>$request</c> as every
    /// variable (<see cref="EscapedLikeNginx"/>); the corpus has URIs with quotes, which written raw made
    /// 1.2 % of the file unparseable (bench/compare.sh counted them refused), and with non-ASCII bytes.
    /// </summary>
    public static byte[] CombinedLine(Request r) =>
        Encoding.UTF8.GetBytes(NginxLineBuilder.Combined(
            r.RemoteAddr, r.Time.ToUniversalTime(), EscapedLikeNginx($"{r.Method} {(r.Args.Length == 0 ? r.Uri : r.Uri + "?" + r.Args)} HTTP/1.1"),
            int.Parse(r.Status, CultureInfo.InvariantCulture), r.BodyBytesSent, r.Referer, r.Agent));

    /// <summary>NGINX's default log escaping: a quote, a backslash and any byte below 32 or above 126 as <c>\xXX</c>.</summary>
    private static string EscapedLikeNginx(string value)
    {
        var escaped = new StringBuilder(value.Length + 16);
        foreach (byte b in Encoding.UTF8.GetBytes(value))
        {
            if (b is (byte)'"' or (byte)'\\' or < 32 or > 126)
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\x{b:X2}");
            }
            else
            {
                escaped.Append((char)b);
            }
        }

        return escaped.ToString();
    }

    /// <summary>
    /// The same request as a typed JSONEachRow row, what a user who skipped FastIngest would load into
    /// a typed ClickHouse table (numbers as numbers, time as 'YYYY-MM-DD hh:mm:ss' UTC).
    /// </summary>
    public static byte[] TypedRow(Request r)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            json.WriteStartObject();
            json.WriteString("time", r.Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
            json.WriteString("tenant", r.Tenant);
            json.WriteString("remote_addr", r.RemoteAddr);
            json.WriteString("request_method", r.Method);
            json.WriteString("uri", r.Uri);
            json.WriteNumber("status", int.Parse(r.Status, CultureInfo.InvariantCulture));
            json.WriteNumber("body_bytes_sent", r.BodyBytesSent);
            json.WriteNumber("bytes_sent", r.BytesSent);
            json.WriteNumber("request_time", r.RequestTime);
            json.WriteString("upstream_cache_status", r.CacheStatus);
            json.WriteString("http_host", r.Host);
            json.WriteString("http_referer", r.Referer);
            json.WriteString("http_user_agent", r.Agent);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The datagram NGINX sends for the line (tests/data/syslog-udp.b64): RFC 3164, with or without a host.</summary>
    public static byte[] SyslogDatagram(Request r, int i) => NginxLineBuilder.SyslogDatagram(r.Tenant, JsonLine(r), withHostname: i % 2 == 0, r.Time);

    /// <summary>One event of the HTTP event API (POST /ingest, NDJSON), no LF.</summary>
    public static byte[] Event(Request r, int i)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            json.WriteStartObject();
            json.WriteString("site_id", r.Tenant);
            json.WriteString("event_type", i % 5 == 0 ? "click" : "page_view");
            // The corpus's deliberately huge URIs would be refused as field_too_long: events carry short paths.
            json.WriteString("path", r.Uri.Length <= 200 ? r.Uri : "/long");
            json.WriteString("user_id", "u" + (i % 5000).ToString(CultureInfo.InvariantCulture));
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static Dictionary<string, string> ReadFields(string line)
    {
        // Insertion order is kept by Dictionary as long as nothing is removed, which is the field order.
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        using JsonDocument document = JsonDocument.Parse(line);
        foreach (JsonProperty property in document.RootElement.EnumerateObject())
        {
            fields[property.Name] = property.Value.GetString() ?? "";
        }

        return fields;
    }
}

/// <summary>One generated request, before it is written in any of the formats.</summary>
internal readonly record struct Request(
    string Tenant,
    DateTimeOffset Time,
    string RemoteAddr,
    string Method,
    string Uri,
    string Args,
    string Status,
    int BodyBytesSent,
    int BytesSent,
    double RequestTime,
    string CacheStatus,
    string Host,
    string Referer,
    string Agent,
    Dictionary<string, string> Template);
