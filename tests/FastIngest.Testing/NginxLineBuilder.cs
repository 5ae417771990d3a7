using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace FastIngest.Testing;

/// <summary>
/// Writes access-log lines the way NGINX 1.22 does, for the tests and for LoadGen alike (this one source
/// file is compiled into each of them): a JSON line of the <c>fastingest</c> log_format
/// (nginx/fastingest-log-format.conf: every value a string, escape=json), a <c>combined</c> line, and the
/// RFC 3164 syslog datagram NGINX sends a line in. What the tests prove and what LoadGen measures are
/// then the same bytes.
/// </summary>
/// <remarks>
/// A JSON line is built field by field: <c>new NginxLineBuilder().Time(ms).Set("status", 200).ToJson()</c>
/// writes only the fields set, in the order first set; a builder made from a template (a real line's
/// fields, in its order) keeps the template's order and replaces the values set.
/// </remarks>
internal sealed class NginxLineBuilder
{
    /// <summary>The time of the datagrams in tests/data/syslog-udp.b64, which tests reuse in their own.</summary>
    public static readonly DateTimeOffset CorpusSyslogTime = new(2026, 11, 22, 23, 42, 25, TimeSpan.Zero);

    // NGINX's escape=json writes \" and \\, escapes control characters and leaves UTF-8 alone: the
    // relaxed encoder does the same.
    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly List<KeyValuePair<string, string>> _fields;

    /// <summary>A line without fields: they come in the order they are first set.</summary>
    public NginxLineBuilder() => _fields = [];

    /// <summary>A line with <paramref name="template"/>'s fields and values, in its order.</summary>
    public NginxLineBuilder(IEnumerable<KeyValuePair<string, string>> template) => _fields = [.. template];

    /// <summary>Sets a field: in its place when the line has it, else after the others.</summary>
    public NginxLineBuilder Set(string name, string value)
    {
        int at = _fields.FindIndex(f => string.Equals(f.Key, name, StringComparison.Ordinal));
        if (at >= 0)
        {
            _fields[at] = new(name, value);
        }
        else
        {
            _fields.Add(new(name, value));
        }

        return this;
    }

    /// <summary>Sets a field to a number, written as NGINX writes one: a string of decimal digits.</summary>
    public NginxLineBuilder Set(string name, long value) => Set(name, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>Sets <c>msec</c> alone: the request's time as Unix seconds with milliseconds.</summary>
    public NginxLineBuilder Msec(long unixMs) => Set("msec", Thousandths(unixMs));

    /// <summary>Sets <c>time_iso8601</c> (in <paramref name="time"/>'s offset) and <c>msec</c>, in that order.</summary>
    public NginxLineBuilder Time(DateTimeOffset time) =>
        Set("time_iso8601", time.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)).Msec(time.ToUnixTimeMilliseconds());

    /// <summary>Sets <c>time_iso8601</c> (UTC) and <c>msec</c> of a request at <paramref name="unixMs"/>.</summary>
    public NginxLineBuilder Time(long unixMs) => Time(DateTimeOffset.FromUnixTimeMilliseconds(unixMs));

    /// <summary>Sets <c>request_time</c>: seconds with milliseconds, as NGINX writes it.</summary>
    public NginxLineBuilder RequestTime(long milliseconds) => Set("request_time", Thousandths(milliseconds));

    /// <summary>The line, UTF-8, no LF.</summary>
    public byte[] ToUtf8()
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            json.WriteStartObject();
            foreach ((string name, string value) in _fields)
            {
                json.WriteString(name, value);
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The line as text, no LF.</summary>
    public string ToJson() => Encoding.UTF8.GetString(ToUtf8());

    /// <summary>
    /// A <c>combined</c> line, no LF: <c>$remote_addr - - [$time_local] "$request" $status $body_bytes_sent
    /// "$http_referer" "$http_user_agent"</c>, <paramref name="timeLocal"/> in its own offset. The request
    /// line is written as given; in the referer and the agent, as NGINX does, a quote is <c>\x22</c>, a
    /// backslash <c>\x5C</c>, and an empty value <c>-</c>.
    /// </summary>
    public static string Combined(string remoteAddr, DateTimeOffset timeLocal, string request, int status, long bodyBytesSent, string referer, string userAgent)
    {
        TimeSpan offset = timeLocal.Offset;
        string zone = string.Create(CultureInfo.InvariantCulture, $"{(offset < TimeSpan.Zero ? '-' : '+')}{Math.Abs(offset.Hours):00}{Math.Abs(offset.Minutes):00}");
        return string.Create(CultureInfo.InvariantCulture,
            $"{remoteAddr} - - [{timeLocal.ToString("dd/MMM/yyyy:HH:mm:ss", CultureInfo.InvariantCulture)} {zone}] \"{request}\" {status} {bodyBytesSent} \"{Escape(referer)}\" \"{Escape(userAgent)}\"");
    }

    /// <summary>
    /// The RFC 3164 datagram NGINX sends <paramref name="line"/> in (<c>&lt;190&gt;</c>: local7.info), tagged
    /// <paramref name="tenant"/>: with the hostname (<c>vm</c>) or, as under <c>nohostname</c>, without it.
    /// The timestamp is <paramref name="time"/> in UTC, or <see cref="CorpusSyslogTime"/>.
    /// </summary>
    public static byte[] SyslogDatagram(string tenant, ReadOnlySpan<byte> line, bool withHostname, DateTimeOffset? time = null)
    {
        string stamp = (time ?? CorpusSyslogTime).UtcDateTime.ToString("MMM dd HH:mm:ss", CultureInfo.InvariantCulture);
        if (stamp[4] == '0')
        {
            // RFC 3164 pads the day with a space, not a zero (NGINX writes "Nov  3").
            stamp = string.Concat(stamp.AsSpan(0, 4), " ", stamp.AsSpan(5));
        }

        byte[] header = Encoding.UTF8.GetBytes(withHostname ? $"<190>{stamp} vm {tenant}: " : $"<190>{stamp} {tenant}: ");
        return [.. header, .. line];
    }

    /// <inheritdoc cref="SyslogDatagram(string, ReadOnlySpan{byte}, bool, DateTimeOffset?)"/>
    public static byte[] SyslogDatagram(string tenant, string line, bool withHostname, DateTimeOffset? time = null) =>
        SyslogDatagram(tenant, Encoding.UTF8.GetBytes(line), withHostname, time);

    /// <summary>A whole number of thousandths as NGINX writes <c>$msec</c> and <c>$request_time</c>: <c>1795390945.295</c>.</summary>
    private static string Thousandths(long value) =>
        string.Create(CultureInfo.InvariantCulture, $"{value / 1000}.{value % 1000:000}");

    private static string Escape(string value) =>
        value.Length == 0 ? "-" : value.Replace("\\", "\\x5C", StringComparison.Ordinal).Replace("\"", "\\x22", StringComparison.Ordinal);
}
