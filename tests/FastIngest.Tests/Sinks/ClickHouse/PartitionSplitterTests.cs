using FastIngest.Core.Internal;
using FastIngest.Core.Sinks;
using FastIngest.Core.Sinks.ClickHouse;

namespace FastIngest.Tests.Sinks.ClickHouse;

public sealed class PartitionSplitterTests
{
    private static readonly byte[] s_tenant = "shop"u8.ToArray();

    // A batch with one row of every table in each of `months` consecutive months from January 2000,
    // the way an import of history flushes it.
    private static FlushBatch History(int months)
    {
        var batch = new FlushBatch();
        var start = new DateTime(2000, 1, 15, 12, 30, 0, DateTimeKind.Utc);
        for (int i = 0; i < months; i++)
        {
            DateTime time = start.AddMonths(i);
            uint seconds = (uint)new DateTimeOffset(time).ToUnixTimeSeconds();
            ushort day = (ushort)(time - DateTime.UnixEpoch).Days;
            ulong requests = (ulong)(i + 1);
            batch.Traffic.Add(new TrafficRow(s_tenant, seconds, new TrafficCounters { Requests = requests, BodyBytesSent = requests * 100 }));
            batch.Statuses.Add(new StatusRow(s_tenant, seconds, 200, requests));
            batch.Errors.Add(new ErrorRow(seconds, "file", s_tenant, "not_json", 1, "x"));
            batch.Pixels.Add(new PixelRow(s_tenant, "k"u8.ToArray(), seconds, 2));
            batch.Visitors.Add(new VisitorRow(s_tenant, day, [], (ulong)i));
            batch.Events.Add(new EventRow(s_tenant, seconds, "view"u8.ToArray(), "/"u8.ToArray(), 3));
            batch.Users.Add(new UserRow(s_tenant, day, (ulong)i));
            batch.Paths.Add(new PathRow(s_tenant, seconds / 3600 * 3600, "/"u8.ToArray(), new PathCounters { Requests = requests }));
            batch.Agents.Add(new AgentRow(s_tenant, day, "firefox", "linux", "desktop", false, "", requests, (ulong)i));
            batch.Lines += (long)requests;
            batch.PixelHits += 2;
            batch.EventCount += 3;
        }

        return batch;
    }

    private static int Months(FlushBatch batch)
    {
        var months = new HashSet<int>();
        PartitionSplitter.AddMonths(batch, months);
        return months.Count;
    }

    [Fact]
    public void ABatchWithinTheCapIsReturnedAsItIs()
    {
        var pool = new ObjectPool<FlushBatch>();
        var splitter = new PartitionSplitter(90, pool);
        FlushBatch batch = History(90);
        var pieces = new List<FlushBatch>();

        Assert.False(splitter.Split(batch, pieces));

        Assert.Same(batch, Assert.Single(pieces));
        Assert.Equal(90, batch.Traffic.Count);
    }

    [Fact]
    public void ABatchWithinTheCapAllocatesNothing()
    {
        var splitter = new PartitionSplitter(90, new ObjectPool<FlushBatch>());
        FlushBatch batch = History(60);
        var pieces = new List<FlushBatch>(4);
        splitter.Split(batch, pieces);
        pieces.Clear();

        long before = GC.GetAllocatedBytesForCurrentThread();
        splitter.Split(batch, pieces);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData(91, 90, 2)]
    [InlineData(150, 50, 3)]
    [InlineData(151, 50, 4)]
    [InlineData(12, 1, 12)]
    public void APieceTouchesAtMostTheCapAndThePiecesAddUpExactly(int months, int cap, int expectedPieces)
    {
        var pool = new ObjectPool<FlushBatch>();
        var splitter = new PartitionSplitter(cap, pool);
        FlushBatch batch = History(months);
        var barrier = new TaskCompletionSource();
        batch.Barriers.Add(barrier);
        long lines = batch.Lines, hits = batch.PixelHits, events = batch.EventCount;
        ulong requests = Sum(batch.Traffic, r => r.Counters.Requests), body = Sum(batch.Traffic, r => r.Counters.BodyBytesSent);
        var pieces = new List<FlushBatch>();

        Assert.True(splitter.Split(batch, pieces));

        Assert.Equal(expectedPieces, pieces.Count);
        Assert.All(pieces, p => Assert.InRange(Months(p), 1, cap));
        Assert.Equal(lines, pieces.Sum(p => p.Lines));
        Assert.Equal(hits, pieces.Sum(p => p.PixelHits));
        Assert.Equal(events, pieces.Sum(p => p.EventCount));
        Assert.Equal(requests, pieces.Aggregate(0UL, (s, p) => s + Sum(p.Traffic, r => r.Counters.Requests)));
        Assert.Equal(body, pieces.Aggregate(0UL, (s, p) => s + Sum(p.Traffic, r => r.Counters.BodyBytesSent)));
        Assert.All(pieces, p => Assert.Equal(p.Lines, (long)Sum(p.Traffic, r => r.Counters.Requests)));
        foreach (Func<FlushBatch, int> rows in new Func<FlushBatch, int>[]
        {
            p => p.Traffic.Count, p => p.Statuses.Count, p => p.Errors.Count, p => p.Pixels.Count,
            p => p.Visitors.Count, p => p.Events.Count, p => p.Users.Count, p => p.Paths.Count, p => p.Agents.Count,
        })
        {
            Assert.Equal(months, pieces.Sum(rows));
        }

        // Every row of a month sits in the piece of its month, whatever its table.
        Assert.All(pieces, p => Assert.Equal(Months(p), p.Traffic.Count));
        // Oldest months first, and the barrier completes only with the last piece.
        Assert.True(pieces[0].Traffic[0].Minute < pieces[^1].Traffic[0].Minute);
        Assert.Same(barrier, Assert.Single(pieces[^1].Barriers));
        Assert.All(pieces.Take(pieces.Count - 1), p => Assert.Empty(p.Barriers));
        // The original went back to the pool, emptied.
        Assert.True(batch.IsEmpty);
        Assert.Same(batch, pool.Rent());
    }

