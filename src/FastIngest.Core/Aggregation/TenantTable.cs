namespace FastIngest.Core.Aggregation;

/// <summary>
/// A shard's tenants, found by the XxHash3 of their UTF-8 name that routed the message here, so the hot
/// path never builds a string. Only the owning shard touches it: no locks.
/// </summary>
internal sealed class TenantTable
{
    private readonly Dictionary<ulong, Tenant> _byHash = [];
    private readonly List<Tenant> _all = [];
    private readonly int _maxTenants;

    public TenantTable(int maxTenants) => _maxTenants = maxTenants;

    public int Count => _all.Count;

    public Tenant this[int id] => _all[id];

    /// <summary>Finds or adds the tenant; false only when adding would pass the configured cap.</summary>
    public bool TryGet(ulong hash, ReadOnlySpan<byte> name, out Tenant tenant)
    {
        if (_byHash.TryGetValue(hash, out Tenant? first))
        {
            for (Tenant? t = first; t is not null; t = t.NextWithSameHash)
            {
                if (name.SequenceEqual(t.NameUtf8))
                {
                    tenant = t;
                    return true;
                }
            }
        }

        if (_all.Count >= _maxTenants)
        {
            tenant = null!;
            return false;
        }

        tenant = new Tenant(_all.Count, hash, name) { NextWithSameHash = first };
        _byHash[hash] = tenant;
        _all.Add(tenant);
        return true;
    }
}
