using FastIngest.Core.Parsing;

namespace FastIngest.Core.Aggregation;

/// <summary>
/// The additive counters of one tenant-minute, one column each in <c>fastingest.traffic_1m</c>.
/// Every field is a sum, so partial flushes and several nodes add up under SummingMergeTree.
/// </summary>
internal struct TrafficCounters
{
    public ulong Requests;
    public ulong BytesSent;
    public ulong BodyBytesSent;
    public ulong Status1xx;
    public ulong Status2xx;
    public ulong Status3xx;
    public ulong Status4xx;
    public ulong Status5xx;
    public ulong CacheHit;
    public ulong CacheMiss;
    public ulong CacheExpired;
    public ulong CacheStale;
    public ulong CacheUpdating;
    public ulong CacheRevalidated;
    public ulong CacheBypass;
    /// <summary>Lines that carried a request time; the denominator of an average.</summary>
    public ulong RequestTimeCount;
    public ulong RequestTimeSumMs;
    public LatencyHistogram Latency;

    public void Add(in AccessLogRecord record)
    {
        Requests++;
        if (record.BytesSent > 0)
        {
            BytesSent += (ulong)record.BytesSent;
        }

        if (record.BodyBytesSent > 0)
        {
            BodyBytesSent += (ulong)record.BodyBytesSent;
        }

        switch (record.Status / 100)
        {
            case 1: Status1xx++; break;
            case 2: Status2xx++; break;
            case 3: Status3xx++; break;
            case 4: Status4xx++; break;
            case 5: Status5xx++; break;
        }

        switch (record.CacheStatus)
        {
            case CacheStatus.Hit: CacheHit++; break;
            case CacheStatus.Miss: CacheMiss++; break;
            case CacheStatus.Expired: CacheExpired++; break;
            case CacheStatus.Stale: CacheStale++; break;
            case CacheStatus.Updating: CacheUpdating++; break;
            case CacheStatus.Revalidated: CacheRevalidated++; break;
            case CacheStatus.Bypass: CacheBypass++; break;
        }

        if (record.RequestTimeMs >= 0)
        {
            RequestTimeCount++;
            RequestTimeSumMs += (ulong)record.RequestTimeMs;
            Latency[LatencyHistogram.BucketOf(record.RequestTimeMs)]++;
        }
    }
}
