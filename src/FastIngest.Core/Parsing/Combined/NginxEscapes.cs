namespace FastIngest.Core.Parsing.Combined;

/// <summary>
/// Undoes NGINX's default <c>log_format</c> escaping: it writes <c>"</c>, <c>\</c>, control bytes,
/// DEL and every byte ≥ 0x80 of a variable as <c>\xXX</c> (<c>ngx_http_log_escape</c>), so a path, referrer
/// or user agent reads the same as its <c>escape=json</c> line, where UTF-8 is written as it is. Apache's
/// <c>\"</c> and <c>\\</c> are read too; any other backslash stays as it is.
/// </summary>
/// <remarks>
/// NGINX never writes a bare backslash (it is <c>\x5C</c>), so a backslash always starts an escape and
/// decoding is unambiguous. Decoded text is never longer than its escaped form.
/// </remarks>
internal static class NginxEscapes
{
    /// <summary>Writes <paramref name="value"/> without its escapes into <paramref name="destination"/> (at least as long).</summary>
    /// <returns>How many bytes were written.</returns>
    public static int Unescape(ReadOnlySpan<byte> value, Span<byte> destination)
    {
        int written = 0;
        while (true)
        {
            int backslash = value.IndexOf((byte)'\\');
            if (backslash < 0)
            {
                value.CopyTo(destination[written..]);
                return written + value.Length;
            }

            value[..backslash].CopyTo(destination[written..]);
            written += backslash;
            value = value[backslash..];
            if (value.Length >= 4 && value[1] == 'x' && TryHex(value[2], out int high) && TryHex(value[3], out int low))
            {
                destination[written++] = (byte)((high << 4) | low);
                value = value[4..];
            }
            else if (value.Length >= 2 && value[1] is (byte)'"' or (byte)'\\')
            {
                destination[written++] = value[1];
                value = value[2..];
            }
            else
            {
                destination[written++] = (byte)'\\';
                value = value[1..];
            }
        }
    }

    private static bool TryHex(byte b, out int value)
    {
        value = b switch
        {
            >= (byte)'0' and <= (byte)'9' => b - '0',
            >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
            >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
            _ => -1,
        };
        return value >= 0;
    }
}
