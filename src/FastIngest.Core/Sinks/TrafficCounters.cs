namespace FastIngest.Core.Sinks;

/// <summary>
/// The additive counters of one tenant-minute, one column each in <c>fastingest.traffic_1m</c>.
/// Every field is a sum, so partial flushes and several nodes add up under SummingMergeTree.
/// Plain data, part of the sink contract: the traffic aggregate fills it.
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
}
