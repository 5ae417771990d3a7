namespace FastIngest.Core.Sinks.ClickHouse;

/// <summary>
/// The bucket bounds of <c>fastingest_flush_latency_seconds</c> (how long a flush round took from its
/// first batch to ClickHouse's answer), given to the histogram as advice: the exporter keeps the buckets.
/// </summary>
internal static class LatencyBuckets
{
    public static readonly double[] UpperBoundsSeconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
}
