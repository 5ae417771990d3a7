using FastIngest.Core.Parsing.Combined;
using FastIngest.Core.Parsing.Events;
using FastIngest.Core.Parsing.Formats;
using FastIngest.Core.Parsing.Json;

namespace FastIngest.Core.Parsing;

/// <summary>
/// The one way from a message's bytes to what a shard counts: maps its <see cref="MessageKind"/> to its
/// parser (NGINX JSON, combined, either told by the first byte, pixel hit, event) and says why when it can't. One per shard: it owns the
/// <see cref="AccessLogRecord"/> the access-log parsers fill, so decoding allocates nothing once its
/// scratch buffer has grown to the longest line. Not thread-safe.
/// </summary>
/// <remarks>
/// <see cref="MessageKind.Rejected"/> is not decoded: its body is a sample of input a source already
/// refused, and its reason travels in the entry.
/// </remarks>
internal sealed class MessageDecoder
{
    private readonly LogFormats _formats;
    private AccessLogRecord _record = new(4096);

    /// <summary>A decoder for the built-in kinds only.</summary>
    public MessageDecoder()
        : this(LogFormats.None)
    {
    }

    /// <param name="formats">The operator's formats, which <see cref="MessageKind.CustomLog"/> messages name by index.</param>
    public MessageDecoder(LogFormats formats) => _formats = formats;

    /// <summary>The access-log line the last successful <see cref="Decode"/> of a log kind read.</summary>
    public ref readonly AccessLogRecord Record => ref _record;

    /// <summary>Decodes one message body of the given kind, copying the text of an access-log line.</summary>
    /// <returns><see cref="RejectReason.None"/> when <paramref name="message"/> is usable; otherwise why not.</returns>
    public RejectReason Decode(MessageKind kind, ReadOnlySpan<byte> body, out DecodedMessage message) =>
        Decode(kind, 0, body, null, 0, out message);

    /// <summary>Decodes one message body of the given kind and, for <see cref="MessageKind.CustomLog"/>, the format at index <paramref name="format"/>.</summary>
    public RejectReason Decode(MessageKind kind, byte format, ReadOnlySpan<byte> body, out DecodedMessage message) =>
        Decode(kind, format, body, null, 0, out message);

    /// <summary>
    /// Decodes the body at <paramref name="start"/> in <paramref name="buffer"/>: an access-log line's plain
    /// text values are referenced there, not copied, so the caller reads <see cref="Record"/> before it
    /// changes or returns the buffer, and calls <see cref="Release"/> when it is done with it.
    /// </summary>
    public RejectReason Decode(MessageKind kind, byte[] buffer, int start, int length, out DecodedMessage message) =>
        Decode(kind, 0, buffer.AsSpan(start, length), buffer, start, out message);

    /// <summary>As <see cref="Decode(MessageKind, byte[], int, int, out DecodedMessage)"/>, with the custom format's index for <see cref="MessageKind.CustomLog"/>.</summary>
    public RejectReason Decode(MessageKind kind, byte format, byte[] buffer, int start, int length, out DecodedMessage message) =>
        Decode(kind, format, buffer.AsSpan(start, length), buffer, start, out message);

    /// <summary>Forgets the last line, so the record holds no reference to a buffer its caller is about to give back.</summary>
    public void Release() => _record.Reset();

