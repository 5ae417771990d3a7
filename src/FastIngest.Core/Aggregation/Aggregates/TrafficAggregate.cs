using System.Runtime.InteropServices;
using FastIngest.Core.Parsing;
using FastIngest.Core.Sinks;

namespace FastIngest.Core.Aggregation.Aggregates;

/// <summary>
/// <c>traffic_1m</c>: the additive counters of each tenant-minute. Owned by one shard; allocation-free
/// once its buckets exist.
/// </summary>
internal sealed class TrafficAggregate
{
    private readonly Dictionary<MinuteKey, TrafficCounters> _traffic = [];

    public bool IsEmpty => _traffic.Count == 0;

    /// <summary>Lines counted since the last <see cref="Clear"/>; what the flush reports as <see cref="FlushBatch.Lines"/>.</summary>
    public long Lines { get; private set; }

    /// <param name="minute">Unix seconds at the start of the record's minute.</param>
    public void Count(InternedName tenant, uint minute, in AccessLogRecord record)
    {
        ref TrafficCounters counters = ref CollectionsMarshal.GetValueRefOrAddDefault(_traffic, new MinuteKey(tenant.Id, minute), out _);
        Add(ref counters, in record);
        Lines++;
    }

    public void ProjectInto(FlushBatch batch, NameTable tenants)
    {
        foreach (KeyValuePair<MinuteKey, TrafficCounters> pair in _traffic)
        {
            batch.Traffic.Add(new TrafficRow(tenants[pair.Key.TenantId].NameUtf8, pair.Key.Minute, pair.Value));
        }

        batch.Lines = Lines;
    }

    public void Clear()
    {
        _traffic.Clear();
        Lines = 0;
    }

    /// <summary>Here, not on the row's counters: the sink contract stays plain data and knows no parser.</summary>
    public static void Add(ref TrafficCounters counters, in AccessLogRecord record)
    {
        counters.Requests++;
        if (record.BytesSent > 0)
        {
            counters.BytesSent += (ulong)record.BytesSent;
        }

        if (record.BodyBytesSent > 0)
        {
            counters.BodyBytesSent += (ulong)record.BodyBytesSent;
        }

        switch (record.Status / 100)
        {
            case 1: counters.Status1xx++; break;
            case 2: counters.Status2xx++; break;
            case 3: counters.Status3xx++; break;
            case 4: counters.Status4xx++; break;
            case 5: counters.Status5xx++; break;
        }

        switch (record.CacheStatus)
        {
            case CacheStatus.Hit: counters.CacheHit++; break;
            case CacheStatus.Miss: counters.CacheMiss++; break;
            case CacheStatus.Expired: counters.CacheExpired++; break;
            case CacheStatus.Stale: counters.CacheStale++; break;
            case CacheStatus.Updating: counters.CacheUpdating++; break;
            case CacheStatus.Revalidated: counters.CacheRevalidated++; break;
            case CacheStatus.Bypass: counters.CacheBypass++; break;
        }

        if (record.RequestTimeMs >= 0)
        {
            counters.RequestTimeCount++;
            counters.RequestTimeSumMs += (ulong)record.RequestTimeMs;
            counters.Latency[LatencyHistogram.BucketOf(record.RequestTimeMs)]++;
        }
    }

    /// <summary>A tenant-minute bucket. <see cref="Minute"/> is Unix seconds at the minute's start.</summary>
    private readonly record struct MinuteKey(int TenantId, uint Minute);
}
