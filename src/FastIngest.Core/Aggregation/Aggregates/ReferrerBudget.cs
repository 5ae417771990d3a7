namespace FastIngest.Core.Aggregation.Aggregates;

/// <summary>
/// The shard's table of referring hosts and tagged sources under the
/// <see cref="ReferrerOptions.MaxSourcesPerTenant"/> budget: the distinct names each tenant named this flush
/// interval. Both kinds are text the sender chooses, so both spend it; a name past it folds the row into
/// <c>(other)</c>. The same rule as <see cref="PathBudget"/>: first N distinct names of the interval, not a top N,
/// which would need counts kept for every name past the cap. Cleared by the aggregate at every flush.
/// </summary>
internal sealed class ReferrerBudget
{
    private readonly NameTable _names;
    private readonly int _maxPerTenant;
    private readonly HashSet<TenantNameKey> _tenantNames = [];
    // Grows when a new tenant id appears (which allocates its name anyway).
    private int[] _namedByTenant = new int[16];

    public ReferrerBudget(int maxPerShard, int maxPerTenant)
    {
        // Hosts are at most 253 bytes (ReferrerClassifier.MaxHostBytes), tagged sources 64: nothing is cut.
        // "(other)" can't be a host (parentheses are outside a host's alphabet), so folding is visible.
        _names = new NameTable(maxPerShard, "(other)"u8, maxNameBytes: 256);
        Other = _names.Other!;
        _maxPerTenant = maxPerTenant;
    }

    /// <summary>The host everything past a budget counts under: <c>(other)</c>.</summary>
    public InternedName Other { get; }

    public NameTable Names => _names;

    /// <summary>
    /// Finds the name's id for the tenant, naming it when the tenant has budget left (and the shard's table
    /// room); false means: fold the row. A tenant past its budget may still use a name it named this interval.
    /// </summary>
    public bool TryName(int tenantId, ReadOnlySpan<byte> name, out int nameId)
    {
        ref int named = ref NamedBy(tenantId);
        bool room = named < _maxPerTenant;
        // Without budget, only look: a tenant past it can't add to the table every tenant of the shard shares.
        if (!(room ? _names.TryGet(name, out InternedName found) : _names.TryFind(name, out found)))
        {
            nameId = 0;
            return false;
        }

        nameId = found.Id;
        var key = new TenantNameKey(tenantId, found.Id);
        if (_tenantNames.Contains(key))
        {
            return true;
        }

        if (!room)
        {
            return false;
        }

        _tenantNames.Add(key);
        named++;
        return true;
    }

    /// <summary>Starts the next interval with every tenant's budget whole; call only once no bucket refers to a name id.</summary>
    public void Clear()
    {
        _tenantNames.Clear();
        Array.Clear(_namedByTenant);
        _names.Recycle();
    }

    private ref int NamedBy(int tenantId)
    {
        if ((uint)tenantId >= (uint)_namedByTenant.Length)
        {
            // Only when the shard meets a new tenant id, which allocates its name anyway.
            Array.Resize(ref _namedByTenant, Math.Max(tenantId + 1, _namedByTenant.Length * 2));
        }

        return ref _namedByTenant[tenantId];
    }

    /// <summary>A name a tenant named this flush interval: what its budget counts.</summary>
    private readonly record struct TenantNameKey(int TenantId, int NameId);
}