    [Fact]
    public void MonthsAreUtcCalendarMonthsAsToYYYYMMSeesThem()
    {
        uint lastSecondOfJanuary = (uint)new DateTimeOffset(2024, 1, 31, 23, 59, 59, TimeSpan.Zero).ToUnixTimeSeconds();
        Assert.Equal((2024 * 12) + 0, PartitionSplitter.Month(lastSecondOfJanuary));
        Assert.Equal((2024 * 12) + 1, PartitionSplitter.Month(lastSecondOfJanuary + 1));
        Assert.Equal(1970 * 12, PartitionSplitter.Month(1));
        ushort leapDay = (ushort)(new DateTime(2024, 2, 29, 0, 0, 0, DateTimeKind.Utc) - DateTime.UnixEpoch).Days;
        Assert.Equal((2024 * 12) + 1, PartitionSplitter.MonthOfDay(leapDay));
        Assert.Equal((2024 * 12) + 2, PartitionSplitter.MonthOfDay((ushort)(leapDay + 1)));
    }

    [Fact]
    public void RawRowsArePartitionedByDayAndKeepTheirTextWhenSplit()
    {
        // requests_raw is PARTITION BY toYYYYMMDD(time): 150 days of raw rows are 150 partitions.
        var pool = new ObjectPool<FlushBatch>();
        var splitter = new PartitionSplitter(50, pool);
        var batch = new FlushBatch();
        uint start = (uint)new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        for (int day = 0; day < 150; day++)
        {
            byte[] path = System.Text.Encoding.UTF8.GetBytes("/day/" + day);
            batch.RawRows.Add(new RawRow { Tenant = s_tenant, Time = start + ((uint)day * 86_400), Status = 200 }, "GET"u8, path, "ref.example"u8, "bot:google"u8);
        }

        var pieces = new List<FlushBatch>();
        Assert.True(splitter.Split(batch, pieces));

        Assert.Equal(3, pieces.Count);
        Assert.All(pieces, p => Assert.Equal(50, Months(p)));
        var paths = new List<string>();
        foreach (FlushBatch piece in pieces)
        {
            foreach (RawRow row in piece.RawRows.Rows)
            {
                Assert.Equal("/day/" + ((row.Time - start) / 86_400), System.Text.Encoding.UTF8.GetString(piece.RawRows.Path(in row)));
                Assert.Equal("ref.example", System.Text.Encoding.UTF8.GetString(piece.RawRows.ReferrerHost(in row)));
                Assert.Equal("bot:google", System.Text.Encoding.UTF8.GetString(piece.RawRows.AgentClass(in row)));
                paths.Add(System.Text.Encoding.UTF8.GetString(piece.RawRows.Path(in row)));
            }
        }

        Assert.Equal(150, paths.Distinct().Count());
        Assert.Equal(PartitionSplitter.DayKey(start), PartitionSplitter.DayKey(start + 3599));
        Assert.NotEqual(PartitionSplitter.DayKey(start), PartitionSplitter.DayKey(start + 86_400));
    }

    private static ulong Sum<TRow>(List<TRow> rows, Func<TRow, ulong> value)
    {
        ulong sum = 0;
        foreach (TRow row in rows)
        {
            sum += value(row);
        }

        return sum;
    }
}
