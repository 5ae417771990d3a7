using System.Text;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Ingest;
using FastIngest.Core.Parsing;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastIngest.Tests.Aggregation;

/// <summary>A shard flushes early once it holds <see cref="AggregationOptions.MaxVisitorsPerFlush"/> visitors (issue 15).</summary>
public sealed class VisitorBoundTests
{
    [Fact]
    public async Task AShardHoldingTheMostVisitorsFlushesBeforeItsIntervalAndCountsStayExact()
    {
        var sink = new CollectingSink();
        // The interval is far away: only the visitor bound makes the shard flush before it stops.
        var options = new AggregationOptions { Shards = 1, FlushInterval = TimeSpan.FromMinutes(30), MaxVisitorsPerFlush = 1_000 };
        using var pipeline = new IngestPipeline(options, sink, sink.Pool, NullLogger.Instance, anyAge: true);
        pipeline.Start();
        ShardedBatchWriter writer = pipeline.CreateWriter(IngestSource.File);
        var start = new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);
        const int Lines = 5_000;
        for (int i = 0; i < Lines; i++)
        {
            // Every line a new visitor (address), 500 of them seen again; a browser's agent, since a bot's
            // request counts no visitor by default (issue 18).
            string line = NginxLineBuilder.Combined($"10.2.{i % 4_500 / 256}.{i % 4_500 % 256}", start.AddSeconds(i), "GET / HTTP/1.1", 200, 1, "", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0");
            writer.Add(MessageKind.CombinedLog, RejectReason.None, "acme"u8, Encoding.UTF8.GetBytes(line), 1_795_400_000);
        }

        await writer.FlushAsync();
        await Eventually.TrueAsync(() => sink.Batches >= 3, TimeSpan.FromSeconds(10), "early flushes");
        await pipeline.StopAsync();

        Assert.Equal((ulong)Lines, sink.Traffic.Aggregate(0UL, (sum, r) => sum + r.Counters.Requests));
        // A visitor flushed in two intervals is one hash twice: a uniq state counts it once.
        Assert.Equal(4_500, sink.Visitors.Select(v => v.Visitor).Distinct().Count());
    }
}
