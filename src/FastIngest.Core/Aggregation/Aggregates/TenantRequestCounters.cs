using FastIngest.Core.Parsing;

namespace FastIngest.Core.Aggregation.Aggregates;

/// <summary>
/// Running totals per opted-in tenant (<see cref="TenantMetricsOptions.TenantLabels"/>) by status class and
/// by cache status, for <c>/metrics</c>. Owned by one shard: only its worker writes, without a lock; the
/// exporter reads every shard's and sums them at a scrape. Never reset (Prometheus counters).
/// </summary>
internal sealed class TenantRequestCounters
{
    /// <summary>1xx..5xx: every parser refuses a status outside 100..599 (<see cref="RejectReason.InvalidStatus"/>).</summary>
    public const int StatusClasses = 5;

    /// <summary>One per <see cref="CacheStatus"/> value, <see cref="CacheStatus.None"/> included.</summary>
    public const int CacheStatuses = (int)CacheStatus.Other + 1;

    private readonly TenantAllowList _tenants;
    private readonly IList<string> _names;
    private readonly long[] _statuses;
    private readonly long[] _caches;

    public TenantRequestCounters(IList<string> tenants)
    {
        _names = tenants;
        _tenants = new TenantAllowList(tenants);
        _statuses = new long[tenants.Count * StatusClasses];
        _caches = new long[tenants.Count * CacheStatuses];
    }

    public int TenantCount => _names.Count;

    /// <summary>
    /// Counts one access-log line if its tenant is opted in. Which slot a tenant has is decided once and
    /// kept on the shard's interned name: afterwards a tenant not listed costs one field read per line.
    /// </summary>
    public void Count(InternedName tenant, ushort status, CacheStatus cache)
    {
        int slot = tenant.MetricsSlot;
        if (slot == 0)
        {
            slot = tenant.MetricsSlot = SlotOf(tenant.NameUtf8);
        }

        if (slot < 0)
        {
            return;
        }

        int index = slot - 1;
        int statusClass = (status / 100) - 1;
        if ((uint)statusClass < StatusClasses)
        {
            ref long byStatus = ref _statuses[(index * StatusClasses) + statusClass];
            Volatile.Write(ref byStatus, byStatus + 1);
        }

        ref long byCache = ref _caches[(index * CacheStatuses) + (int)cache];
        Volatile.Write(ref byCache, byCache + 1);
    }

    /// <summary>Requests of the <paramref name="tenant"/>-th listed tenant in a status class (read from other threads).</summary>
    public long Requests(int tenant, int statusClass) => Volatile.Read(ref _statuses[(tenant * StatusClasses) + statusClass]);

    /// <summary>Requests of the <paramref name="tenant"/>-th listed tenant with a cache status (read from other threads).</summary>
    public long Cache(int tenant, CacheStatus cache) => Volatile.Read(ref _caches[(tenant * CacheStatuses) + (int)cache]);

    /// <summary>1 + the tenant's index in the list, or -1 when it is not listed.</summary>
    private int SlotOf(ReadOnlySpan<byte> name)
    {
        if (!_tenants.Allows(name))
        {
            return -1;
        }

        for (int i = 0; i < _names.Count; i++)
        {
            if (name.SequenceEqual(System.Text.Encoding.UTF8.GetBytes(_names[i])))
            {
                return i + 1;
            }
        }

        return -1;
    }
}
