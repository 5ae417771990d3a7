using System.Text;

namespace FastIngest.Tests.Parsing.Combined;

/// <summary>
/// NGINX's default log escaping, as <c>ngx_http_log_escape</c> (src/http/modules/ngx_http_log_module.c) writes
/// it: <c>"</c>, <c>\</c>, bytes below 0x20, 0x7F and every byte from 0x80 become <c>\xXX</c>, upper-case hex.
/// The tests' own copy, so the parser is checked against NGINX's rule, not against itself.
/// </summary>
internal static class NginxEscape
{
    public static bool Escapes(byte b) => b < 0x20 || b == '"' || b == '\\' || b >= 0x7F;

    public static string Escape(ReadOnlySpan<byte> value)
    {
        var text = new StringBuilder(value.Length);
        foreach (byte b in value)
        {
            if (Escapes(b))
            {
                text.Append("\\x").Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                text.Append((char)b);
            }
        }

        return text.ToString();
    }
}
