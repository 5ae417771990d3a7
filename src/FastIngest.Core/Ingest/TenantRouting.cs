using System.IO.Hashing;
using System.Security.Cryptography;

namespace FastIngest.Core.Ingest;

/// <summary>
/// Which shard counts a tenant: XxHash3 of its UTF-8 name, seeded with a random number drawn once per
/// process, modulo the shard count. Unseeded, anyone could compute offline which invented tenant names
/// land on one shard and aim a flood at it (issue 13). Placement is never stored: the spool and the
/// ledger hold rows by tenant name, so a restart with another seed changes nothing but the placement.
/// </summary>
internal static class TenantRouting
{
    /// <summary>This process's seed; every door's writer uses it, so a tenant has one shard per process.</summary>
    public static readonly long ProcessSeed = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8));

    /// <summary>The shard of <paramref name="tenant"/> among <paramref name="shardCount"/> under <paramref name="seed"/>.</summary>
    public static int ShardOf(ReadOnlySpan<byte> tenant, int shardCount, long seed)
        => (int)(XxHash3.HashToUInt64(tenant, seed) % (ulong)shardCount);
}
