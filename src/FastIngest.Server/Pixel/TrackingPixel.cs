using System.Text;
using System.Text.Unicode;
using FastIngest.Core.Parsing;
using Microsoft.Extensions.Primitives;

namespace FastIngest.Server.Pixel;

/// <summary>
/// Serves <c>GET/HEAD /p/{tenant}/{key}.gif</c> on Kestrel's HTTP stack (the API port, kept for pages that
/// embed it there; <see cref="PixelConnectionHandler"/> is the fast door): counts the hit through
/// <see cref="PixelCounter"/> and answers with the 43-byte transparent GIF, uncacheable and cookie-free. The hot path allocates nothing of its own:
/// names and headers are copied into stack buffers, and the hit travels as bytes
/// (PixelAllocationTests compares it with an empty endpoint).
/// </summary>
internal sealed class TrackingPixel
{
    /// <summary>The smallest transparent 1x1 GIF, byte for byte the one NGINX's <c>empty_gif</c> serves.</summary>
    public static ReadOnlySpan<byte> Gif =>
    [
        0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x01, 0x00, 0x00, 0x00, 0x00,
        0xFF, 0xFF, 0xFF, 0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x4C, 0x01, 0x00, 0x3B,
    ];

    private static readonly byte[] s_gif = Gif.ToArray();
    private static readonly StringValues s_contentType = "image/gif";
    private static readonly StringValues s_noStore = "no-store, no-cache, must-revalidate, max-age=0";
    private static readonly StringValues s_allow = "GET, HEAD";
    private static readonly StringValues s_one = "1";

    private readonly PixelCounter _counter;

    public TrackingPixel(PixelCounter counter) => _counter = counter;

    public static bool IsPixelPath(PathString path) =>
        path.Value is { } p && p.StartsWith("/p/", StringComparison.Ordinal);

    public async Task ServeAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        HttpResponse response = context.Response;
        bool head = HttpMethods.IsHead(request.Method);
        if (!head && !HttpMethods.IsGet(request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = s_allow;
            return;
        }

        // Awaited either way: a reject is queued like a hit, and may meet the same backpressure.
        ValueTask counted = Count(context, out bool isPixel);
        await counted.ConfigureAwait(false);
        if (!isPixel)
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
        IHeaderDictionary headers = response.Headers;
        headers.ContentType = s_contentType;
        headers.CacheControl = s_noStore;
        response.ContentLength = s_gif.Length;
        if (!head)
        {
            await response.Body.WriteAsync(s_gif).ConfigureAwait(false);
        }
    }

    /// <summary>Reads what <see cref="PixelCounter"/> needs from Kestrel's request; synchronous unless the shards push back.</summary>
    private ValueTask Count(HttpContext context, out bool isPixel)
    {
        HttpRequest request = context.Request;
        string path = request.Path.Value ?? "";
        isPixel = false;
        if (path.Length > PixelCounter.MaxPathBytes || !Ascii.IsValid(path))
        {
            // Names are ASCII; a path this long or this exotic can't carry valid ones.
            return _counter.Reject(RejectReason.InvalidKey, path);
        }

        Span<byte> pathBytes = stackalloc byte[PixelCounter.MaxPathBytes];
        pathBytes = pathBytes[..Encoding.ASCII.GetBytes(path, pathBytes)];
        Span<byte> agent = stackalloc byte[PixelHit.MaxUserAgentBytes];
        Span<byte> host = stackalloc byte[PixelHit.MaxHostBytes];
        Span<byte> referer = stackalloc byte[PixelHit.MaxRefererBytes];
        IHeaderDictionary headers = request.Headers;
        bool countVisitor = !(headers["DNT"] == s_one || headers["Sec-GPC"] == s_one);
        return _counter.Count(pathBytes, context.Connection.RemoteIpAddress, ToUtf8(headers.UserAgent, agent), ToUtf8(headers.Host, host), ToUtf8(headers.Referer, referer), countVisitor, out isPixel);
    }

    private static ReadOnlySpan<byte> ToUtf8(StringValues value, Span<byte> destination)
    {
        string? text = value.Count == 1 ? value[0] : value.ToString();
        if (string.IsNullOrEmpty(text))
        {
            return default;
        }

        // Longer agents are cut (isFinalBlock: false stops cleanly at a full destination).
        Utf8.FromUtf16(text, destination, out _, out int written, replaceInvalidSequences: true, isFinalBlock: false);
        return destination[..written];
    }
}
