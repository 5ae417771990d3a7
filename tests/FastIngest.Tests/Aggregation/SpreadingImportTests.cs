using System.Text;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Ingest;
using FastIngest.Core.Parsing;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastIngest.Tests.Aggregation;

/// <summary>
/// The import's spreading writer (issue 15, item 3): one tenant's lines parsed and counted on every
/// shard, with totals as exact as on one.
/// </summary>
public sealed class SpreadingImportTests
{
    [Fact]
    public async Task OneTenantsFileCountsExactlyOnEveryShardWithLinesCrossingEveryReadBoundary()
    {
        var sink = new CollectingSink();
        // Only the final flush writes: every row of every shard arrives in one place to be added up.
        var options = new AggregationOptions { Shards = 3, FlushInterval = TimeSpan.FromMinutes(30) };
        using var pipeline = new IngestPipeline(options, sink, sink.Pool, NullLogger.Instance, anyAge: true);
        pipeline.Start();
        ShardedBatchWriter writer = pipeline.CreateSpreadingWriter(IngestSource.File);

        var text = new StringBuilder();
        var start = new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);
        long good = 0, bad = 0, body = 0;
        for (int i = 0; i < 20_000; i++)
        {
            if (i % 97 == 0)
            {
                text.Append("not an access log line ").Append(i).Append('\n');
                bad++;
                continue;
            }

            body += i;
            good++;
            text.Append(NginxLineBuilder.Combined("192.0.2." + (i % 200), start.AddSeconds(i), "GET /p/" + (i % 13) + " HTTP/1.1", 200, i, "", "curl/8"))
                .Append(i % 5 == 0 ? "\r\n" : "\n");
        }

        // The last line has no newline: only the final read adds it.
        body += 20_000;
        good++;
        text.Append(NginxLineBuilder.Combined("192.0.2.1", start, "GET / HTTP/1.1", 200, 20_000, "", "curl/8"));
        byte[] data = Encoding.UTF8.GetBytes(text.ToString());

        // ImportCommand's loop: reads of random sizes into one buffer, the unframed rest moved to its start.
        var random = new Random(15);
        byte[] buffer = new byte[8192];
        int filled = 0, offset = 0;
        long added = 0;
        while (true)
        {
            int read = Math.Min(Math.Min(random.Next(1, 3000), buffer.Length - filled), data.Length - offset);
            data.AsSpan(offset, read).CopyTo(buffer.AsSpan(filled));
            offset += read;
            filled += read;
            bool end = read == 0;
            int consumed = writer.AddLines(MessageKind.CombinedLog, "acme"u8, buffer.AsSpan(0, filled), final: end, arrivedAt: 1_795_400_000, out int lines);
            added += lines;
            buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
            filled -= consumed;
            if (writer.HasSetAside)
            {
                await writer.FlushAsync();
            }

            if (end)
            {
                break;
            }
        }

        await writer.FlushAsync();
        await pipeline.StopAsync();

        Assert.Equal(good + bad, added);
        Assert.Equal((ulong)good, sink.Traffic.Aggregate(0UL, (sum, r) => sum + r.Counters.Requests));
        Assert.Equal((ulong)body, sink.Traffic.Aggregate(0UL, (sum, r) => sum + r.Counters.BodyBytesSent));
        Assert.All(sink.Traffic, r => Assert.Equal("acme", Encoding.UTF8.GetString(r.Tenant)));
        Assert.Equal(good, pipeline.Shards.Sum(s => s.LinesCounted));
        Assert.Equal(bad, pipeline.Shards.Sum(s => s.Rejected));
        Assert.Equal((ulong)bad, sink.Errors.Aggregate(0UL, (sum, e) => sum + e.Count));
        // Every shard parsed and counted a share of the one tenant's lines.
        Assert.All(pipeline.Shards, s => Assert.True(s.LinesCounted > 1_000, $"shard {s.Id} counted {s.LinesCounted}"));
    }
}
