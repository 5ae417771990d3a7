namespace FastIngest.Core.Parsing;

/// <summary>
/// What the body of an ingest entry holds, so <see cref="MessageDecoder"/> knows which parser to run.
/// Defined here, not in Ingest: the envelope tags each message with a kind the decoder defines, and
/// decoding must not depend on the envelope (Ingest → Parsing, never back).
/// </summary>
internal enum MessageKind : byte
{
    /// <summary>One NGINX <c>fastingest</c> JSON access-log line.</summary>
    NginxJson = 0,

    /// <summary>
    /// One <c>fastingest</c> JSON line whose tenant is its own <c>http_host</c> (without the port), for a
    /// file that mixes virtual hosts; routed by an empty tenant, so such files count on one shard.
    /// </summary>
    NginxJsonHostTenant,

    /// <summary>One line of NGINX's classic <c>combined</c> access-log format (files with <c>Format</c> <c>combined</c>, bulk import).</summary>
    CombinedLog,

    /// <summary>A request for the tracking pixel served by FastIngest, encoded as a <see cref="Parsing.PixelHit"/>.</summary>
    PixelHit,

    /// <summary>An analytics event from <c>POST /event</c> or <c>/ingest</c>, encoded as an <see cref="Events.EventMessage"/>.</summary>
    Event,

    /// <summary>Refused before parsing (framing, syslog header): the body is a sample of the input.</summary>
    Rejected,

    /// <summary>
    /// One NGINX access-log line whose format is told by its first non-blank byte: <c>{</c> is NGINX JSON
    /// (<see cref="NginxJson"/>), anything else <c>combined</c>, with or without a cache status
    /// (<see cref="CombinedLog"/>). Syslog bodies and files with <c>Format</c> <c>auto</c>.
    /// </summary>
    AccessLog,

    /// <summary>
    /// One line of an operator's own <c>log_format</c> (<c>FastIngest:Formats</c>); which one is the
    /// entry's format index into the decoder's <see cref="Formats.LogFormats"/>.
    /// </summary>
    CustomLog,
}
