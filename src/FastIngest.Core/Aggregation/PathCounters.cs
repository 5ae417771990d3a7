using FastIngest.Core.Parsing;

namespace FastIngest.Core.Aggregation;

/// <summary>What one path (file) of a tenant had in an hour: downloads, bytes, cache outcome, last hit.</summary>
internal struct PathCounters
{
    public ulong Requests;
    public ulong BodyBytes;
    public ulong CacheHit;
    public ulong CacheMiss;
    /// <summary>Unix seconds of the latest request; folded with max, not summed.</summary>
    public uint LastHit;

    public void Add(in AccessLogRecord record, uint second)
    {
        Requests++;
        if (record.BodyBytesSent > 0)
        {
            BodyBytes += (ulong)record.BodyBytesSent;
        }

        CacheHit += record.CacheStatus == CacheStatus.Hit ? 1UL : 0;
        CacheMiss += record.CacheStatus == CacheStatus.Miss ? 1UL : 0;
        LastHit = Math.Max(LastHit, second);
    }
}
