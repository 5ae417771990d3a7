namespace FastIngest.Server.Pixel;

/// <summary>
/// What <see cref="PixelRequestParser"/> reads of one request: views into the request's head, valid
/// until the connection's buffer is advanced past it.
/// </summary>
internal ref struct PixelRequest
{
    /// <summary>GET or HEAD; anything else is answered 405 or 404.</summary>
    public PixelMethod Method;

    /// <summary>The target's path, raw (not percent-decoded), without the query.</summary>
    public ReadOnlySpan<byte> Path;

    /// <summary>HTTP/1.1 (else 1.0).</summary>
    public bool Http11;

    /// <summary>The connection stays open after the response (HTTP/1.1 without <c>Connection: close</c>, or 1.0 with keep-alive).</summary>
    public bool KeepAlive;

    /// <summary><c>DNT: 1</c> or <c>Sec-GPC: 1</c>: count the hit, not the visitor.</summary>
    public bool DoNotTrack;

    /// <summary>A body is announced (Content-Length other than 0, or Transfer-Encoding): a pixel never has one.</summary>
    public bool HasBody;

    public ReadOnlySpan<byte> UserAgent;

    /// <summary>The Host header's value: which referrers are the site's own (issue 18).</summary>
    public ReadOnlySpan<byte> Host;

    /// <summary>The Referer header's value: the page embedding the pixel (issue 18).</summary>
    public ReadOnlySpan<byte> Referer;

    /// <summary>X-Forwarded-For, the last such line; read only when the peer is a known proxy.</summary>
    public ReadOnlySpan<byte> ForwardedFor;
}
