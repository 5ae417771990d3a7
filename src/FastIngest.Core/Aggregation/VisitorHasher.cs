using System.Buffers.Binary;
using FastIngest.Core.Internal;
using FastIngest.Core.Parsing;

namespace FastIngest.Core.Aggregation;

/// <summary>
/// The unique-visitor signal without personal data: SipHash-2-4 of the request's UTC day, tenant, address
/// and user agent, under the visitor key of <see cref="HashKeys"/>. The key derives from a secret that
/// lives only in memory (or in configuration, to share it across nodes and restarts) and is never
/// written, so stored hashes cannot be joined across days or tenants, nor traced back to an address by
/// hashing guesses: unlike the XxHash3 with a derived seed this replaces, a keyed PRF gives a guesser
/// nothing to recover the key from (issue 14).
/// </summary>
/// <remarks>One per shard: it reuses one scratch buffer, so hashing allocates nothing.</remarks>
internal sealed class VisitorHasher
{
    public const int MaxUserAgentBytes = PixelHit.MaxUserAgentBytes;

    private readonly SipHash _key;
    private readonly byte[] _input = new byte[sizeof(uint) + NameRules.MaxLength + 1 + PixelHit.MaxAddressBytes + 1 + MaxUserAgentBytes];

    /// <param name="key">The visitor key (<see cref="HashKeys.Visitors"/>).</param>
    public VisitorHasher(SipHash key)
    {
        _key = key;
    }

    /// <summary>False when there is nothing to tell visitors apart by (no address).</summary>
    public bool TryHash(uint day, ReadOnlySpan<byte> tenant, ReadOnlySpan<byte> address, ReadOnlySpan<byte> userAgent, out ulong hash)
    {
        if (address.IsEmpty || address.Length > PixelHit.MaxAddressBytes || tenant.Length > NameRules.MaxLength)
        {
            hash = 0;
            return false;
        }

        // Same cut as the pixel's, so NGINX's log and FastIngest's own pixel agree on long agents.
        if (userAgent.Length > MaxUserAgentBytes)
        {
            userAgent = userAgent[..MaxUserAgentBytes];
        }

        // The day is hashed in, so a visitor's hashes of two days can't be matched.
        Span<byte> input = _input;
        BinaryPrimitives.WriteUInt32LittleEndian(input, day);
        int at = sizeof(uint);
        tenant.CopyTo(input[at..]);
        at += tenant.Length;
        input[at++] = 0;
        address.CopyTo(input[at..]);
        at += address.Length;
        input[at++] = 0;
        userAgent.CopyTo(input[at..]);
        at += userAgent.Length;

        hash = _key.Hash(input[..at]);
        return true;
    }
}
