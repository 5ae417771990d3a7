using System.IO.Hashing;
using System.Text;
using FastIngest.Core.Parsing;

namespace FastIngest.Core.Aggregation;

/// <summary>
/// The tenants the operator configured (<see cref="AggregationOptions.KnownTenants"/>, filled by the
/// composition root from <c>FastIngest:Tenants</c>, the pixel's allowed tenants and the file sources):
/// always admitted, never counted against <see cref="AggregationOptions.MaxTenants"/>, never forgotten.
/// Read-only once built, so every shard reads it without a lock.
/// </summary>
internal sealed class KnownTenants
{
    public static readonly KnownTenants None = new([]);

    private readonly Dictionary<ulong, byte[]> _byHash = [];

    /// <param name="tenants">Names; duplicates and names that break the tenant rules are skipped (validated where configured).</param>
    public KnownTenants(IEnumerable<string> tenants)
    {
        foreach (string tenant in tenants)
        {
            byte[] name = Encoding.UTF8.GetBytes(tenant);
            if (NameRules.IsValid(name))
            {
                _byHash[XxHash3.HashToUInt64(name)] = name;
            }
        }
    }

    public int Count => _byHash.Count;

    /// <param name="hash">The unseeded XxHash3 of <paramref name="tenant"/>, as <see cref="Ingest.IngestEntry.TenantHash"/> carries it.</param>
    public bool Contains(ulong hash, ReadOnlySpan<byte> tenant)
        => _byHash.TryGetValue(hash, out byte[]? name) && tenant.SequenceEqual(name);
}
