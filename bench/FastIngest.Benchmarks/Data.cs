using System.Globalization;
using System.Text;
using System.Text.Json;

namespace FastIngest.Benchmarks;

/// <summary>
/// Benchmark inputs: the real NGINX 1.22 lines and datagrams of tests/data, varied deterministically
/// (tenants, statuses, paths) and scaled up so one invocation sees a realistic mix.
/// </summary>
public static class Data
{
    public const int Lines = 4096;

    /// <summary>
    /// The second the corpus's lines "arrive": their own day (2026-11-22), so the shard's time window
    /// counts them, as a live door counts fresh lines, instead of measuring the refusal.
    /// </summary>
    public const uint ArrivedAt = 1_795_391_000;

    private static readonly string[] s_corpusLines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "data", "access.json.log"));

    /// <summary>JSON lines, UTF-8, no newline.</summary>
    public static byte[][] JsonLines { get; } = Build(static (line, i) => Vary(line, i));

    /// <summary>Syslog datagrams as NGINX sends them, with and without the hostname.</summary>
    public static byte[][] Datagrams { get; } = Build(static (line, i) =>
        (i % 2 == 0 ? $"<190>Nov 22 23:42:25 vm tenant{i % 50}: " : $"<190>Nov 22 23:42:25 tenant{i % 50}: ") + Vary(line, i));

    /// <summary>The same requests in the <c>combined</c> format, no newline; quotes as <c>\x22</c>, UTF-8 as it is.</summary>
    public static byte[][] CombinedLines { get; } = JsonLines.Select(static json => ToCombined(json, nginxEscapes: false)).ToArray();

    /// <summary>
    /// The same requests exactly as NGINX's <c>combined</c> writes them: every byte it escapes (<c>"</c>, <c>\</c>,
    /// control, ≥ 0x80) as <c>\xXX</c>, so the corpus's UTF-8 agents and paths take the decoding path (issue 16).
    /// </summary>
    public static byte[][] NginxCombinedLines { get; } = JsonLines.Select(static json => ToCombined(json, nginxEscapes: true)).ToArray();

    /// <summary>NGINX's <c>combined</c>, as an operator would give it to <c>FastIngest:Formats</c>.</summary>
    public const string CombinedFormat = """'$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"'""";

    /// <summary>The NGINX docs' <c>main</c> with request time, cache status and bytes sent among its fields (the integration test's).</summary>
    public const string MainFormat =
        """'$remote_addr - $remote_user [$time_local] $request_time "$request" $upstream_cache_status $status ' '$body_bytes_sent $bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"'""";

    /// <summary>The same requests in <see cref="MainFormat"/>, no newline.</summary>
    public static byte[][] MainLines { get; } = JsonLines.Select(ToMain).ToArray();

    public static string Tenant(int i) => "tenant" + (i % 50);

    private static byte[] ToMain(byte[] json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement root = document.RootElement;
        string Field(string name)
        {
            string value = root.TryGetProperty(name, out JsonElement v) ? v.GetString() ?? "" : "";
            return value.Length == 0 ? "-" : value.Replace("\"", "\\x22", StringComparison.Ordinal);
        }

        DateTimeOffset time = DateTimeOffset.Parse(root.GetProperty("time_iso8601").GetString()!, CultureInfo.InvariantCulture);
        return Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{Field("remote_addr")} - - [{time.UtcDateTime.ToString("dd/MMM/yyyy:HH:mm:ss", CultureInfo.InvariantCulture)} +0000] {Field("request_time")} \"{Field("request_method")} {Field("request_uri")} {Field("server_protocol")}\" {Field("upstream_cache_status")} {Field("status")} {Field("body_bytes_sent")} {Field("bytes_sent")} \"{Field("http_referer")}\" \"{Field("http_user_agent")}\" \"{Field("http_x_forwarded_for")}\""));
    }

    private static byte[] ToCombined(byte[] json, bool nginxEscapes)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement root = document.RootElement;
        string Field(string name)
        {
            string value = root.GetProperty(name).GetString() ?? "";
            return value.Length == 0 ? "-" : nginxEscapes ? NginxEscape(value) : value.Replace("\"", "\\x22", StringComparison.Ordinal);
        }

        DateTimeOffset time = DateTimeOffset.Parse(root.GetProperty("time_iso8601").GetString()!, CultureInfo.InvariantCulture);
        return Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{Field("remote_addr")} - - [{time.UtcDateTime.ToString("dd/MMM/yyyy:HH:mm:ss", CultureInfo.InvariantCulture)} +0000] \"{Field("request_method")} {Field("request_uri")} {Field("server_protocol")}\" {Field("status")} {Field("body_bytes_sent")} \"{Field("http_referer")}\" \"{Field("http_user_agent")}\""));
    }

    /// <summary><c>ngx_http_log_escape</c>: the bytes NGINX's default log escaping writes as <c>\xXX</c>.</summary>
    private static string NginxEscape(string value)
    {
        var text = new StringBuilder();
        foreach (byte b in Encoding.UTF8.GetBytes(value))
        {
            if (b < 0x20 || b == '"' || b == '\\' || b >= 0x7F)
            {
                text.Append("\\x").Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                text.Append((char)b);
            }
        }

        return text.ToString();
    }

    private static string Vary(string line, int i)
    {
        string[] statuses = ["200", "200", "200", "304", "404", "206", "500"];
        return line
            .Replace("\"status\":\"200\"", $"\"status\":\"{statuses[i % statuses.Length]}\"", StringComparison.Ordinal)
            .Replace("/media/", $"/media/{i % 97}/", StringComparison.Ordinal);
    }

    private static byte[][] Build(Func<string, int, string> make)
    {
        var result = new byte[Lines][];
        for (int i = 0; i < Lines; i++)
        {
            result[i] = Encoding.UTF8.GetBytes(make(s_corpusLines[i % s_corpusLines.Length], i));
        }

        return result;
    }
}