    private RejectReason Decode(MessageKind kind, byte format, ReadOnlySpan<byte> body, byte[]? buffer, int start, out DecodedMessage message)
    {
        RejectReason reason;
        switch (kind)
        {
            case MessageKind.PixelHit:
                if (!PixelHit.TryDecode(body, out PixelHit hit))
                {
                    // Our own HTTP handler encoded it, so a body that doesn't decode is as broken as a
                    // clock out of range: both have always been reported as InvalidTime.
                    message = default;
                    return RejectReason.InvalidTime;
                }

                message = new DecodedMessage { TimestampMs = hit.TimestampMs, Pixel = hit };
                return RejectReason.None;

            case MessageKind.Event:
                if (!EventMessage.TryDecode(body, out EventMessage decoded))
                {
                    message = default;
                    return RejectReason.InvalidTime;
                }

                message = new DecodedMessage { TimestampMs = decoded.TimestampMs, Event = decoded };
                return RejectReason.None;

            case MessageKind.CombinedLog:
                if (!(buffer is null ? CombinedLogParser.TryParse(body, ref _record, out reason) : CombinedLogParser.TryParse(buffer, start, body.Length, ref _record, out reason)))
                {
                    message = default;
                    return reason;
                }

                break;

            case MessageKind.CustomLog:
                // Sources stamp only indexes of configured formats; a missing one is refused, not thrown.
                LogFormat? custom = _formats[format];
                if (custom is null)
                {
                    message = default;
                    return RejectReason.FormatMismatch;
                }

                if (!(buffer is null ? custom.TryParse(body, ref _record, out reason) : custom.TryParse(buffer, start, body.Length, ref _record, out reason)))
                {
                    message = default;
                    return reason;
                }

                break;

            case MessageKind.NginxJsonHostTenant:
                return DecodeHostTenant(body, buffer, start, out message);

            case MessageKind.AccessLog:
                if (!ParseDetected(body, buffer, start, out reason))
                {
                    message = default;
                    return reason;
                }

                break;

            default:
                if (!ParseJson(body, buffer, start, out reason))
                {
                    message = default;
                    return reason;
                }

                break;
        }

        message = new DecodedMessage { TimestampMs = _record.TimestampMs };
        return RejectReason.None;
    }

    /// <summary>A JSON line whose tenant is its <c>http_host</c> without the port.</summary>
    private RejectReason DecodeHostTenant(ReadOnlySpan<byte> body, byte[]? buffer, int start, out DecodedMessage message)
    {
        message = default;
        if (!ParseJson(body, buffer, start, out RejectReason reason))
        {
            return reason;
        }

        ReadOnlySpan<byte> host = _record.Text(_record.Host);
        int port = host.LastIndexOf((byte)':');
        host = port > 0 && host.IndexOf((byte)']') < port ? host[..port] : host;
        if (!NameRules.IsValid(host))
        {
            return host.IsEmpty ? RejectReason.MissingTenant : RejectReason.InvalidTenant;
        }

        message = new DecodedMessage { TimestampMs = _record.TimestampMs, HostTenant = host };
        return RejectReason.None;
    }

    /// <summary>
    /// NGINX JSON when the first non-blank byte is <c>{</c>, else <c>combined</c> (issue 16): a test of one
    /// byte for every line NGINX writes, the whitespace search only for a line that starts blank.
    /// </summary>
    private bool ParseDetected(ReadOnlySpan<byte> body, byte[]? buffer, int start, out RejectReason reason)
    {
        int first = body.IsEmpty ? -1 : body[0] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') ? 0 : body.IndexOfAnyExcept(" \t\r\n"u8);
        if (first < 0)
        {
            reason = RejectReason.Empty;
            return false;
        }

        if (body[first] == '{')
        {
            return ParseJson(body, buffer, start, out reason);
        }

        // A line that is not JSON is combined, or not detected at all: unknown_format, not not_combined.
        body = body[first..];
        return buffer is null
            ? CombinedLogParser.TryParse(body, ref _record, out reason, RejectReason.UnknownFormat)
            : CombinedLogParser.TryParse(buffer, start + first, body.Length, ref _record, out reason, RejectReason.UnknownFormat);
    }

    private bool ParseJson(ReadOnlySpan<byte> body, byte[]? buffer, int start, out RejectReason reason) =>
        buffer is null
            ? NginxJsonParser.TryParse(body, ref _record, out reason)
            : NginxJsonParser.TryParse(buffer, start, body.Length, ref _record, out reason);
}
