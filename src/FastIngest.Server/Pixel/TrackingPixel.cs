using System.Net;
using System.Text;
using System.Text.Unicode;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Ingest;
using FastIngest.Core.Parsing;
using FastIngest.Server.Http;
using Microsoft.Extensions.Primitives;

namespace FastIngest.Server.Pixel;

/// <summary>
/// Serves <c>GET/HEAD /p/{tenant}/{key}.gif</c>: counts the hit through the shards and answers with the
/// 43-byte transparent GIF, uncacheable and cookie-free. The hot path allocates nothing of its own:
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

    private const int MaxPathBytes = 3 + NameRules.MaxLength + 1 + NameRules.MaxLength + 4;
    private const int RejectSampleChars = 256;

    private static readonly byte[] s_gif = Gif.ToArray();
    private static readonly StringValues s_contentType = "image/gif";
    private static readonly StringValues s_noStore = "no-store, no-cache, must-revalidate, max-age=0";
    private static readonly StringValues s_allow = "GET, HEAD";
    private static readonly StringValues s_one = "1";

    private readonly ConcurrentBatchWriter _writer;
    private readonly TenantAllowList _allowed;
    private readonly TimeProvider _time;
    private long _hits;
    private long _rejected;

    public TrackingPixel(HttpIngestSource source, TenantAllowList allowed, TimeProvider time)
    {
        _writer = source.Writer;
        _allowed = allowed;
        _time = time;
    }

    public long Hits => Volatile.Read(ref _hits);

    public long Rejected => Volatile.Read(ref _rejected);

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

    /// <summary>Validates the path and queues the hit (or the reject); synchronous unless the shards push back.</summary>
    private ValueTask Count(HttpContext context, out bool isPixel)
    {
        HttpRequest request = context.Request;
        long nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        uint now = (uint)(nowMs / 1000);
        string path = request.Path.Value ?? "";
        Span<byte> pathBytes = stackalloc byte[MaxPathBytes];
        RejectReason reason;
        Range tenant = default, key = default;
        bool pixelShaped = false;
        isPixel = false;
        if (path.Length > MaxPathBytes || !Ascii.IsValid(path))
        {
            // Names are ASCII; a path this long or this exotic can't carry valid ones.
            reason = RejectReason.InvalidKey;
        }
        else
        {
            int written = Encoding.ASCII.GetBytes(path, pathBytes);
            pathBytes = pathBytes[..written];
            pixelShaped = PixelPath.TryParse(pathBytes, out tenant, out key, out reason);
            if (pixelShaped && !_allowed.Allows(pathBytes[tenant]))
            {
                reason = RejectReason.UnknownTenant;
            }
        }

        if (reason != RejectReason.None)
        {
            Interlocked.Increment(ref _rejected);
            return Reject(reason, path, now);
        }

        if (!pixelShaped)
        {
            // Another page under /p/: not ours to count.
            return ValueTask.CompletedTask;
        }

        isPixel = true;
        Interlocked.Increment(ref _hits);
        Span<byte> address = stackalloc byte[PixelHit.MaxAddressBytes];
        Span<byte> agent = stackalloc byte[PixelHit.MaxUserAgentBytes];
        Span<byte> message = stackalloc byte[PixelHit.MaxEncodedLength];
        IHeaderDictionary headers = request.Headers;
        var hit = new PixelHit
        {
            TimestampMs = nowMs,
            CountVisitor = !(headers["DNT"] == s_one || headers["Sec-GPC"] == s_one),
            Key = pathBytes[key],
            Address = FormatAddress(context.Connection.RemoteIpAddress, address),
            UserAgent = ToUtf8(headers.UserAgent, agent),
        };
        return _writer.AddAsync(MessageKind.PixelHit, RejectReason.None, pathBytes[tenant], message[..hit.Encode(message)], now, SenderKey.Of(context.Connection.RemoteIpAddress));
    }

    private ValueTask Reject(RejectReason reason, string path, uint now)
    {
        // Cold: bad pixel URLs are rare, and the sample is what an operator needs to see why.
        ReadOnlySpan<char> sample = path.Length > RejectSampleChars ? path.AsSpan(0, RejectSampleChars) : path;
        return _writer.AddAsync(MessageKind.Rejected, reason, default, Encoding.UTF8.GetBytes(sample.ToString()), now);
    }

    /// <summary>The address as NGINX's <c>$remote_addr</c> prints it, so both hash a visitor the same.</summary>
    private static ReadOnlySpan<byte> FormatAddress(IPAddress? address, Span<byte> destination)
    {
        if (address is null || !address.TryFormat(destination, out int written))
        {
            return default;
        }

        ReadOnlySpan<byte> text = destination[..written];
        // A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d; NGINX logs a.b.c.d.
        return address.IsIPv4MappedToIPv6 && text.StartsWith("::ffff:"u8) ? text[7..] : text;
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
