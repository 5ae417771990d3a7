using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FastIngest.Core.Parsing;
using FastIngest.Core.Sinks;

namespace FastIngest.Core.Aggregation.Aggregates;

/// <summary>
/// <c>paths_1h</c>, per file (path) and hour: what "top files by downloads and by bytes" reads. A tenant's
/// first <see cref="AggregationOptions.MaxPathsPerTenant"/> distinct paths of the interval keep their
/// name, the rest count under <c>(other)</c>, which keeps sums exact: "first N distinct paths of the
/// interval", not a top N by hits, which would need per-path counts kept past the cap. Owned by one shard.
/// </summary>
internal sealed class PathAggregate
{
    private readonly Dictionary<PathKey, PathCounters> _pathHits = [];
    private readonly PathBudget _budget;

    public PathAggregate(PathBudget budget)
    {
        _budget = budget;
    }

    public bool IsEmpty => _pathHits.Count == 0;

    public void Count(InternedName tenant, in AccessLogRecord record)
    {
        uint second = (uint)(record.TimestampMs / 1000);
        uint hour = second / 3600 * 3600;
        ref int named = ref _budget.PathsNamedBy(tenant.Id);
        ref PathCounters counters = ref Unsafe.NullRef<PathCounters>();
        if (_budget.TryGet(record.Text(record.Path), named, out InternedName path))
        {
            var key = new PathKey(tenant.Id, hour, path.Id);
            counters = ref CollectionsMarshal.GetValueRefOrNullRef(_pathHits, key);
            if (Unsafe.IsNullRef(ref counters) && _budget.TryAdmit(tenant.Id, path.Id, ref named))
            {
                counters = ref CollectionsMarshal.GetValueRefOrAddDefault(_pathHits, key, out _);
            }
        }

        if (Unsafe.IsNullRef(ref counters))
        {
            _budget.CountFolded();
            counters = ref CollectionsMarshal.GetValueRefOrAddDefault(_pathHits, new PathKey(tenant.Id, hour, _budget.Other.Id), out _);
        }

        Add(ref counters, in record, second);
    }

    public void ProjectInto(FlushBatch batch, NameTable tenants, NameTable paths)
    {
        foreach (KeyValuePair<PathKey, PathCounters> pair in _pathHits)
        {
            batch.Paths.Add(new PathRow(tenants[pair.Key.TenantId].NameUtf8, pair.Key.Hour, paths[pair.Key.PathId].NameUtf8, pair.Value));
        }
    }

    public void Clear() => _pathHits.Clear();

    /// <summary>Here, not on the row's counters: the sink contract stays plain data and knows no parser.</summary>
    public static void Add(ref PathCounters counters, in AccessLogRecord record, uint second)
    {
        counters.Requests++;
        if (record.BodyBytesSent > 0)
        {
            counters.BodyBytes += (ulong)record.BodyBytesSent;
        }

        counters.CacheHit += record.CacheStatus == CacheStatus.Hit ? 1UL : 0;
        counters.CacheMiss += record.CacheStatus == CacheStatus.Miss ? 1UL : 0;
        counters.LastHit = Math.Max(counters.LastHit, second);
    }

    /// <summary>One path (file) of a tenant in one hour.</summary>
    private readonly record struct PathKey(int TenantId, uint Hour, int PathId);
}
