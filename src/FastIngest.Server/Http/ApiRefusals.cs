namespace FastIngest.Server.Http;

/// <summary>What the HTTP API refused before a handler ran, by reason (plain counters; <see cref="ApiRefusalMetrics"/> publishes them).</summary>
internal sealed class ApiRefusals
{
    private long _unauthorized;
    private long _requestRate;
    private long _bytes;
    private long _concurrency;
    private long _partitions;

    /// <summary>401: no key or a key that is not configured.</summary>
    public long Unauthorized => Volatile.Read(ref _unauthorized);

    /// <summary>429 of the request-rate limit (<c>/event</c>, <c>/ingest</c>, <c>/stats</c>).</summary>
    public long RequestRate => Volatile.Read(ref _requestRate);

    /// <summary>429 of <c>/ingest</c>'s bytes-per-second limit.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>429 of <c>/ingest</c>'s concurrent-requests limit.</summary>
    public long Concurrency => Volatile.Read(ref _concurrency);

    /// <summary>429 because <c>/ingest</c>'s table of client-address partitions was full.</summary>
    public long Partitions => Volatile.Read(ref _partitions);

    public void CountUnauthorized() => Interlocked.Increment(ref _unauthorized);

    public void CountRequestRate() => Interlocked.Increment(ref _requestRate);

    public void Count(IngestRefusal refusal)
    {
        switch (refusal)
        {
            case IngestRefusal.Bytes:
                Interlocked.Increment(ref _bytes);
                break;
            case IngestRefusal.Concurrency:
                Interlocked.Increment(ref _concurrency);
                break;
            case IngestRefusal.Partitions:
                Interlocked.Increment(ref _partitions);
                break;
        }
    }
}
