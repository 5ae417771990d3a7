namespace FastIngest.Core.Parsing.Json;

/// <summary>
/// Resolves the escapes of a JSON string that <see cref="System.Text.Json.Utf8JsonReader"/> has already
/// tokenised. We do not use <c>Utf8JsonReader.CopyString</c>: it throws <see cref="InvalidOperationException"/>
/// for invalid UTF-8 and for an escaped lone surrogate, and NGINX <c>escape=json</c> writes request bytes
/// ≥ 0x80 verbatim, so a request for <c>/%FF</c> or a Latin-1 User-Agent puts invalid UTF-8 in a
/// perfectly good log line. Here raw bytes are copied unchanged and a lone surrogate becomes U+FFFD.
/// </summary>
internal static class JsonUnescaper
{
    private const uint ReplacementCharacter = 0xFFFD;

    /// <summary>
    /// Copies <paramref name="source"/> (the bytes between the quotes) to <paramref name="destination"/>,
    /// resolving <c>\" \\ \/ \b \f \n \r \t \uXXXX</c>. Unescaping never lengthens a string, so a
    /// destination as long as the source always suffices.
    /// </summary>
    /// <returns>The number of bytes written.</returns>
    public static int Unescape(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        int written = 0;
        while (true)
        {
            int backslash = source.IndexOf((byte)'\\');
            if (backslash < 0)
            {
                source.CopyTo(destination[written..]);
                return written + source.Length;
            }

            source[..backslash].CopyTo(destination[written..]);
            written += backslash;
            source = source[backslash..];

            // The reader validated every escape; the fallbacks below only keep odd input as it was.
            if (source.Length < 2)
            {
                destination[written++] = (byte)'\\';
                return written;
            }

            int consumed = 2;
            switch (source[1])
            {
                case (byte)'b': destination[written++] = (byte)'\b'; break;
                case (byte)'f': destination[written++] = (byte)'\f'; break;
                case (byte)'n': destination[written++] = (byte)'\n'; break;
                case (byte)'r': destination[written++] = (byte)'\r'; break;
                case (byte)'t': destination[written++] = (byte)'\t'; break;
                case (byte)'u':
                    if (!TryReadHex4(source, 2, out uint unit))
                    {
                        destination[written++] = (byte)'\\';
                        consumed = 1;
                        break;
                    }

                    consumed = 6;
                    uint scalar = unit;
                    if (unit is >= 0xD800 and <= 0xDBFF)
                    {
                        if (source.Length >= 12 && source[6] == '\\' && source[7] == 'u'
                            && TryReadHex4(source, 8, out uint low) && low is >= 0xDC00 and <= 0xDFFF)
                        {
                            scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                            consumed = 12;
                        }
                        else
                        {
                            scalar = ReplacementCharacter;
                        }
                    }
                    else if (unit is >= 0xDC00 and <= 0xDFFF)
                    {
                        scalar = ReplacementCharacter;
                    }

                    written += WriteUtf8(scalar, destination[written..]);
                    break;
                default:
                    // '"', '\\' and '/' stand for themselves (and so would anything the reader let through).
                    destination[written++] = source[1];
                    break;
            }

            source = source[consumed..];
        }
    }

    private static bool TryReadHex4(ReadOnlySpan<byte> source, int start, out uint value)
    {
        value = 0;
        if (source.Length < start + 4)
        {
            return false;
        }

        for (int i = start; i < start + 4; i++)
        {
            uint c = source[i];
            uint digit = c - '0';
            if (digit > 9)
            {
                digit = (c | 0x20) - 'a';
                if (digit > 5)
                {
                    return false;
                }

                digit += 10;
            }

            value = (value << 4) | digit;
        }

        return true;
    }

    private static int WriteUtf8(uint scalar, Span<byte> destination)
    {
        if (scalar < 0x80)
        {
            destination[0] = (byte)scalar;
            return 1;
        }

        if (scalar < 0x800)
        {
            destination[0] = (byte)(0xC0 | (scalar >> 6));
            destination[1] = (byte)(0x80 | (scalar & 0x3F));
            return 2;
        }

        if (scalar < 0x10000)
        {
            destination[0] = (byte)(0xE0 | (scalar >> 12));
            destination[1] = (byte)(0x80 | ((scalar >> 6) & 0x3F));
            destination[2] = (byte)(0x80 | (scalar & 0x3F));
            return 3;
        }

        destination[0] = (byte)(0xF0 | (scalar >> 18));
        destination[1] = (byte)(0x80 | ((scalar >> 12) & 0x3F));
        destination[2] = (byte)(0x80 | ((scalar >> 6) & 0x3F));
        destination[3] = (byte)(0x80 | (scalar & 0x3F));
        return 4;
    }
}
