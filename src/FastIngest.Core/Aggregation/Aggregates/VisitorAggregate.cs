using FastIngest.Core.Sinks;

namespace FastIngest.Core.Aggregation.Aggregates;

/// <summary>
/// <c>visitors_1d</c>: the salted visitor hashes seen this interval, of a tenant's whole traffic and of
/// each of its pixel keys. A set per flush interval: a busy visitor costs one row per interval, not one
/// per hit. Owned by one shard.
/// </summary>
internal sealed class VisitorAggregate
{
    /// <summary>The key id of a tenant's whole traffic (its rows carry an empty key).</summary>
    public const int WholeTraffic = -1;

    private const long MsPerDay = 86_400_000;
    private static readonly byte[] s_noKey = [];

    private readonly HashSet<VisitorKey> _visitors = [];
    private readonly VisitorHasher _hasher;

    public VisitorAggregate(VisitorHasher hasher)
    {
        _hasher = hasher;
    }

    public bool IsEmpty => _visitors.Count == 0;

    /// <summary>Distinct visitors held since the last flush.</summary>
    public int Held => _visitors.Count;

    /// <param name="keyId">The pixel key's id, or <see cref="WholeTraffic"/>.</param>
    /// <returns>The visitor's hash (so a <c>requests_raw</c> row carries the same one), or 0 without an address.</returns>
    public ulong Count(InternedName tenant, int keyId, long timestampMs, ReadOnlySpan<byte> address, ReadOnlySpan<byte> userAgent)
    {
        uint day = (uint)(timestampMs / MsPerDay);
        if (_hasher.TryHash(day, tenant.NameUtf8, address, userAgent, out ulong visitor))
        {
            _visitors.Add(new VisitorKey(tenant.Id, keyId, (ushort)day, visitor));
            return visitor;
        }

        return 0;
    }

    public void ProjectInto(FlushBatch batch, NameTable tenants, NameTable pixelKeys)
    {
        foreach (VisitorKey visitor in _visitors)
        {
            byte[] key = visitor.KeyId == WholeTraffic ? s_noKey : pixelKeys[visitor.KeyId].NameUtf8;
            batch.Visitors.Add(new VisitorRow(tenants[visitor.TenantId].NameUtf8, visitor.Day, key, visitor.Hash));
        }
    }

    public void Clear() => _visitors.Clear();

    /// <summary>A visitor seen this flush interval; <see cref="KeyId"/> is -1 for a tenant's whole traffic.</summary>
    private readonly record struct VisitorKey(int TenantId, int KeyId, ushort Day, ulong Hash);
}
