namespace FastIngest.Core.Sinks.ClickHouse;

/// <summary>
/// A Prometheus-style histogram of durations (cumulative buckets, sum, count), written by one loop and
/// read by <c>/metrics</c>: how long a flush round took from its first batch to ClickHouse's answer.
/// </summary>
internal sealed class LatencyBuckets
{
    public static readonly double[] UpperBoundsSeconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private readonly long[] _counts = new long[UpperBoundsSeconds.Length + 1];
    private long _sumMicroseconds;

    public void Record(TimeSpan duration)
    {
        double seconds = duration.TotalSeconds;
        int bucket = 0;
        while (bucket < UpperBoundsSeconds.Length && seconds > UpperBoundsSeconds[bucket])
        {
            bucket++;
        }

        Interlocked.Increment(ref _counts[bucket]);
        Interlocked.Add(ref _sumMicroseconds, (long)(seconds * 1_000_000));
    }

    /// <summary>Observations at most <c>UpperBoundsSeconds[bucket]</c> (the last bucket is +Inf).</summary>
    public long Cumulative(int bucket)
    {
        long total = 0;
        for (int i = 0; i <= bucket; i++)
        {
            total += Volatile.Read(ref _counts[i]);
        }

        return total;
    }

    public long Count => Cumulative(UpperBoundsSeconds.Length);

    public double SumSeconds => Volatile.Read(ref _sumMicroseconds) / 1_000_000.0;
}
