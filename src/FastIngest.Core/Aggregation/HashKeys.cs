using System.Security.Cryptography;
using System.Text;
using FastIngest.Core.Internal;

namespace FastIngest.Core.Aggregation;

/// <summary>
/// The secret keys personal input is hashed under (issue 14): one for visitors (address and user agent),
/// one for user ids, each derived with HMAC-SHA256 from <see cref="AggregationOptions.VisitorSecret"/> and
/// a label, so a visitor hash and a user hash can never be matched with each other. Without a configured
/// secret, visitors use a random secret of this process (never written: a restart starts new hashes) and
/// users the secret the host keeps in the state directory (<see cref="AggregationOptions.StoredUserSecret"/>),
/// so unique users still count across restarts; with neither, the process secret.
/// </summary>
internal static class HashKeys
{
    // One per process, not per shard: a tenant whose lines reach two shards (a host-tenant file besides
    // its syslog) must hash a visitor the same on both.
    private static readonly byte[] s_processSecret = RandomNumberGenerator.GetBytes(32);

    public static SipHash Visitors(AggregationOptions options) =>
        Derive(options.VisitorSecret.Length > 0 ? Encoding.UTF8.GetBytes(options.VisitorSecret) : s_processSecret, "fastingest visitors v1"u8);

    public static SipHash Users(AggregationOptions options) =>
        Derive(
            options.VisitorSecret.Length > 0 ? Encoding.UTF8.GetBytes(options.VisitorSecret) : options.StoredUserSecret ?? s_processSecret,
            "fastingest users v1"u8);

    private static SipHash Derive(byte[] secret, ReadOnlySpan<byte> label)
    {
        Span<byte> key = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(secret, label, key);
        return new SipHash(key);
    }
}
