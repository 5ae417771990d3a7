namespace FastIngest.Core.Aggregation;

/// <summary>
/// Which request times a pipeline counts, relative to when each message arrived: live doors count
/// <c>[arrival − MaxLateness, arrival + MaxAhead]</c>, the <c>import</c> command any age. Each minute
/// counted is a ClickHouse partition's worth of rows, so a broken clock or a forged <c>msec</c> would
/// otherwise create partitions in 1970 or 2076 (issue 13, item 3).
/// </summary>
/// <remarks>
/// "Now" is the entry's arrival second, which the door stamped once for its read: no clock is read per
/// line, and the check is deterministic for a given batch. Arrival is truncated to whole seconds, so a
/// time up to a second older than <c>MaxLateness</c> may pass (never one further ahead than
/// <c>MaxAhead</c>); that is well inside any sensible setting.
/// </remarks>
internal readonly struct TimeWindow
{
    // Far enough to admit every time the shard accepts (0..2106) from any arrival, near enough that
    // arrival ± it cannot overflow a long.
    private const long UnboundedMs = long.MaxValue / 4;

    private readonly long _latenessMs;
    private readonly long _aheadMs;

    private TimeWindow(long latenessMs, long aheadMs)
    {
        _latenessMs = latenessMs;
        _aheadMs = aheadMs;
    }

    /// <summary>Any age, any future: what <c>import</c> counts (history is its purpose).</summary>
    public static TimeWindow Unbounded { get; } = new(UnboundedMs, UnboundedMs);

    /// <summary>The live doors' window from <see cref="AggregationOptions.MaxLateness"/> and <see cref="AggregationOptions.MaxAhead"/>.</summary>
    public static TimeWindow Live(AggregationOptions options)
        => new((long)options.MaxLateness.TotalMilliseconds, (long)options.MaxAhead.TotalMilliseconds);

    /// <summary>Whether a request at <paramref name="timestampMs"/> arriving at <paramref name="arrivedAt"/> counts. Both edges are in.</summary>
    public bool Admits(long timestampMs, uint arrivedAt)
    {
        long nowMs = arrivedAt * 1000L;
        return timestampMs >= nowMs - _latenessMs && timestampMs <= nowMs + _aheadMs;
    }
}
