using System.Text;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Ingest;
using FastIngest.Core.Parsing;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastIngest.Tests.Aggregation;

/// <summary>Issue 13: a stored name is at most <c>MaxNameBytes</c>, cut at a UTF-8 boundary and marked.</summary>
public sealed class NameTruncationTests
{
    private const long Minute = 1_795_390_920_000;
    private static readonly byte[] s_mark = Encoding.UTF8.GetBytes("\u2026");

    /// <summary>Text whose every character is 1, 2, 3 or 4 bytes long, in turn.</summary>
    private static readonly string s_mixed = string.Concat(Enumerable.Repeat("a\u00e9\u20ac\U0001F600", 12));

    public static TheoryData<int> EveryCap()
    {
        var caps = new TheoryData<int>();
        for (int cap = 16; cap <= Encoding.UTF8.GetByteCount(s_mixed); cap++)
        {
            caps.Add(cap);
        }

        return caps;
    }

    [Theory]
    [MemberData(nameof(EveryCap))]
    public void ACutNameEndsOnAUtf8BoundaryWithTheMarkWithinTheCap(int cap)
    {
        byte[] name = Encoding.UTF8.GetBytes(s_mixed + "z"); // one byte over any cap in the theory
        byte[] cut = new byte[cap];
        int written = NameTable.Truncate(name, cut);

        Assert.InRange(written, cap - 3 - 2, cap); // steps back at most to the sequence's lead byte
        Assert.True(cut.AsSpan(0, written).EndsWith(s_mark));
        byte[] prefix = cut[..(written - s_mark.Length)];
        Assert.True(name.AsSpan().StartsWith(prefix));
        // Valid UTF-8 all the way, and the prefix is whole characters of the original.
        string decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(cut, 0, written);
        Assert.StartsWith(Encoding.UTF8.GetString(prefix), s_mixed, StringComparison.Ordinal);
        Assert.EndsWith("\u2026", decoded, StringComparison.Ordinal);
        // The longest such prefix: one more character would not fit beside the mark.
        int next = prefix.Length + Utf8SequenceLength(name[prefix.Length]);
        Assert.True(next + s_mark.Length > cap);
    }

    [Fact]
    public void ANameAtTheCapIsKeptWholeAndOneByteMoreIsCutMarkedAndCounted()
    {
        var table = new NameTable(10, "(other)"u8, maxNameBytes: 64);
        byte[] exact = Encoding.UTF8.GetBytes("/" + new string('x', 63));
        Assert.True(table.TryGet(exact, out InternedName whole));
        Assert.Equal(exact, whole.NameUtf8);
        Assert.Equal(0, table.Truncated);

        Assert.True(table.TryGet(Encoding.UTF8.GetBytes("/" + new string('x', 64)), out InternedName cut));
        Assert.Equal(64, cut.NameUtf8.Length);
        Assert.Equal("/" + new string('x', 60) + "\u2026", cut.Name);
        Assert.Equal(1, table.Truncated);
    }

    [Fact]
    public void TwoLongNamesSharingTheCutPrefixAreOneNameAndTheHashGivenIsRecomputed()
    {
        var table = new NameTable(10, default, maxNameBytes: 64);
        byte[] a = Encoding.UTF8.GetBytes(new string('p', 100) + "/a");
        byte[] b = Encoding.UTF8.GetBytes(new string('p', 100) + "/b");
        Assert.True(table.TryGet(System.IO.Hashing.XxHash3.HashToUInt64(a), a, out InternedName first));
        Assert.True(table.TryGet(b, out InternedName second));
        Assert.Same(first, second);
        Assert.True(table.TryFind(a, out InternedName found));
        Assert.Same(first, found);
        Assert.Equal(1, table.Count);
        Assert.Equal(3, table.Truncated);
    }

    [Fact]
    public void FindingAndCuttingALongNameAllocatesNothingOnceInterned()
    {
        var table = new NameTable(10, "(other)"u8, maxNameBytes: 1024);
        byte[] name = Encoding.UTF8.GetBytes("/" + new string('q', 8 * 1024));
        Assert.True(table.TryGet(name, out _));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1_000; i++)
        {
            table.TryGet(name, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public async Task EightKilobytePathsAreStoredCutAndEveryRequestStillCounts()
    {
        var sink = new CollectingSink();
        var pipeline = new IngestPipeline(new AggregationOptions { Shards = 1 }, sink, sink.Pool, NullLogger.Instance);
        Shard shard = pipeline.Shards[0];
        string prefix = "/u/" + new string('a', 2000);
        IngestBatch batch = pipeline.IngestBatches.Rent();
        byte[] tenant = "acme"u8.ToArray();
        for (int i = 0; i < 20; i++)
        {
            string path = (i % 2 == 0 ? prefix : "/v/") + new string('b', 8 * 1024) + i;
            byte[] line = new NginxLineBuilder().Msec(Minute).Set("status", "200").Set("bytes_sent", "10").Set("body_bytes_sent", "4").Set("uri", path).ToUtf8();
            batch.Add(MessageKind.NginxJson, RejectReason.None, System.IO.Hashing.XxHash3.HashToUInt64(tenant), tenant, line, (uint)(Minute / 1000)); // arrived the minute it was logged: inside the live window
        }

        shard.Process(batch);
        await shard.FlushAsync(CancellationToken.None);

        // Ten each share the first 1,021 bytes: two names, every request counted once under one of them.
        Dictionary<string, ulong> paths = sink.Paths.GroupBy(r => Encoding.UTF8.GetString(r.Path))
            .ToDictionary(g => g.Key, g => g.Aggregate(0UL, (sum, r) => sum + r.Counters.Requests));
        Assert.Equal(2, paths.Count);
        Assert.All(paths, p => Assert.Equal(1024, Encoding.UTF8.GetByteCount(p.Key)));
        Assert.All(paths, p => Assert.EndsWith("\u2026", p.Key, StringComparison.Ordinal));
        Assert.All(paths.Values, requests => Assert.Equal(10UL, requests));
        Assert.Equal(20UL, (ulong)sink.Traffic.Sum(r => (long)r.Counters.Requests));
        Assert.Equal(20, shard.PathsTruncated);
        Assert.Equal(0, shard.PathsFolded);
        await pipeline.StopAsync();
    }

    private static int Utf8SequenceLength(byte lead) => lead switch
    {
        < 0x80 => 1,
        < 0xE0 => 2,
        < 0xF0 => 3,
        _ => 4,
    };
}
