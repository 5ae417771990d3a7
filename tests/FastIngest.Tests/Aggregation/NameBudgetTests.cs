using System.Text;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Ingest;
using FastIngest.Core.Parsing;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastIngest.Tests.Aggregation;

/// <summary>Issue 13: a shard's path, pixel key and event type tables share one budget of bytes.</summary>
public sealed class NameBudgetTests
{
    private const long Minute = 1_795_390_920_000;

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void PastTheBudgetANewNameIsRefusedInEveryTableThatSharesIt()
    {
        // Room for three 100-byte names, charged with their overhead.
        var names = new ShardNames(10, 1_000, 1_000, 1_000, maxNameBytes: 100, maxNameBytesPerShard: 3 * NameBudget.Charge(100));
        Assert.True(names.Paths.TryGet(Utf8(new string('a', 100)), out _));
        Assert.True(names.Paths.TryGet(Utf8(new string('b', 100)), out _));
        Assert.True(names.PixelKeys.TryGet(Utf8(new string('k', 100)), out _));
        Assert.False(names.Paths.TryGet(Utf8("/c"), out _));
        Assert.False(names.PixelKeys.TryGet(Utf8("k2"), out _));
        Assert.False(names.EventTypes.TryGet(Utf8("click"), out _));
        Assert.True(names.Paths.TryGet(Utf8(new string('a', 100)), out _)); // known names still found
        Assert.Equal(3 * NameBudget.Charge(100), names.Budget.Used);
        // Tenants are outside the budget: a path flood never refuses a tenant.
        Assert.True(names.Tenants.TryGet(Utf8("acme"), out _));
    }

    [Fact]
    public void AFullBudgetIsGivenBackAtTheFlushAndNamedAgain()
    {
        var names = new ShardNames(10, 1_000, 1_000, 1_000, maxNameBytes: 100, maxNameBytesPerShard: 3 * NameBudget.Charge(100));
        for (int i = 0; i < 3; i++)
        {
            Assert.True(names.Paths.TryGet(Utf8(new string((char)('a' + i), 100)), out _));
        }

        names.Recycle(); // all used this interval, and the budget is full: a flood, so everything goes
        Assert.Equal(0, names.Budget.Used);
        Assert.Equal(1, names.Paths.Count); // (other)
        Assert.True(names.Paths.TryGet(Utf8("/new"), out _));
    }

    [Fact]
    public void ThreeQuartersSpentForgetsOnlyWhatTheIntervalDidNotUse()
    {
        var names = new ShardNames(10, 1_000, 1_000, 1_000, maxNameBytes: 100, maxNameBytesPerShard: 5 * NameBudget.Charge(100));
        for (int i = 0; i < 4; i++)
        {
            Assert.True(names.Paths.TryGet(Utf8(new string((char)('a' + i), 100)), out _));
        }

        names.Recycle(); // four fifths spent, all used: nothing to forget, and not full
        Assert.Equal(4 * NameBudget.Charge(100), names.Budget.Used);
        Assert.True(names.Paths.TryFind(Utf8(new string('a', 100)), out _));
        names.Recycle(); // only 'a' was used the last interval
        Assert.Equal(NameBudget.Charge(100), names.Budget.Used);
        Assert.True(names.Paths.TryFind(Utf8(new string('a', 100)), out _));
        Assert.False(names.Paths.TryFind(Utf8(new string('b', 100)), out _));
    }

    [Fact]
    public async Task PathsPastTheBudgetFoldIntoOtherWithEverySumExact()
    {
        var sink = new CollectingSink();
        var options = new AggregationOptions { Shards = 1, MaxNameBytes = 64, MaxNameBytesPerShard = 64 * 1024 };
        var pipeline = new IngestPipeline(options, sink, sink.Pool, NullLogger.Instance);
        Shard shard = pipeline.Shards[0];
        byte[] tenant = "acme"u8.ToArray();
        const int Lines = 1_000; // 1,000 x 224 B charged: the 64 KiB budget names under 300
        IngestBatch batch = pipeline.IngestBatches.Rent();
        for (int i = 0; i < Lines; i++)
        {
            string path = "/" + i.ToString("x4", System.Globalization.CultureInfo.InvariantCulture) + new string('z', 100);
            byte[] line = new NginxLineBuilder().Msec(Minute).Set("status", "200").Set("bytes_sent", "10").Set("body_bytes_sent", "4").Set("uri", path).ToUtf8();
            batch.Add(MessageKind.NginxJson, RejectReason.None, System.IO.Hashing.XxHash3.HashToUInt64(tenant), tenant, line, (uint)(Minute / 1000)); // arrived the minute it was logged: inside the live window
        }

        shard.Process(batch);
        long used = shard.NameBytes;
        await shard.FlushAsync(CancellationToken.None);

        ulong other = sink.Paths.Where(r => Encoding.UTF8.GetString(r.Path) == "(other)").Aggregate(0UL, (s, r) => s + r.Counters.Requests);
        int named = sink.Paths.Count(r => Encoding.UTF8.GetString(r.Path) != "(other)");
        Assert.Equal(64 * 1024 / NameBudget.Charge(64), named);
        Assert.Equal((ulong)(Lines - named), other);
        Assert.Equal((long)other, shard.PathsFolded);
        Assert.Equal((ulong)Lines, (ulong)sink.Paths.Sum(r => (long)r.Counters.Requests));
        Assert.Equal((ulong)Lines, (ulong)sink.Traffic.Sum(r => (long)r.Counters.Requests));
        Assert.Equal(Lines, shard.PathsTruncated);
        Assert.Equal(0, used); // published at flushes only
        Assert.Equal(0, shard.NameBytes); // the flood filled the budget, so the flush forgot every name
        await pipeline.StopAsync();
    }
}
