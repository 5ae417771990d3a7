using System.Text;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Ingest;
using FastIngest.Core.Parsing;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastIngest.Tests.Aggregation;

/// <summary>Distinct paths are capped per shard and per tenant, and a full table makes room again.</summary>
public sealed class PathCapTests
{
    private const long Minute = 1_795_390_920_000;

    private static (Shard Shard, IngestPipeline Pipeline, CollectingSink Sink) NewShard(int maxPaths, int maxPathsPerTenant)
    {
        var sink = new CollectingSink();
        var options = new AggregationOptions { Shards = 1, MaxPaths = maxPaths, MaxPathsPerTenant = maxPathsPerTenant };
        var pipeline = new IngestPipeline(options, sink, sink.Pool, NullLogger.Instance);
        return (pipeline.Shards[0], pipeline, sink);
    }

    private static void Send(Shard shard, IngestPipeline pipeline, string tenant, params string[] paths)
    {
        IngestBatch batch = pipeline.IngestBatches.Rent();
        byte[] t = Encoding.UTF8.GetBytes(tenant);
        foreach (string path in paths)
        {
            byte[] line = new NginxLineBuilder().Msec(Minute).Set("status", "200").Set("bytes_sent", "10").Set("body_bytes_sent", "4").Set("uri", path).ToUtf8();
            batch.Add(MessageKind.NginxJson, RejectReason.None, System.IO.Hashing.XxHash3.HashToUInt64(t), t, line, 1_795_400_000);
        }

        shard.Process(batch);
    }

    private static Dictionary<string, ulong> PathsOf(CollectingSink sink, string tenant) =>
        sink.Paths.Where(r => Encoding.UTF8.GetString(r.Tenant) == tenant)
            .GroupBy(r => Encoding.UTF8.GetString(r.Path))
            .ToDictionary(g => g.Key, g => g.Aggregate(0UL, (sum, r) => sum + r.Counters.Requests));

    [Fact]
    public async Task AFullPathTableStartsOverAtTheNextFlushSoNewPathsAreNamedAgain()
    {
        (Shard shard, IngestPipeline pipeline, CollectingSink sink) = NewShard(maxPaths: 10, maxPathsPerTenant: 1_000);
        Send(shard, pipeline, "acme", [.. Enumerable.Range(0, 12).Select(i => $"/old/{i}")]);
        await shard.FlushAsync(CancellationToken.None);
        Dictionary<string, ulong> first = PathsOf(sink, "acme");
        Assert.Equal(2UL, first["(other)"]);
        Assert.Equal(11, first.Count);

        sink.Paths.Clear();
        Send(shard, pipeline, "acme", "/new/today", "/old/0");
        await shard.FlushAsync(CancellationToken.None);
        Assert.Equal(new Dictionary<string, ulong> { ["/new/today"] = 1, ["/old/0"] = 1 }, PathsOf(sink, "acme"));
        Assert.Equal(2, shard.PathsFolded);
    }

    [Fact]
    public async Task OneTenantsFloodOfUniquePathsLeavesOtherTenantsPathsNamedAndSumsExact()
    {
        (Shard shard, IngestPipeline pipeline, CollectingSink sink) = NewShard(maxPaths: 1_000, maxPathsPerTenant: 5);
        Send(shard, pipeline, "flood", [.. Enumerable.Range(0, 100).Select(i => $"/u/{i}")]);
        Send(shard, pipeline, "calm", "/a", "/b", "/a", "/c");
        Send(shard, pipeline, "flood", "/u/0", "/u/99");
        await shard.FlushAsync(CancellationToken.None);

        Dictionary<string, ulong> flood = PathsOf(sink, "flood");
        Assert.Equal(6, flood.Count);
        Assert.Equal(2UL, flood["/u/0"]);                  // a path it already had still counts by name
        Assert.Equal(96UL, flood["(other)"]);              // 95 new ones past the cap, and /u/99 again
        Assert.Equal(102UL, flood.Values.Aggregate(0UL, (a, b) => a + b));
        Assert.Equal(new Dictionary<string, ulong> { ["/a"] = 2, ["/b"] = 1, ["/c"] = 1 }, PathsOf(sink, "calm"));
        Assert.Equal(96, shard.PathsFolded);

        // The cap is per flush interval: the next one starts over.
        sink.Paths.Clear();
        Send(shard, pipeline, "flood", "/u/50");
        await shard.FlushAsync(CancellationToken.None);
        Assert.Equal(new Dictionary<string, ulong> { ["/u/50"] = 1 }, PathsOf(sink, "flood"));
    }
}
