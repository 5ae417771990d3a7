using System.Buffers.Binary;

namespace FastIngest.Core.Parsing;

/// <summary>
/// A pixel request as it travels in an ingest batch (<see cref="MessageKind.PixelHit"/>):
/// what the shard needs to count the hit and its visitor, packed by the HTTP handler without allocating.
/// </summary>
/// <remarks>
/// Layout: time in Unix ms (8 bytes LE), flags (1), key length (1), address length (1), host length (1),
/// referrer length (2 LE), then key, address text, host, referrer and user agent. The visitor hash is made
/// on the shard, from the same fields an NGINX log line gives, so a visitor seen by NGINX and by FastIngest
/// hashes the same; the referrer is classified there too (issue 18), where the tenant's own hosts are.
/// </remarks>
internal readonly ref struct PixelHit
{
    /// <summary>User agents are cut here: the tail of a longer one adds nothing to a visitor's identity.</summary>
    public const int MaxUserAgentBytes = 512;
    /// <summary>Enough for any IPv6 address text.</summary>
    public const int MaxAddressBytes = 46;
    /// <summary>
    /// The <c>Host</c> header is cut here: a host name is at most 253 bytes, plus a port. It only tells
    /// which referrers are the site's own.
    /// </summary>
    public const int MaxHostBytes = 255;
    /// <summary>
    /// The <c>Referer</c> header (the page embedding the pixel) is cut here, like the agent: what the shard
    /// reads of it is the host and the page's <c>utm_source</c>/<c>ref</c>, which come first in any URL a
    /// campaign builds; a longer URL is mostly other parameters.
    /// </summary>
    public const int MaxRefererBytes = 1024;
    public const int MaxEncodedLength = HeaderLength + NameRules.MaxLength + MaxAddressBytes + MaxHostBytes + MaxRefererBytes + MaxUserAgentBytes;

    private const int HeaderLength = 14;
    private const byte CountVisitorFlag = 1;

    public long TimestampMs { get; init; }

    /// <summary>False when the browser asked not to be tracked (<c>DNT: 1</c>, <c>Sec-GPC: 1</c>): the hit counts, the visitor doesn't.</summary>
    public bool CountVisitor { get; init; }

    public ReadOnlySpan<byte> Key { get; init; }

    public ReadOnlySpan<byte> Address { get; init; }

    public ReadOnlySpan<byte> UserAgent { get; init; }

    /// <summary>The request's <c>Host</c> header, for telling the tenant's own referrers from others.</summary>
    public ReadOnlySpan<byte> Host { get; init; }

    /// <summary>The request's <c>Referer</c> header: the page that embeds the pixel.</summary>
    public ReadOnlySpan<byte> Referer { get; init; }

    /// <summary>Writes the hit into <paramref name="destination"/> (at least <see cref="MaxEncodedLength"/> bytes); returns the length used.</summary>
    public int Encode(Span<byte> destination)
    {
        ReadOnlySpan<byte> address = Address.Length <= MaxAddressBytes ? Address : default;
        ReadOnlySpan<byte> agent = UserAgent.Length <= MaxUserAgentBytes ? UserAgent : UserAgent[..MaxUserAgentBytes];
        // An over-long Host can't be a host: dropped, not cut (a cut host would read as another host).
        ReadOnlySpan<byte> host = Host.Length <= MaxHostBytes ? Host : default;
        ReadOnlySpan<byte> referer = Referer.Length <= MaxRefererBytes ? Referer : Referer[..MaxRefererBytes];
        BinaryPrimitives.WriteInt64LittleEndian(destination, TimestampMs);
        destination[8] = CountVisitor ? CountVisitorFlag : (byte)0;
        destination[9] = (byte)Key.Length;
        destination[10] = (byte)address.Length;
        destination[11] = (byte)host.Length;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[12..], (ushort)referer.Length);
        int at = HeaderLength;
        Key.CopyTo(destination[at..]);
        at += Key.Length;
        address.CopyTo(destination[at..]);
        at += address.Length;
        host.CopyTo(destination[at..]);
        at += host.Length;
        referer.CopyTo(destination[at..]);
        at += referer.Length;
        agent.CopyTo(destination[at..]);
        return at + agent.Length;
    }

    public static bool TryDecode(ReadOnlySpan<byte> message, out PixelHit hit)
    {
        if (message.Length < HeaderLength || message[9] + message[10] + message[11] + BinaryPrimitives.ReadUInt16LittleEndian(message[12..]) > message.Length - HeaderLength)
        {
            hit = default;
            return false;
        }

        int keyEnd = HeaderLength + message[9];
        int addressEnd = keyEnd + message[10];
        int hostEnd = addressEnd + message[11];
        int refererEnd = hostEnd + BinaryPrimitives.ReadUInt16LittleEndian(message[12..]);
        hit = new PixelHit
        {
            TimestampMs = BinaryPrimitives.ReadInt64LittleEndian(message),
            CountVisitor = (message[8] & CountVisitorFlag) != 0,
            Key = message[HeaderLength..keyEnd],
            Address = message[keyEnd..addressEnd],
            Host = message[addressEnd..hostEnd],
            Referer = message[hostEnd..refererEnd],
            UserAgent = message[refererEnd..],
        };
        return true;
    }
}
