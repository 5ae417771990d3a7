using FastIngest.Core.Internal;

namespace FastIngest.Core.Sinks.ClickHouse;

/// <summary>
/// Keeps every insert within <c>ClickHouse:MaxPartitionsPerInsert</c> partitions. Every table is
/// <c>PARTITION BY toYYYYMM(…)</c>, and modern ClickHouse refuses a block that spans more than
/// <c>max_partitions_per_insert_block</c> (100) of them (code 252, "Too many partitions for single INSERT
/// block"): an import of years of history would make one round that is refused for good (issue 13, item 3).
/// </summary>
/// <remarks>
/// The split happens before a batch becomes a round, so each piece is an ordinary flush batch: it gets
/// its own round, insert ids and spool record, and the ledger and replay logic stay as they are. Counts
/// are per month across all tables of a piece (and per day for <c>requests_raw</c>, partitioned by day),
/// which is stricter than ClickHouse (per table) and simpler.
/// Owned by the write loop; its scratch collections are reused, so a batch that needs no split (every
/// live flush) costs a pass over its rows and allocates nothing.
/// </remarks>
internal sealed class PartitionSplitter
{
    private readonly ObjectPool<FlushBatch> _pool;
    private readonly HashSet<int> _months = [];
    private readonly List<int> _sorted = [];
    private readonly Dictionary<int, int> _pieceOfMonth = [];

