using FastIngest.Core.Parsing.Events;

namespace FastIngest.Core.Parsing;

/// <summary>
/// What <see cref="MessageDecoder.Decode"/> found in one message. Which member is set follows the
/// message's <see cref="MessageKind"/>; an access-log line is in <see cref="MessageDecoder.Record"/>.
/// Spans point into the message or into the decoder's record, so it lives only until the next decode.
/// </summary>
internal readonly ref struct DecodedMessage
{
    /// <summary>When the request, hit or event happened, Unix milliseconds UTC; unchecked for range.</summary>
    public long TimestampMs { get; init; }

    /// <summary>
    /// The tenant named by the line's own <c>http_host</c> (port cut off, name checked) for
    /// <see cref="MessageKind.NginxJsonHostTenant"/>; empty for every other kind.
    /// </summary>
    public ReadOnlySpan<byte> HostTenant { get; init; }

    /// <summary>Set for <see cref="MessageKind.PixelHit"/>.</summary>
    public PixelHit Pixel { get; init; }

    /// <summary>Set for <see cref="MessageKind.Event"/>.</summary>
    public EventMessage Event { get; init; }
}
