using FastIngest.Core.Internal;
using FastIngest.Core.Sinks;
using FastIngest.Core.Sinks.ClickHouse;

namespace FastIngest.Tests.Sinks.ClickHouse;

// An insert ClickHouse refused may have a ledger row without its data: the next attempt goes under the
// id of the next generation, derived from the original id (the spool record keeps only that one).
public sealed class InsertIdsTests
{
    [Fact]
    public void GenerationZeroIsTheOriginalIdAndEveryLaterOneIsNewNonZeroAndTheSameEachTime()
    {
        ulong original = 0x1234_5678_9abc_def1UL;
        Assert.Equal(original, InsertIds.Derive(original, 0));
        var seen = new HashSet<ulong> { original };
        for (int generation = 1; generation <= 1000; generation++)
        {
            ulong id = InsertIds.Derive(original, generation);
            Assert.NotEqual(0UL, id);
            Assert.True(seen.Add(id), $"generation {generation} repeats an earlier id");
            Assert.Equal(id, InsertIds.Derive(original, generation));
        }

        // Neighbouring originals do not share ids either (the generations of other rounds).
        Assert.DoesNotContain(InsertIds.Derive(original + 2, 1), seen);
        Assert.NotEqual(0UL, InsertIds.Derive(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => InsertIds.Derive(original, -1));
    }

    [Fact]
    public void RekeyPutsTheNewIdIntoEveryRowOfEveryTableAsIfEncodedUnderIt()
    {
        using var round = new InsertRound();
        round.Reset();
        round.Add(Batch("shop"));
        round.Add(Batch("a-much-longer-tenant-name-" + new string('x', 200)));
        using var expected = new InsertRound();
        expected.Reset();
        foreach (TableInsert table in round.Tables)
        {
            Assert.Equal(2, table.Rows);
            table.Rekey(3);
            Assert.Equal(3, table.Generation);
            Assert.Equal(InsertIds.Derive(table.OriginalId, 3), table.InsertId);
            expected.Tables[table.Index].Start(table.InsertId);
        }

        // The same rows encoded from scratch under the new ids: byte for byte what the rewrite made.
        expected.Add(Batch("shop"));
        expected.Add(Batch("a-much-longer-tenant-name-" + new string('x', 200)));
        foreach (TableInsert table in round.Tables)
        {
            Assert.Equal(expected.Tables[table.Index].Body.WrittenSpan.ToArray(), table.Body.WrittenSpan.ToArray());
        }

        // And back: generation 0 is the original bytes again.
        round.Tables[TableEncoders.Pixel].Rekey(0);
        Assert.Equal(round.Tables[TableEncoders.Pixel].OriginalId, BitConverter.ToUInt64(round.Tables[TableEncoders.Pixel].Body.WrittenSpan[^8..]));
    }

    [Fact]
    public void ABodyThatDoesNotWalkToItsEndIsRefusedNotHalfRewritten()
    {
        using var round = new InsertRound();
        round.Reset();
        round.Add(Batch("shop"));
        round.Add(Batch("blog"));
        TableInsert pixel = round.Tables[TableEncoders.Pixel];
        pixel.Rows = 3; // one more than the body holds
        Assert.Throws<InvalidDataException>(() => pixel.Rekey(1));
        pixel.Rows = 1; // one fewer
        Assert.Throws<InvalidDataException>(() => pixel.Rekey(1));
    }

    [Fact]
    public void ASpooledRoundReadsBackAtGenerationZeroOfTheIdsItWasWrittenWith()
    {
        using var round = new InsertRound();
        round.Reset();
        round.Add(Batch("shop"));
        TableInsert pixel = round.Tables[TableEncoders.Pixel];
        ulong original = pixel.OriginalId;
        pixel.Rekey(1); // as the writer does after a refusal, before it spools the round
        using var record = new PooledBufferWriter();
        round.WriteTo(record);
        using var replayed = new InsertRound();
        Assert.True(replayed.TryReadFrom(record.WrittenSpan));
        TableInsert back = replayed.Tables[TableEncoders.Pixel];
        Assert.Equal(InsertIds.Derive(original, 1), back.InsertId);
        Assert.Equal(back.InsertId, back.OriginalId);
        Assert.Equal(0, back.Generation);
        Assert.False(back.Refused);
    }

    private static FlushBatch Batch(string tenant)
    {
        byte[] name = System.Text.Encoding.UTF8.GetBytes(tenant);
        byte[] longText = System.Text.Encoding.UTF8.GetBytes("/" + new string('p', 300) + "é");
        var batch = new FlushBatch { Lines = 1 };
        var latency = new TrafficCounters { Requests = 5, BytesSent = 700, RequestTimeSumMs = 9 };
        latency.Latency[7] = 2;
        batch.Traffic.Add(new TrafficRow(name, 1_700_000_040, latency));
        batch.Statuses.Add(new StatusRow(name, 1_700_000_040, 404, 3));
        batch.Errors.Add(new ErrorRow(1_700_000_040, "udp", name, "not_json", 1, "{oops"));
        batch.Pixels.Add(new PixelRow(name, longText, 1_700_000_040, 11));
        batch.Visitors.Add(new VisitorRow(name, 19_700, longText, 42));
        batch.Events.Add(new EventRow(name, 1_700_000_040, "signup"u8.ToArray(), longText, 6));
        batch.Users.Add(new UserRow(name, 19_700, 77));
        batch.Paths.Add(new PathRow(name, 1_700_000_000, longText, new PathCounters { Requests = 4, BodyBytes = 10, CacheHit = 1, CacheMiss = 2, LastHit = 1_700_000_050 }));
        batch.RawRows.Add(
            new RawRow { Tenant = name, Time = 1_700_000_041, TimeMs = 999, Status = 503, BytesSent = 700, BodyBytesSent = 500, RequestTimeMs = 12, CacheStatus = 2, Visitor = 42 },
            "GET"u8, longText, "ref.example.com"u8, "chrome/android/mobile"u8);
        batch.Agents.Add(new AgentRow(name, 19_700, "chrome", "android", "mobile", true, "google", 3, 0));
        batch.Referrers.Add(new ReferrerRow(name, 19_700, 3, longText, "newsletter"u8.ToArray(), 9, 42));
        return batch;
    }
}
