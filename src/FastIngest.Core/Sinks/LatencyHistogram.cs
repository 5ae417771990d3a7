using System.Runtime.CompilerServices;

namespace FastIngest.Core.Sinks;

/// <summary>
/// Request-time counts in fixed buckets, so percentiles survive summing across flushes and nodes
/// (a t-digest state cannot be written as RowBinary from here). Upper bounds in ms, last is open.
/// </summary>
[InlineArray(BucketCount)]
internal struct LatencyHistogram
{
    public const int BucketCount = 8;

    // Exclusive upper bounds in ms of all but the last bucket; TableEncoders.TrafficColumns names the
    // columns. An array, not a ReadOnlySpan literal: Debug builds allocate for the literal on every
    // call, which the allocation guard test caught.
    private static readonly int[] s_upperBoundsMs = [10, 50, 100, 250, 500, 1000, 5000];

    private ulong _bucket0;

    public static int BucketOf(long milliseconds)
    {
        int[] bounds = s_upperBoundsMs;
        for (int i = 0; i < bounds.Length; i++)
        {
            if (milliseconds < bounds[i])
            {
                return i;
            }
        }

        return BucketCount - 1;
    }
}
