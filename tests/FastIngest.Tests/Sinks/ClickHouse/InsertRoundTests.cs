using FastIngest.Core.Internal;
using FastIngest.Core.Sinks;
using FastIngest.Core.Sinks.ClickHouse;

namespace FastIngest.Tests.Sinks.ClickHouse;

public sealed class InsertRoundTests
{
    private static FlushBatch Batch(string tenant, ulong requests)
    {
        var batch = new FlushBatch { Lines = (long)requests };
        byte[] name = System.Text.Encoding.UTF8.GetBytes(tenant);
        batch.Traffic.Add(new TrafficRow(name, 1_700_000_040, new TrafficCounters { Requests = requests }));
        batch.Statuses.Add(new StatusRow(name, 1_700_000_040, 200, requests));
        batch.Errors.Add(new ErrorRow(1_700_000_040, "udp", name, "not_json", 1, "{oops"));
        return batch;
    }

    [Fact]
    public void ASpoolRecordComesBackAsTheSameInsertsUnderTheSameIds()
    {
        using var round = new InsertRound();
        round.Reset();
        round.Add(Batch("shop", 3));
        round.Add(Batch("blog", 4));
        using var record = new PooledBufferWriter();
        round.WriteTo(record);

        using var replayed = new InsertRound();
        replayed.Reset();
        Assert.True(replayed.TryReadFrom(record.WrittenSpan));
        Assert.Equal(7, replayed.Lines);
        for (int i = 0; i < round.Tables.Length; i++)
        {
            Assert.Equal(round.Tables[i].Rows, replayed.Tables[i].Rows);
            Assert.Equal(round.Tables[i].Body.WrittenSpan.ToArray(), replayed.Tables[i].Body.WrittenSpan.ToArray());
            if (round.Tables[i].Rows > 0)
            {
                Assert.Equal(round.Tables[i].InsertId, replayed.Tables[i].InsertId);
            }
        }

        Assert.Equal(2, replayed.Tables[TableEncoders.Traffic].Rows);
        Assert.Equal(0, replayed.Tables[TableEncoders.Pixel].Rows);
    }

    [Fact]
    public void EveryRowEndsWithItsInsertId()
    {
        using var round = new InsertRound();
        round.Reset();
        round.Add(Batch("shop", 3));
        TableInsert status = round.Tables[TableEncoders.Status];
        // status_1m row: tenant (1 + 4 bytes), minute (4), status (2), requests (8), then insert_id (8).
        Assert.Equal(5 + 4 + 2 + 8 + 8, status.Body.WrittenCount);
        Assert.Equal(status.InsertId, BitConverter.ToUInt64(status.Body.WrittenSpan[^8..]));
        Assert.NotEqual(0UL, status.InsertId);
        Assert.NotEqual(round.Tables[TableEncoders.Traffic].InsertId, status.InsertId);
    }

    [Fact]
    public void AForeignOrCutRecordIsRefused()
    {
        using var round = new InsertRound();
        round.Reset();
        round.Add(Batch("shop", 3));
        using var record = new PooledBufferWriter();
        round.WriteTo(record);

        using var replayed = new InsertRound();
        Assert.False(replayed.TryReadFrom(record.WrittenSpan[..^1]));
        byte[] otherVersion = record.WrittenSpan.ToArray();
        otherVersion[0] = 99;
        Assert.False(replayed.TryReadFrom(otherVersion));
    }

    [Fact]
    public void DroppedCountsAreKeptPerTenant()
    {
        using var round = new InsertRound();
        round.Reset();
        round.Add(Batch("shop", 3));
        round.Add(Batch("blog", 4));
        round.Add(Batch("shop", 5));
        Dictionary<string, long> counts = round.CountsByTenant();
        Assert.Equal(8, counts["shop"]);
        Assert.Equal(4, counts["blog"]);
    }

