using System.Diagnostics;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using System.Text.Json.Nodes;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Ingest;
using FastIngest.Core.Internal;
using FastIngest.Core.Parsing;
using FastIngest.Core.Sinks;
using FastIngest.Tests.Parsing.Agents;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastIngest.Benchmarks;

/// <summary>
/// <c>FastIngest.Benchmarks agentcache N</c>: what a line costs a shard (parse, classify, count, and a flush
/// after each 4096 lines) with the shard's user-agent cache (issue 18) and without it (every agent
/// classified), in N interleaved rounds as <see cref="RawRowRounds"/> does. Two line sets: the benchmark
/// corpus (its agents: mostly curl, one Chrome, a 1500-byte hostile one) and the same lines with the 371
/// agents of the classifier's table in turn (browsers, bots, libraries: more distinct agents than a site
/// sees in a second, all fitting the cache).
/// </summary>
public static class AgentCacheRounds
{
    public static void Run(int rounds)
    {
        IngestBatch corpus = Batch(Data.JsonLines);
        IngestBatch table = Batch(WithTableAgents());
        (string Name, Shard Shard, IngestBatch Batch)[] methods =
        [
            ("corpus, cache", NewShard(cache: true), corpus),
            ("corpus, no cache", NewShard(cache: false), corpus),
            ("table agents, cache", NewShard(cache: true), table),
            ("table agents, no cache", NewShard(cache: false), table),
        ];
        var times = new List<double>[methods.Length];
        var allocated = new long[methods.Length];
        for (int m = 0; m < methods.Length; m++)
        {
            times[m] = new List<double>(rounds);
        }

        for (int warm = 0; warm < 50; warm++)
        {
            foreach ((_, Shard shard, IngestBatch batch) in methods)
            {
                CountAndFlush(shard, batch);
            }
        }

        for (int round = 0; round < rounds; round++)
        {
            for (int k = 0; k < methods.Length; k++)
            {
                int m = (k + round) % methods.Length;
                long bytes = GC.GetAllocatedBytesForCurrentThread();
                long start = Stopwatch.GetTimestamp();
                for (int n = 0; n < 5; n++)
                {
                    CountAndFlush(methods[m].Shard, methods[m].Batch);
                }

                times[m].Add(Stopwatch.GetElapsedTime(start).TotalNanoseconds / (5.0 * Data.Lines));
                allocated[m] += GC.GetAllocatedBytesForCurrentThread() - bytes;
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rounds} rounds of 5 x {Data.Lines} lines each, interleaved"));
        for (int m = 0; m < methods.Length; m++)
        {
            times[m].Sort();
            Shard shard = methods[m].Shard;
            double hitRatio = (double)shard.AgentClassCacheHits / Math.Max(1, shard.AgentClassCacheHits + shard.AgentsClassified);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{methods[m].Name,-24} median {times[m][times[m].Count / 2],6:F0} ns/line, fastest {times[m][0],6:F0}, cache hits {hitRatio:P1}, allocated {allocated[m]} B over {(long)rounds * 5 * Data.Lines} lines"));
        }
    }

    // Counting is measured with its flush (the sink discards), so the aggregates stay at one interval's size.
    private static void CountAndFlush(Shard shard, IngestBatch batch)
    {
        shard.Process(batch);
        shard.FlushAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    private static Shard NewShard(bool cache)
    {
        var pool = new ObjectPool<FlushBatch>();
        var options = new AggregationOptions { Shards = 1, CacheAgentClasses = cache };
        return new IngestPipeline(options, new DiscardingSink(pool), pool, NullLogger.Instance).Shards[0];
    }

    private static IngestBatch Batch(byte[][] lines)
    {
        var batch = new IngestBatch();
        for (int i = 0; i < lines.Length; i++)
        {
            byte[] tenant = Encoding.UTF8.GetBytes(Data.Tenant(i));
            batch.Add(MessageKind.NginxJson, RejectReason.None, XxHash3.HashToUInt64(tenant), tenant, lines[i], Data.ArrivedAt);
        }

        return batch;
    }

    // The corpus lines with their agent replaced by the table's, one after the other.
    private static byte[][] WithTableAgents()
    {
        IReadOnlyList<UserAgentTable.Row> rows = UserAgentTable.Rows;
        var lines = new byte[Data.JsonLines.Length][];
        for (int i = 0; i < lines.Length; i++)
        {
            JsonObject line = JsonNode.Parse(Data.JsonLines[i])!.AsObject();
            line["http_user_agent"] = Encoding.UTF8.GetString(rows[i % rows.Count].Agent);
            lines[i] = Encoding.UTF8.GetBytes(line.ToJsonString());
        }

        return lines;
    }
}
