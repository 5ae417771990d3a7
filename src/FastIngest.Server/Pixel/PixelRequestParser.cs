using System.Buffers;
using System.Text;

namespace FastIngest.Server.Pixel;

/// <summary>
/// Reads one HTTP/1.x request head for the pixel door: the request line and the few headers the pixel
/// needs, nothing else kept. Bytes, not strings; nothing allocated. A head that is not complete yet is
/// not consumed ("need more"), so a connection's buffer can hold several pipelined requests and a partial
/// one.
/// </summary>
/// <remarks>
/// Deliberately strict where leniency costs: CRLF line ends, origin-form targets, a Host line on 1.1,
/// no obs-fold, no whitespace before a header's colon (RFC 9112 5.1: a request smuggling vector). A
/// request that announces a body is answered and the connection closed rather than the body skipped:
/// a pixel never has one.
/// </remarks>
internal static class PixelRequestParser
{
    private static ReadOnlySpan<byte> EndOfHead => "\r\n\r\n"u8;

    /// <summary>
    /// Reads the head at <paramref name="reader"/>'s position and advances past it when complete. A head
    /// spread over several buffer segments is copied into <paramref name="scratch"/> (at least
    /// <paramref name="maxHeadBytes"/> long), and <paramref name="request"/>'s views point there.
    /// </summary>
    public static PixelParseResult TryRead(ref SequenceReader<byte> reader, int maxHeadBytes, int maxHeaders, Span<byte> scratch, out PixelRequest request)
    {
        request = default;
        if (!reader.TryReadTo(out ReadOnlySequence<byte> head, EndOfHead, advancePastDelimiter: true))
        {
            // Nothing consumed; a peer that sends more than the limit without ending its head is done.
            return reader.Remaining > maxHeadBytes ? PixelParseResult.TooLarge : PixelParseResult.NeedMore;
        }

        if (head.Length + EndOfHead.Length > maxHeadBytes)
        {
            return PixelParseResult.TooLarge;
        }

        ReadOnlySpan<byte> span;
        if (head.IsSingleSegment)
        {
            span = head.FirstSpan;
        }
        else
        {
            // Rare: the head straddles two of Kestrel's buffers.
            head.CopyTo(scratch);
            span = scratch[..(int)head.Length];
        }

        return Parse(span, maxHeaders, ref request);
    }

    /// <summary>Parses a complete head, without its final empty line.</summary>
    public static PixelParseResult Parse(ReadOnlySpan<byte> head, int maxHeaders, ref PixelRequest request)
    {
        ReadOnlySpan<byte> line = NextLine(ref head);
        if (!TryParseRequestLine(line, ref request))
        {
            return PixelParseResult.BadRequest;
        }

        bool host = false, close = false, keepAlive = false;
        int count = 0;
        while (!head.IsEmpty)
        {
            line = NextLine(ref head);
            if (++count > maxHeaders)
            {
                return PixelParseResult.TooLarge;
            }

            int colon = line.IndexOf((byte)':');
            if (colon <= 0 || line[..colon].IndexOfAny((byte)' ', (byte)'\t') >= 0)
            {
                // No name, obs-fold (a line starting with whitespace), or whitespace before the colon.
                return PixelParseResult.BadRequest;
            }

            ReadOnlySpan<byte> name = line[..colon];
            ReadOnlySpan<byte> value = line[(colon + 1)..].Trim(" \t"u8);
            switch (name.Length)
            {
                case 3 when Ascii.EqualsIgnoreCase(name, "DNT"u8):
                    request.DoNotTrack |= value.SequenceEqual("1"u8);
                    break;
                case 4 when Ascii.EqualsIgnoreCase(name, "Host"u8):
                    if (host)
                    {
                        return PixelParseResult.BadRequest;
                    }

                    host = true;
                    request.Host = value;
                    break;
                case 7 when Ascii.EqualsIgnoreCase(name, "Sec-GPC"u8):
                    request.DoNotTrack |= value.SequenceEqual("1"u8);
                    break;
                case 7 when Ascii.EqualsIgnoreCase(name, "Referer"u8):
                    request.Referer = value;
                    break;
                case 10 when Ascii.EqualsIgnoreCase(name, "User-Agent"u8):
                    request.UserAgent = value;
                    break;
                case 10 when Ascii.EqualsIgnoreCase(name, "Connection"u8):
                    close |= HasToken(value, "close"u8);
                    keepAlive |= HasToken(value, "keep-alive"u8);
                    break;
                case 14 when Ascii.EqualsIgnoreCase(name, "Content-Length"u8):
                    request.HasBody |= !value.SequenceEqual("0"u8);
                    break;
                case 15 when Ascii.EqualsIgnoreCase(name, "X-Forwarded-For"u8):
                    request.ForwardedFor = value;
                    break;
                case 17 when Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8):
                    request.HasBody = true;
                    break;
                default:
                    break;
            }
        }

        if (request.Http11 && !host)
        {
            // RFC 9112 3.2: a server MUST answer 400 to a 1.1 request without Host.
            return PixelParseResult.BadRequest;
        }

        request.KeepAlive = !close && (request.Http11 || keepAlive);
        return PixelParseResult.Complete;
    }

    private static bool TryParseRequestLine(ReadOnlySpan<byte> line, ref PixelRequest request)
    {
        int space = line.IndexOf((byte)' ');
        if (space <= 0)
        {
            return false;
        }

        ReadOnlySpan<byte> method = line[..space];
        line = line[(space + 1)..];
        space = line.IndexOf((byte)' ');
        if (space <= 0 || line[0] != (byte)'/')
        {
            return false;
        }

        ReadOnlySpan<byte> target = line[..space];
        ReadOnlySpan<byte> version = line[(space + 1)..];
        if (version.SequenceEqual("HTTP/1.1"u8))
        {
            request.Http11 = true;
        }
        else if (!version.SequenceEqual("HTTP/1.0"u8))
        {
            return false;
        }

        int query = target.IndexOf((byte)'?');
        request.Path = query < 0 ? target : target[..query];
        request.Method = method.SequenceEqual("GET"u8) ? PixelMethod.Get : method.SequenceEqual("HEAD"u8) ? PixelMethod.Head : PixelMethod.Other;
        return true;
    }

    private static ReadOnlySpan<byte> NextLine(scoped ref ReadOnlySpan<byte> head)
    {
        int end = head.IndexOf("\r\n"u8);
        ReadOnlySpan<byte> line = end < 0 ? head : head[..end];
        head = end < 0 ? default : head[(end + 2)..];
        return line;
    }

    /// <summary>Whether a comma-separated header value lists <paramref name="token"/> (case-insensitive).</summary>
    private static bool HasToken(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        foreach (Range part in value.Split((byte)','))
        {
            if (Ascii.EqualsIgnoreCase(value[part].Trim(" \t"u8), token))
            {
                return true;
            }
        }

        return false;
    }
}
