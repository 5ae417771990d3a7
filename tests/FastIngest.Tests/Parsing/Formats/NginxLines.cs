using System.Globalization;
using System.Text;
using System.Text.Json;
using FastIngest.Core.Parsing.Json;

namespace FastIngest.Tests.Parsing.Formats;

/// <summary>
/// Lines as NGINX writes them in a text <c>log_format</c>: values escaped the default way (<c>"</c>,
/// <c>\</c>, control bytes and bytes ≥ 0x7F as <c>\xXX</c>), or <c>escape=json</c>'s way; and the real
/// corpus's JSON lines read back into their values (raw bytes, escapes resolved).
/// </summary>
internal static class NginxLines
{
    /// <summary>ngx_http_log_escape: what NGINX writes for a variable's bytes under the default escaping.</summary>
    public static byte[] EscapeDefault(ReadOnlySpan<byte> value)
    {
        var escaped = new List<byte>(value.Length);
        foreach (byte b in value)
        {
            if (b is (byte)'"' or (byte)'\\' or < 0x20 or >= 0x7F)
            {
                escaped.AddRange(Encoding.ASCII.GetBytes($"\\x{b:X2}"));
            }
            else
            {
                escaped.Add(b);
            }
        }

        return [.. escaped];
    }

    /// <summary>ngx_http_log_escape_json: <c>"</c> and <c>\</c> backslashed, control bytes as <c>\n</c>, <c>\u00XX</c>; others as they are.</summary>
    public static byte[] EscapeJson(ReadOnlySpan<byte> value)
    {
        var escaped = new List<byte>(value.Length);
        foreach (byte b in value)
        {
            switch (b)
            {
                case (byte)'"': escaped.AddRange("\\\""u8.ToArray()); break;
                case (byte)'\\': escaped.AddRange("\\\\"u8.ToArray()); break;
                case (byte)'\n': escaped.AddRange("\\n"u8.ToArray()); break;
                case (byte)'\r': escaped.AddRange("\\r"u8.ToArray()); break;
                case (byte)'\t': escaped.AddRange("\\t"u8.ToArray()); break;
                case < 0x20: escaped.AddRange(Encoding.ASCII.GetBytes($"\\u{b:x4}")); break;
                default: escaped.Add(b); break;
            }
        }

        return [.. escaped];
    }

    /// <summary>A corpus JSON line's values by name, each as its raw bytes (NGINX writes non-UTF-8 request bytes as they are).</summary>
    public static Dictionary<string, byte[]> Values(byte[] jsonLine)
    {
        var values = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(jsonLine);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            reader.Read();
            byte[] value = new byte[reader.ValueSpan.Length];
            int length = reader.ValueIsEscaped ? JsonUnescaper.Unescape(reader.ValueSpan, value) : reader.ValueSpan.Length;
            if (!reader.ValueIsEscaped)
            {
                reader.ValueSpan.CopyTo(value);
            }

            values[name] = value[..length];
        }

        return values;
    }

    /// <summary>NGINX's <c>$time_local</c> for <paramref name="unixMs"/> in <paramref name="offset"/>.</summary>
    public static string TimeLocal(long unixMs, TimeSpan offset)
    {
        DateTimeOffset time = DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToOffset(offset);
        return string.Create(CultureInfo.InvariantCulture,
            $"{time.ToString("dd/MMM/yyyy:HH:mm:ss", CultureInfo.InvariantCulture)} {(offset < TimeSpan.Zero ? '-' : '+')}{Math.Abs(offset.Hours):00}{Math.Abs(offset.Minutes):00}");
    }

    /// <summary>Joins text and byte pieces into one line.</summary>
    public static byte[] Join(params object[] pieces)
    {
        var line = new List<byte>();
        foreach (object piece in pieces)
        {
            line.AddRange(piece is byte[] bytes ? bytes : Encoding.UTF8.GetBytes((string)piece));
        }

        return [.. line];
    }
}
