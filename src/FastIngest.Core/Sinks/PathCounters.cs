namespace FastIngest.Core.Sinks;

/// <summary>
/// What one path (file) of a tenant had in an hour: downloads, bytes, cache outcome, last hit.
/// Plain data, part of the sink contract: the path aggregate fills it.
/// </summary>
internal struct PathCounters
{
    public ulong Requests;
    public ulong BodyBytes;
    public ulong CacheHit;
    public ulong CacheMiss;
    /// <summary>Unix seconds of the latest request; folded with max, not summed.</summary>
    public uint LastHit;
}
