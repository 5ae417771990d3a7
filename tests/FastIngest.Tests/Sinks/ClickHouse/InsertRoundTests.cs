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
}