    public PartitionSplitter(int maxPartitions, ObjectPool<FlushBatch> pool)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPartitions, 1);
        MaxPartitions = maxPartitions;
        _pool = pool;
    }

    public int MaxPartitions { get; }

    /// <summary>The partition key of a <c>DateTime('UTC')</c> column, as toYYYYMM sees it (months since year 0).</summary>
    public static int Month(uint unixSeconds)
    {
        DateTime time = DateTime.UnixEpoch.AddSeconds(unixSeconds);
        return (time.Year * 12) + time.Month - 1;
    }

    /// <summary>The partition key of a <c>Date</c> column (days since 1970-01-01).</summary>
    public static int MonthOfDay(ushort day)
    {
        DateTime date = DateTime.UnixEpoch.AddDays(day);
        return (date.Year * 12) + date.Month - 1;
    }

    /// <summary>Adds the months <paramref name="batch"/>'s rows touch, all tables, to <paramref name="months"/>.</summary>
    public static void AddMonths(FlushBatch batch, HashSet<int> months)
    {
        foreach (TrafficRow row in batch.Traffic)
        {
            months.Add(Month(row.Minute));
        }

        foreach (StatusRow row in batch.Statuses)
        {
            months.Add(Month(row.Minute));
        }

        foreach (ErrorRow row in batch.Errors)
        {
            months.Add(Month(row.Time));
        }

        foreach (PixelRow row in batch.Pixels)
        {
            months.Add(Month(row.Minute));
        }

        foreach (VisitorRow row in batch.Visitors)
        {
            months.Add(MonthOfDay(row.Day));
        }

        foreach (EventRow row in batch.Events)
        {
            months.Add(Month(row.Minute));
        }

        foreach (UserRow row in batch.Users)
        {
            months.Add(MonthOfDay(row.Day));
        }

        foreach (PathRow row in batch.Paths)
        {
            months.Add(Month(row.Hour));
        }

        foreach (ref readonly RawRow row in batch.RawRows.Rows)
        {
            months.Add(DayKey(row.Time));
        }

        foreach (AgentRow row in batch.Agents)
        {
            months.Add(MonthOfDay(row.Day));
        }
    }

    /// <summary>
    /// The partition key of <c>requests_raw</c> (<c>toYYYYMMDD(time)</c>: days, so a 7-day retention can
    /// drop whole partitions on 18.16), as a negative number so it never equals a month's key: a piece
    /// then counts raw rows' days and other tables' months together, stricter than ClickHouse, as above.
    /// </summary>
    public static int DayKey(uint unixSeconds) => -1 - (int)(unixSeconds / 86_400);

    /// <summary>
    /// Adds to <paramref name="pieces"/> either <paramref name="batch"/> itself (it touches at most
    /// <see cref="MaxPartitions"/> months: false) or, oldest months first, the rented batches it was split
    /// into, each touching at most that many; then <paramref name="batch"/> goes back to the pool (true).
    /// The pieces' rows and counts add up to the batch's exactly; its barriers travel with the last piece,
    /// so they complete only once every piece is written.
    /// </summary>
    public bool Split(FlushBatch batch, List<FlushBatch> pieces)
    {
        _months.Clear();
        AddMonths(batch, _months);
        if (_months.Count <= MaxPartitions)
        {
            pieces.Add(batch);
            return false;
        }

        _sorted.Clear();
        _sorted.AddRange(_months);
        _sorted.Sort();
        _pieceOfMonth.Clear();
        for (int i = 0; i < _sorted.Count; i++)
        {
            _pieceOfMonth[_sorted[i]] = i / MaxPartitions;
        }

        int first = pieces.Count;
        int count = ((_sorted.Count - 1) / MaxPartitions) + 1;
        for (int i = 0; i < count; i++)
        {
            pieces.Add(_pool.Rent());
        }

        foreach (TrafficRow row in batch.Traffic)
        {
            FlushBatch piece = pieces[first + _pieceOfMonth[Month(row.Minute)]];
            piece.Traffic.Add(row);
            piece.Lines += (long)row.Counters.Requests;
        }

        foreach (StatusRow row in batch.Statuses)
        {
            pieces[first + _pieceOfMonth[Month(row.Minute)]].Statuses.Add(row);
        }

        foreach (ErrorRow row in batch.Errors)
        {
            pieces[first + _pieceOfMonth[Month(row.Time)]].Errors.Add(row);
        }

        foreach (PixelRow row in batch.Pixels)
        {
            FlushBatch piece = pieces[first + _pieceOfMonth[Month(row.Minute)]];
            piece.Pixels.Add(row);
            piece.PixelHits += (long)row.Hits;
        }

        foreach (VisitorRow row in batch.Visitors)
        {
            pieces[first + _pieceOfMonth[MonthOfDay(row.Day)]].Visitors.Add(row);
        }

        foreach (EventRow row in batch.Events)
        {
            FlushBatch piece = pieces[first + _pieceOfMonth[Month(row.Minute)]];
            piece.Events.Add(row);
            piece.EventCount += (long)row.Events;
        }

        foreach (UserRow row in batch.Users)
        {
            pieces[first + _pieceOfMonth[MonthOfDay(row.Day)]].Users.Add(row);
        }

        foreach (PathRow row in batch.Paths)
        {
            pieces[first + _pieceOfMonth[Month(row.Hour)]].Paths.Add(row);
        }

        RawRowSet rawRows = batch.RawRows;
        foreach (ref readonly RawRow row in rawRows.Rows)
        {
            pieces[first + _pieceOfMonth[DayKey(row.Time)]].RawRows.Add(rawRows, in row);
        }

        foreach (AgentRow row in batch.Agents)
        {
            pieces[first + _pieceOfMonth[MonthOfDay(row.Day)]].Agents.Add(row);
        }

        // The batch's totals are the sums of its rows (FlushBatch says so); should they ever differ, the
        // difference stays with the last piece, so the round counters the sink reports still add up.
        FlushBatch last = pieces[^1];
        long lines = 0, hits = 0, events = 0;
        for (int i = first; i < pieces.Count; i++)
        {
            lines += pieces[i].Lines;
            hits += pieces[i].PixelHits;
            events += pieces[i].EventCount;
        }

        last.Lines += batch.Lines - lines;
        last.PixelHits += batch.PixelHits - hits;
        last.EventCount += batch.EventCount - events;
        last.Barriers.AddRange(batch.Barriers);
        _pool.Return(batch);
        return true;
    }
}
