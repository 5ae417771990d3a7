using System.Net;
using System.Text;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Ingest;
using FastIngest.Core.Parsing;
using FastIngest.Server.Http;

namespace FastIngest.Server.Pixel;

/// <summary>
/// What both pixel doors share once a request is read: path and name validation, the tenant allow-list,
/// the hit's encoding (timestamp, key, visitor inputs, DNT/GPC) and its trip to the shards, and the
/// counters behind <c>/metrics</c> and <c>/health</c>. The middleware (<see cref="TrackingPixel"/>) and the
/// connection door (<see cref="PixelConnectionHandler"/>) differ only in how they read a request.
/// Allocates nothing for a hit: names and visitor inputs are copied into stack buffers.
/// </summary>
internal sealed class PixelCounter
{
    /// <summary>The longest path that can name a valid pixel: <c>/p/</c>, tenant, <c>/</c>, key, <c>.gif</c>.</summary>
    public const int MaxPathBytes = 3 + NameRules.MaxLength + 1 + NameRules.MaxLength + 4;

    private const int RejectSampleChars = 256;

    private readonly ConcurrentBatchWriter _writer;
    private readonly TenantAllowList _allowed;
    private readonly TimeProvider _time;
    private long _hits;
    private long _rejected;

    public PixelCounter(HttpIngestSource source, TenantAllowList allowed, TimeProvider time)
    {
        _writer = source.Writer;
        _allowed = allowed;
        _time = time;
    }

    /// <summary>Hits counted, both doors.</summary>
    public long Hits => Volatile.Read(ref _hits);

    /// <summary>Pixel requests refused for their names, both doors.</summary>
    public long Rejected => Volatile.Read(ref _rejected);

    /// <summary>
    /// Validates <paramref name="path"/> (the raw path bytes, no query) and queues the hit, or the reject;
    /// synchronous unless the shards push back. <paramref name="isPixel"/>: answer with the GIF (else 404).
    /// </summary>
    /// <param name="host">The Host header; <paramref name="referer"/> the Referer header: the hit's referrer (issue 18).</param>
    public ValueTask Count(ReadOnlySpan<byte> path, IPAddress? client, ReadOnlySpan<byte> userAgent, ReadOnlySpan<byte> host, ReadOnlySpan<byte> referer, bool countVisitor, out bool isPixel)
    {
        isPixel = false;
        long nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        uint now = (uint)(nowMs / 1000);
        if (path.Length > MaxPathBytes || !Ascii.IsValid(path))
        {
            // Names are ASCII; a path this long or this exotic can't carry valid ones.
            return Reject(RejectReason.InvalidKey, path, now);
        }

        bool pixelShaped = PixelPath.TryParse(path, out Range tenant, out Range key, out RejectReason reason);
        if (pixelShaped && reason == RejectReason.None && !_allowed.Allows(path[tenant]))
        {
            reason = RejectReason.UnknownTenant;
        }

        if (reason != RejectReason.None)
        {
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
        Span<byte> message = stackalloc byte[PixelHit.MaxEncodedLength];
        var hit = new PixelHit
        {
            TimestampMs = nowMs,
            CountVisitor = countVisitor,
            Key = path[key],
            Address = FormatAddress(client, address),
            UserAgent = userAgent.Length > PixelHit.MaxUserAgentBytes ? userAgent[..PixelHit.MaxUserAgentBytes] : userAgent,
            Host = host,
            Referer = referer,
        };
        return _writer.AddAsync(MessageKind.PixelHit, RejectReason.None, path[tenant], message[..hit.Encode(message)], now, SenderKey.Of(client));
    }

    /// <summary>A path refused before it could be read as bytes (the middleware's non-ASCII or overlong paths).</summary>
    public ValueTask Reject(RejectReason reason, string path)
    {
        Interlocked.Increment(ref _rejected);
        ReadOnlySpan<char> sample = path.Length > RejectSampleChars ? path.AsSpan(0, RejectSampleChars) : path;
        return _writer.AddAsync(MessageKind.Rejected, reason, default, Encoding.UTF8.GetBytes(sample.ToString()), (uint)_time.GetUtcNow().ToUnixTimeSeconds());
    }

    private ValueTask Reject(RejectReason reason, ReadOnlySpan<byte> path, uint now)
    {
        // Cold: bad pixel URLs are rare, and the sample is what an operator needs to see why.
        Interlocked.Increment(ref _rejected);
        return _writer.AddAsync(MessageKind.Rejected, reason, default, path.Length > RejectSampleChars ? path[..RejectSampleChars] : path, now);
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
}
