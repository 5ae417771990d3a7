using System.Buffers.Binary;

namespace FastIngest.Core.Parsing;

/// <summary>
/// A pixel request as it travels in an ingest batch (<see cref="MessageKind.PixelHit"/>):
/// what the shard needs to count the hit and its visitor, packed by the HTTP handler without allocating.
/// </summary>
/// <remarks>
/// Layout: time in Unix ms (8 bytes LE), flags (1), key length (1), address length (1), then key,
/// address text and user agent. The visitor hash is made on the shard, from the same fields an NGINX
/// log line gives, so a visitor seen by NGINX and by FastIngest hashes the same.
/// </remarks>
internal readonly ref struct PixelHit
{
    /// <summary>User agents are cut here: the tail of a longer one adds nothing to a visitor's identity.</summary>
    public const int MaxUserAgentBytes = 512;
    /// <summary>Enough for any IPv6 address text.</summary>
    public const int MaxAddressBytes = 46;
    public const int MaxEncodedLength = HeaderLength + NameRules.MaxLength + MaxAddressBytes + MaxUserAgentBytes;

    private const int HeaderLength = 11;
    private const byte CountVisitorFlag = 1;

    public long TimestampMs { get; init; }

    /// <summary>False when the browser asked not to be tracked (<c>DNT: 1</c>, <c>Sec-GPC: 1</c>): the hit counts, the visitor doesn't.</summary>
    public bool CountVisitor { get; init; }

    public ReadOnlySpan<byte> Key { get; init; }

    public ReadOnlySpan<byte> Address { get; init; }

    public ReadOnlySpan<byte> UserAgent { get; init; }

    /// <summary>Writes the hit into <paramref name="destination"/> (at least <see cref="MaxEncodedLength"/> bytes); returns the length used.</summary>
    public int Encode(Span<byte> destination)
    {
        ReadOnlySpan<byte> address = Address.Length <= MaxAddressBytes ? Address : default;
        ReadOnlySpan<byte> agent = UserAgent.Length <= MaxUserAgentBytes ? UserAgent : UserAgent[..MaxUserAgentBytes];
        BinaryPrimitives.WriteInt64LittleEndian(destination, TimestampMs);
        destination[8] = CountVisitor ? CountVisitorFlag : (byte)0;
        destination[9] = (byte)Key.Length;
        destination[10] = (byte)address.Length;
        int at = HeaderLength;
        Key.CopyTo(destination[at..]);
        at += Key.Length;
        address.CopyTo(destination[at..]);
        at += address.Length;
        agent.CopyTo(destination[at..]);
        return at + agent.Length;
    }

    public static bool TryDecode(ReadOnlySpan<byte> message, out PixelHit hit)
    {
        if (message.Length < HeaderLength || message[9] + message[10] > message.Length - HeaderLength)
        {
            hit = default;
            return false;
        }

        int keyEnd = HeaderLength + message[9];
        int addressEnd = keyEnd + message[10];
        hit = new PixelHit
        {
            TimestampMs = BinaryPrimitives.ReadInt64LittleEndian(message),
            CountVisitor = (message[8] & CountVisitorFlag) != 0,
            Key = message[HeaderLength..keyEnd],
            Address = message[keyEnd..addressEnd],
            UserAgent = message[addressEnd..],
        };
        return true;
    }
}