    [Fact]
    public void RawRowsTravelThroughTheSpoolRecordAndTakeANewInsertId()
    {
        var batch = new FlushBatch();
        batch.RawRows.Add(new RawRow { Tenant = "shop"u8.ToArray(), Time = 1_700_000_000, TimeMs = 5, Status = 503, BytesSent = 9, CacheStatus = 2, Visitor = 42 }, "GET"u8, "/a"u8, "ref.example"u8);
        batch.RawRows.Add(new RawRow { Tenant = "shop"u8.ToArray(), Time = 1_700_000_001, Status = 200 }, "HEAD"u8, "/b/é"u8, ""u8);
        using var round = new InsertRound();
        round.Reset();
        round.Add(batch);
        TableInsert raw = round.Tables[TableEncoders.RawRows];
        Assert.Equal(2, raw.Rows);
        using var record = new PooledBufferWriter();
        round.WriteTo(record);

        using var replayed = new InsertRound();
        Assert.True(replayed.TryReadFrom(record.WrittenSpan));
        TableInsert back = replayed.Tables[TableEncoders.RawRows];
        Assert.Equal((2, raw.InsertId), (back.Rows, back.InsertId));
        Assert.Equal(raw.Body.WrittenSpan.ToArray(), back.Body.WrittenSpan.ToArray());

        // A replay under a new generation rewrites each row's last column: the shape must walk the row exactly.
        byte[] body = back.Body.WrittenSpan.ToArray();
        InsertIdRewriter.Rewrite(body, TableEncoders.RawRows, 2, 77);
        Assert.Equal(2, Occurrences(body, BitConverter.GetBytes(77UL)));
        Assert.Equal(0, Occurrences(body, BitConverter.GetBytes(raw.InsertId)));
        Assert.Equal(77UL, BitConverter.ToUInt64(body.AsSpan(body.Length - 8)));
    }

    [Fact]
    public void ReferrerRowsTravelThroughTheSpoolRecordAndTakeANewInsertId()
    {
        var batch = new FlushBatch();
        batch.Referrers.Add(new ReferrerRow("shop"u8.ToArray(), 20_780, 3, "google.com"u8.ToArray(), "newsletter"u8.ToArray(), 5, 42));
        batch.Referrers.Add(new ReferrerRow("shop"u8.ToArray(), 20_780, 0, [], [], 1, 0));
        using var round = new InsertRound();
        round.Reset();
        round.Add(batch);
        TableInsert referrers = round.Tables[TableEncoders.Referrers];
        Assert.Equal("referrers_1d", referrers.Name);
        // tenant (1 + 4), day (2), group (1), host (1 + 10), tagged (1 + 10), visits (8), visitor (8), insert_id (8); then (1 + 4) + 2 + 1 + 1 + 1 + 24.
        Assert.Equal((5 + 2 + 1 + 11 + 11 + 24) + (5 + 2 + 1 + 1 + 1 + 24), referrers.Body.WrittenCount);
        using var record = new PooledBufferWriter();
        round.WriteTo(record);

        using var replayed = new InsertRound();
        Assert.True(replayed.TryReadFrom(record.WrittenSpan));
        TableInsert back = replayed.Tables[TableEncoders.Referrers];
        Assert.Equal((2, referrers.InsertId), (back.Rows, back.InsertId));
        byte[] body = back.Body.WrittenSpan.ToArray();
        InsertIdRewriter.Rewrite(body, TableEncoders.Referrers, 2, 77);
        Assert.Equal(2, Occurrences(body, BitConverter.GetBytes(77UL)));
        Assert.Equal(0, Occurrences(body, BitConverter.GetBytes(referrers.InsertId)));
    }

    private static int Occurrences(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> needle)
    {
        int count = 0;
        for (int at = haystack.IndexOf(needle); at >= 0; at = haystack.IndexOf(needle))
        {
            count++;
            haystack = haystack[(at + needle.Length)..];
        }

        return count;
    }
}
