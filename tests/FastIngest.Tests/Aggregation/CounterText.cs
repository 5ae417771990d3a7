using FastIngest.Core.Sinks;

namespace FastIngest.Tests.Aggregation;

/// <summary>
/// Every sum of a <see cref="TrafficCounters"/> as text, latency buckets included: the struct holds an
/// inline array, which xUnit's equality cannot compare, and a test that says "nothing changed" must
/// compare all of it.
/// </summary>
internal static class CounterText
{
    public static string Of(TrafficCounters c)
    {
        var latency = new ulong[LatencyHistogram.BucketCount];
        for (int i = 0; i < latency.Length; i++)
        {
            latency[i] = c.Latency[i];
        }

        return $"{c.Requests} {c.BytesSent} {c.BodyBytesSent} {c.Status1xx} {c.Status2xx} {c.Status3xx} {c.Status4xx} {c.Status5xx} " +
            $"{c.CacheHit} {c.CacheMiss} {c.CacheExpired} {c.CacheStale} {c.CacheUpdating} {c.CacheRevalidated} {c.CacheBypass} " +
            $"{c.RequestTimeCount} {c.RequestTimeSumMs} [{string.Join(",", latency)}]";
    }
}
