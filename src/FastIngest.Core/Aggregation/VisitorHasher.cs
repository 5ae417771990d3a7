using System.IO.Hashing;
using System.Security.Cryptography;
using FastIngest.Core.Parsing;

namespace FastIngest.Core.Aggregation;

/// <summary>
/// The unique-visitor signal without personal data: XxHash3 of tenant, address and user agent, seeded
/// with a salt of the request's UTC day. The salt is derived from a secret that lives only in memory
/// (or in configuration, to share it across nodes and restarts) and is never written, so stored hashes
/// cannot be joined across days or tenants, nor traced back to an address by hashing guesses.
/// </summary>
/// <remarks>One per shard: it reuses one scratch buffer, so hashing allocates nothing.</remarks>
internal sealed class VisitorHasher
{
    public const int MaxUserAgentBytes = PixelHit.MaxUserAgentBytes;

    private readonly byte[] _secret;
    private readonly byte[] _input = new byte[NameRules.MaxLength + 1 + PixelHit.MaxAddressBytes + 1 + MaxUserAgentBytes];

    /// <param name="secret">Empty for a random secret of this process (a restart then starts a new salt).</param>
    public VisitorHasher(ReadOnlySpan<byte> secret)
    {
        _secret = secret.IsEmpty ? RandomNumberGenerator.GetBytes(32) : secret.ToArray();
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

        Span<byte> input = _input;
        int at = 0;
        tenant.CopyTo(input);
        at += tenant.Length;
        input[at++] = 0;
        address.CopyTo(input[at..]);
        at += address.Length;
        input[at++] = 0;
        userAgent.CopyTo(input[at..]);
        at += userAgent.Length;

        long salt = (long)XxHash3.HashToUInt64(_secret, day);
        hash = XxHash3.HashToUInt64(input[..at], salt);
        return true;
    }
}
